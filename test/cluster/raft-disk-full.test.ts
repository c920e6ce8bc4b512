/**
 * A Raft member whose disk fills up (its data directory on a 4 MiB tmpfs):
 * it waits and retries, writes are refused with 503 DINC_STORAGE_RETRYING
 * (Retry-After), what it had stays readable (stale reads), /health and
 * /ready say why; once space is freed (the tmpfs grown, no restart) it
 * resumes by itself, takes writes again and, after a restart, every
 * acknowledged write is there. Needs root (mount); skipped without it except
 * under CI=true.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAgents } from '../support/agent-process.js';
import { eventually } from '../support/eventually.js';
import { LoopbackGroup } from '../support/raft-loopback.js';

function canMountTmpfs(): boolean {
  const missing = process.getuid?.() !== 0 ? 'not running as root' : '';
  if (missing === '') return true;
  if (process.env.CI === 'true') throw new Error(`CI needs this test to run as root (mount tmpfs): ${missing}`);
  console.warn(`skipping the disk-full test: ${missing}`);
  return false;
}

const ready = canMountTmpfs();
const mounts: string[] = [];

afterEach(killAgents);
afterAll(() => {
  for (const dir of mounts) spawnSync('umount', ['-l', dir]);
});

describe.skipIf(!ready)('a Raft member on a full disk', () => {
  it('waits while the disk is full (503 DINC_STORAGE_RETRYING, stale reads served) and resumes by itself once space is freed, keeping every acknowledged write', async () => {
    const group = await LoopbackGroup.create(1);
    const member = group.member('n1');
    const raftDir = join(member.dataDir, 'raft');
    mkdirSync(raftDir, { recursive: true });
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', raftDir], { encoding: 'utf8' });
    expect(mounted.status, mounted.stderr).toBe(0);
    mounts.push(raftDir);
    await group.start();
    await group.leader();

    const value = 'x'.repeat(256 * 1024);
    const acked: number[] = [];
    let refused: { status: number; body: Record<string, unknown> } | undefined;
    for (let n = 0; n < 40 && refused === undefined; n++) {
      const answer = await group.http('n1', 'PUT', `/v1/kv/k${n}`, value);
      if (answer.status === 200) acked.push(n);
      else refused = answer;
    }
    expect(acked.length).toBeGreaterThan(3);
    // The write that met the full disk waits (its outcome is unknown: 504) or is refused at once (503).
    expect([503, 504]).toContain(refused?.status);
    const next = await group.http('n1', 'PUT', '/v1/kv/after', 'small');
    expect(next.status).toBe(503);
    expect(next.body).toMatchObject({ error: { code: 'DINC_STORAGE_RETRYING' } });
    expect(next.headers.get('retry-after')).toMatch(/^\d+$/);
    const health = await group.http('n1', 'GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'degraded' });
    expect(String(health.body.storage)).toMatch(/^retrying after ENOSPC \(\d+ attempts?, next in/);
    expect((await group.http('n1', 'GET', '/ready')).status).toBe(503);
    for (const n of acked) expect((await group.http('n1', 'GET', `/v1/kv/k${n}?consistency=stale`)).body.value).toBe(value);
    expect(member.process?.records.some((r) => r.level === 'warn' && /failed for now \(ENOSPC\)/.test(String(r.msg)))).toBe(true);

    // Room again (the same tmpfs grown, the agent left running): it resumes by itself.
    expect(spawnSync('mount', ['-o', 'remount,size=64m', raftDir]).status).toBe(0);
    await eventually(async () => expect((await group.http('n1', 'PUT', '/v1/kv/after', 'small')).status).toBe(200), 20_000);
    expect((await group.http('n1', 'GET', '/health')).body).toMatchObject({ status: 'healthy', storage: 'ok' });
    expect((await group.http('n1', 'GET', '/ready')).status).toBe(200);
    for (const n of acked) expect((await group.http('n1', 'GET', `/v1/kv/k${n}`)).body.value).toBe(value);

    // And a restart (the WAL replayed) reads back every acknowledged write.
    await group.kill('n1');
    await group.start();
    await group.leader();
    for (const n of acked) expect((await group.http('n1', 'GET', `/v1/kv/k${n}`)).body.value).toBe(value);
    expect((await group.http('n1', 'GET', '/v1/kv/after')).body.value).toBe('small');
  }, 90_000);
});
