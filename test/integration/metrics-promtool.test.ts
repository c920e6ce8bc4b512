/**
 * Every listener that serves `/metrics` (the web listener and the Raft
 * role's) passes `promtool check metrics` with no problem and no lint.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.js';
import type { RaftRoleStatus } from '../../src/ops/snapshot.js';
import { Agent } from '../../src/runtime/agent.js';
import { eventually } from '../support/eventually.js';
import { memoryLogger } from '../support/memory-log.js';
import { freePortBase } from '../support/ports.js';
import { hasTool } from '../support/prerequisite.js';

const havePromtool = hasTool('promtool', 'apt-get install prometheus');
let agent: Agent | undefined;
const listeners: Record<string, string> = {};

beforeAll(async () => {
  if (!havePromtool) return;
  const port = (await freePortBase(1)) + 1;
  const dir = mkdtempSync(join(tmpdir(), 'dinc-promtool-'));
  const text =
    `[cluster]\nmulticast_group = off\n[agent]\nid = node1\nbind_address = 127.0.0.1\nport = ${port}\nweb = 127.0.0.1:0\ndata_dir = ${dir}\nroles = raft\n` +
    `[raft]\nlisten = 127.0.0.1:0\n`;
  const config = buildConfig({ hostname: 'node1', file: { path: 'promtool.conf', text } });
  agent = new Agent(config, { log: memoryLogger('warn').log, reloadConfig: () => Promise.resolve(config), monotonicMs: () => performance.now() });
  await agent.start();
  const started = agent;
  listeners.web = `127.0.0.1:${started.webAddress?.port}`;
  listeners.raft = (started.snapshot().roles.raft as RaftRoleStatus).listen ?? '';
  // Scrape once the group of one has a leader, so that the raft families have their values.
  await eventually(() => Promise.resolve(expect((started.snapshot().roles.raft as RaftRoleStatus).state).toBe('leader')));
});
afterAll(async () => {
  await agent?.stop();
});

describe.runIf(havePromtool)('promtool check metrics on every /metrics', () => {
  it.each(['web', 'raft'])('the %s listener: no problem, no lint', async (listener) => {
    const res = await fetch(`http://${listeners[listener]}/metrics`);
    expect(res.status).toBe(200);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: await res.text(), encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
  });
});
