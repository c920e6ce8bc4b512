/**
 * Readiness and membership as a Raft member reports them: `/ready` turns
 * 200 only once requests are served (a leader known, committed entries
 * applied), `dinc-agent ready` waits for it, and a member removed from the
 * group says it is not a member in `/health`, `/cluster` and `/ready`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, killAgents, spawnAgent, webAddressOf } from '../support/agent-process.js';
import { freePortBase } from '../support/ports.js';
import { eventually } from '../support/eventually.js';
import { LoopbackGroup } from '../support/raft-loopback.js';

afterEach(killAgents);

const run = promisify(execFile);

describe('readiness', () => {
  it('a lone member answers /ready 200 only once it serves: the first write after it succeeds, and `dinc-agent ready` returns then', async () => {
    const group = await LoopbackGroup.create(1);
    await group.start();
    const addr = `127.0.0.1:${group.member('n1').raftPort}`;
    const { stdout } = await run(process.execPath, [BIN, 'ready', '--addr', addr, '--timeout', '20s'], { timeout: 30_000 });
    expect(stdout).toContain('ready');
    const ready = await group.http('n1', 'GET', '/ready');
    expect(ready).toMatchObject({ status: 200, body: { ready: true, node_id: 'n1', leader: 'n1' } });
    expect((await group.http('n1', 'PUT', '/v1/kv/first', 'v')).status).toBe(200);
  }, 60_000);

  it('`dinc-agent ready` fails with DINC_NOT_READY and the reason when the member cannot serve within --timeout', async () => {
    const group = await LoopbackGroup.create(3);
    await group.start(['n1']);
    const addr = `127.0.0.1:${group.member('n1').raftPort}`;
    const failed = await run(process.execPath, [BIN, 'ready', '--addr', addr, '--timeout', '1s'], { timeout: 30_000 }).then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/DINC_NOT_READY/);
    expect(failed?.stderr).toMatch(/no Raft leader/);
    const answer = await group.http('n1', 'GET', '/ready');
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(answer.body).toMatchObject({ ready: false, error: { code: 'DINC_NOT_READY' } });
  }, 60_000);
});

describe("the agent's web listener", () => {
  it('answers /ready once membership runs and the raft role can serve, and /health shows the role', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dinc-ready-'));
    const base = await freePortBase(2);
    const conf = join(dir, 'cluster.conf');
    writeFileSync(conf, `[cluster]\nname = ready-${base}\n[agent]\nid = r1\nbind_address = 127.0.0.1\nport = ${base + 1}\nweb = 127.0.0.1:0\ndata_dir = ${dir}/data\nroles = raft\n[raft]\nlisten = 127.0.0.1:${base + 2}\n`);
    const agent = await spawnAgent(['start', '--config', conf]);
    const web = webAddressOf(await agent.waitFor((r) => typeof r.msg === 'string' && r.msg.endsWith(' running')));
    const { stdout } = await run(process.execPath, [BIN, 'ready', '--addr', web.replace(/^http:\/\//, ''), '--timeout', '20s'], { timeout: 30_000 });
    expect(stdout).toContain('ready');
    expect(await (await fetch(`${web}/ready`)).json()).toMatchObject({ ready: true, id: 'r1' });
    expect(await (await fetch(`${web}/health`)).json()).toMatchObject({ status: 'ok', roles: { raft: { state: 'leader', not_ready: null, storage_retrying: null, storage_failure: null } } });
  }, 60_000);
});

describe('a removed member', () => {
  it('says it is not a member in /health, /cluster and /ready once the leader no longer lists it', async () => {
    const group = await LoopbackGroup.create(3);
    await group.start();
    const leader = await group.leader();
    const gone = leader === 'n3' ? 'n2' : 'n3';
    const removed = await group.http(leader, 'DELETE', `/v1/raft/peers/${gone}`);
    expect(removed.status).toBe(200);

    await eventually(async () => expect((await group.http(gone, 'GET', '/health')).body).toMatchObject({ status: 'removed', is_member: false }), 20_000);
    const health = await group.http(gone, 'GET', '/health');
    expect(health.status).toBe(503);
    const cluster = (await group.http(gone, 'GET', '/cluster')).body;
    expect(cluster).toMatchObject({ node_id: gone, is_member: false, state: 'removed' });
    expect(cluster.cluster_nodes).not.toContain(gone);
    const ready = await group.http(gone, 'GET', '/ready');
    expect(ready.status).toBe(503);
    expect(JSON.stringify(ready.body)).toMatch(/removed from the Raft group/);
    // The members that stay are unaffected.
    expect((await group.http(leader, 'GET', '/health')).body).toMatchObject({ status: 'healthy', is_member: true });
  }, 60_000);
});
