import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { settings } from '../../src/config/schema.js';
import { ROOT } from '../support/agent-process.js';
import { freePortBase } from '../support/ports.js';

describe('cluster.conf.example', () => {
  it('is valid and sets every key of the schema to its default', async () => {
    const path = join(ROOT, 'cluster.conf.example');
    const config = await loadConfig(path, { hostname: 'h' });
    const text = readFileSync(path, 'utf8');
    for (const [section, key, s] of settings()) {
      expect(text, `[${section}] ${key}`).toMatch(new RegExp(`^${key} =`, 'm'));
      if (key !== 'id') expect((config[section] as Record<string, unknown>)[key], `[${section}] ${key}`).toEqual(s.default);
    }
  });
});

describe('examples/local-cluster/start.sh', () => {
  it('starts three agents on one host and stops them all on SIGTERM', async () => {
    const work = mkdtempSync(join(tmpdir(), 'dinc-local-'));
    const base = await freePortBase(3);
    const script = spawn(join(ROOT, 'examples', 'local-cluster', 'start.sh'), [], {
      env: { ...process.env, DINC_WORK_DIR: work, DINC_WEB_PORT_BASE: String(base) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => script.on('exit', resolve));
    try {
      const ids: unknown[] = [];
      for (const port of [base + 1, base + 2, base + 3]) {
        for (let tries = 0; ; tries++) {
          const health = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.json() as Promise<{ id: string }>, () => undefined);
          if (health) {
            ids.push(health.id);
            break;
          }
          if (tries > 200) throw new Error(`no agent on port ${port}: ${readFileSync(join(work, 'logs', `node00${port - base}.log`), 'utf8')}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      expect(ids).toEqual(['node001', 'node002', 'node003']);
      script.kill('SIGTERM');
      expect(await exited).toBe(0);
      for (const n of [1, 2, 3]) expect(readFileSync(join(work, 'logs', `node00${n}.log`), 'utf8')).toContain('"msg":"stopped"');
    } finally {
      script.kill('SIGKILL');
    }
  });
});
