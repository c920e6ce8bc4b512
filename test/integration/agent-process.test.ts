import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { freePortBase } from '../support/ports.js';
import { killAgents, spawnAgent, webAddressOf } from '../support/agent-process.js';

afterEach(killAgents);

/** A fresh directory holding cluster.conf, whose text may name the directory. */
function workdir(config: (dir: string) => string = () => ''): { dir: string; conf: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dinc-agent-'));
  const conf = join(dir, 'cluster.conf');
  writeFileSync(conf, config(dir));
  return { dir, conf };
}

const isRunning = (r: { msg: string }): boolean => r.msg === `dinc-agent ${VERSION} running`;

describe('dinc-agent start, as a real process', () => {
  it('serves /health and stops cleanly with exit 0 on SIGTERM', async () => {
    const { dir, conf } = workdir((d) => `[cluster]\nname = proxy\n[agent]\nid = node001\nweb = 127.0.0.1:0\ndata_dir = ${d}/data\n`);
    const agent = await spawnAgent(['start', '--config', conf]);
    const started = await agent.waitFor(isRunning);
    expect(started).toMatchObject({ id: 'node001', cluster: 'proxy', roles: 'none', data_dir: `${dir}/data` });

    const res = await fetch(`${webAddressOf(started)}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'ok', id: 'node001', cluster: 'proxy', version: VERSION });
    expect(body.uptime).toBeTypeOf('number');

    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    // Info lines only: a warning about agents of other tests' clusters on this host may come between.
    expect(agent.records.filter((r) => r.level === 'info').map((r) => r.msg).slice(-2)).toEqual(['SIGTERM: stopping', 'stopped']);
  });

  it('a client that never finishes its request does not hold up the stop', async () => {
    const { conf } = workdir((d) => `[agent]\nweb = 127.0.0.1:0\ndata_dir = ${d}/data\nstop_timeout = 1s\n`);
    const agent = await spawnAgent(['start', '--config', conf]);
    const started = await agent.waitFor(isRunning);
    const [host, port] = String(started.web).split(':');
    const slow = connect(Number(port), host, () => slow.write('GET /health HTTP/1.1\r\nHost: x\r\n'));
    const closed = new Promise((resolve) => slow.on('close', resolve));
    await new Promise((resolve) => slow.on('connect', resolve));
    // A full request on another connection, answered after the agent has read the slow one's first bytes.
    expect((await fetch(`${webAddressOf(started)}/health`)).status).toBe(200);
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    await closed;
    expect(agent.records).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'closing 1 connection still open at the stop deadline' }));
  });

  it('SIGINT stops it too, with exit 0', async () => {
    const { dir } = workdir();
    const agent = await spawnAgent(['start', '--web', '127.0.0.1:0', '--data-dir', join(dir, 'data')]);
    await agent.waitFor(isRunning);
    agent.child.kill('SIGINT');
    expect(await agent.exited).toBe(0);
  });

  it('runs on the defaults without --config, named after the host', async () => {
    const { dir } = workdir();
    const agent = await spawnAgent(['start', '--web', '127.0.0.1:0', '--data-dir', join(dir, 'data')]);
    const started = await agent.waitFor(isRunning);
    expect(agent.records[0]).toMatchObject({ msg: 'no --config given: running on the defaults, as a cluster of one' });
    expect(started.cluster).toBe('dinc');
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
  });

  it("takes GoCluster's command line: -config, -bind-address, -port, -web and no command", async () => {
    const { conf } = workdir((d) => `[cluster]\nname = proxy\ndiscovery_port = 7946\n[agent]\ndata_dir = ${d}/data\n[nodes]\nnode001 = "127.0.0.1:7946"\n`);
    const agent = await spawnAgent(['-config', conf, '-bind-address', '127.0.0.1', '-port', String((await freePortBase(1)) + 1), '-web', '127.0.0.1:0']);
    const started = await agent.waitFor(isRunning);
    expect(await (await fetch(`${webAddressOf(started)}/health`)).json()).toMatchObject({ status: 'ok', cluster: 'proxy' });
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
  });

  it('SIGHUP with a broken file keeps the running config and says why', async () => {
    const { dir, conf } = workdir((d) => `[agent]\nid = node001\nweb = 127.0.0.1:0\ndata_dir = ${d}/data\nlog_level = info\n`);
    const agent = await spawnAgent(['start', '--config', conf]);
    const started = await agent.waitFor(isRunning);

    writeFileSync(conf, `[agent]\nid = node001\nweb = 127.0.0.1:0\ndata_dir = ${dir}/data\nlog_level = loud\nport = 0\n`);
    agent.child.kill('SIGHUP');
    const failed = await agent.waitFor((r) => r.msg === 'reload failed; the running config stays in force');
    expect(failed).toMatchObject({
      level: 'error',
      code: 'DINC_CONFIG_INVALID',
      problems: [`${conf}:5: [agent] log_level = loud: must be one of debug, info, warn, error`, `${conf}:6: [agent] port = 0: must be 1-65535`],
    });
    expect((await fetch(`${webAddressOf(started)}/health`)).status).toBe(200);

    writeFileSync(conf, `[agent]\nid = node002\nweb = 127.0.0.1:0\ndata_dir = ${dir}/data\nlog_level = debug\n`);
    agent.child.kill('SIGHUP');
    expect(await agent.waitFor((r) => r.msg === 'config reloaded')).toMatchObject({ applied: ['[agent] log_level info -> debug'] });
    expect(await agent.waitFor((r) => r.msg === 'config changes that need a restart to take effect')).toMatchObject({
      level: 'warn',
      needs_restart: ['[agent] id node001 -> node002'],
    });
    expect(await (await fetch(`${webAddressOf(started)}/health`)).json()).toMatchObject({ id: 'node001' });

    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    expect(agent.records.some((r) => r.level === 'debug' && r.msg === 'part stopped')).toBe(true);
  });

  it('a broken config file is exit 2 with file:line, key and what is valid', async () => {
    const { conf } = workdir(() => '[cluster]\nname = proxy\n\n\n\n[agent]\nport = 99999\n');
    const agent = await spawnAgent(['start', '--config', conf]);
    expect(await agent.exited).toBe(2);
    expect(agent.stderr()).toBe(`${conf}:7: [agent] port = 99999: must be 1-65535\ndinc-agent: invalid configuration: 1 problem (DINC_CONFIG_INVALID)\n`);
  });

  it('a web address in use is exit 1 with DINC_LISTEN_FAILED', async () => {
    const { dir } = workdir();
    const first = await spawnAgent(['start', '--web', '127.0.0.1:0', '--data-dir', join(dir, 'a')]);
    const started = await first.waitFor(isRunning);
    const second = await spawnAgent(['start', '--web', String(started.web), '--data-dir', join(dir, 'b')]);
    expect(await second.exited).toBe(1);
    expect(second.records.at(-1)).toMatchObject({ level: 'error', code: 'DINC_LISTEN_FAILED', msg: `cannot listen on ${String(started.web)} for web: address already in use` });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });

  it('a data_dir that is a file is exit 1 with DINC_DATA_DIR', async () => {
    const { conf } = workdir();
    const agent = await spawnAgent(['start', '--web', '127.0.0.1:0', '--data-dir', conf]);
    expect(await agent.exited).toBe(1);
    expect(agent.records.at(-1)).toMatchObject({ code: 'DINC_DATA_DIR', msg: `[agent] data_dir ${conf}: not a directory` });
  });
});
