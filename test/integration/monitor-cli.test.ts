import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { buildConfig } from '../../src/config/load.js';
import { Agent } from '../../src/runtime/agent.js';
import { BIN, killAgents, spawnAgent } from '../support/agent-process.js';
import { eventually } from '../support/eventually.js';
import { fakeIO, type FakeIO } from '../support/fake-io.js';
import { memoryLogger } from '../support/memory-log.js';
import { freePortBase } from '../support/ports.js';

afterEach(killAgents);

const running: Agent[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});

async function inProcessAgent(token = ''): Promise<{ web: string; log: ReturnType<typeof memoryLogger>['log']; agent: Agent }> {
  const port = (await freePortBase(1)) + 1;
  const dir = mkdtempSync(join(tmpdir(), 'dinc-monitor-cli-'));
  const config = buildConfig({
    hostname: 'n1',
    file: { path: 'm.conf', text: `[cluster]\nmulticast_group = off\n[agent]\nid = node001\nbind_address = 127.0.0.1\nport = ${port}\nweb = 127.0.0.1:0\ndata_dir = ${dir}\napi_token = ${token}\n` },
  });
  const { log } = memoryLogger('warn');
  const agent = new Agent(config, { log, reloadConfig: () => Promise.resolve(config), monotonicMs: () => performance.now() });
  await agent.start();
  running.push(agent);
  return { web: `127.0.0.1:${agent.webAddress?.port}`, log, agent };
}

/** Retries a synchronous check until it passes (see `eventually`). */
const until = (check: () => void): Promise<void> => eventually(() => Promise.resolve().then(check));

/** Runs `dinc-agent monitor ARGS` in this process; resolves once it follows the stream. */
async function follow(args: string[], env: Record<string, string> = {}): Promise<{ io: FakeIO; code: Promise<number> }> {
  const io = fakeIO({ env });
  const code = main(['monitor', ...args], io);
  await Promise.race([until(() => expect(io.err()).toContain('Following the log')), code.then(() => expect.fail(`monitor ended early: ${io.err()}`))]);
  return { io, code };
}

describe('dinc-agent monitor, in process', () => {
  it('prints text lines as the agent would, at the asked level, and exits 0 on SIGINT', async () => {
    const { web, log } = await inProcessAgent();
    const { io, code } = await follow(['--addr', web, '--level', 'debug']);
    log.child({ part: 'test' }).debug('a detail', { note: 'two words' });
    await until(() => expect(io.out()).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z DEBUG a detail {2}part=test note="two words"\n/m));
    io.signals.send('SIGINT');
    expect(await code).toBe(0);
    expect(io.signals.listenerCount()).toBe(0);
  });

  it('--json prints the records as the agent sends them; the token comes from DINC_API_TOKEN', async () => {
    const { web, log } = await inProcessAgent('a-token-of-24-characters');
    const { io, code } = await follow(['--addr', web, '--json'], { DINC_API_TOKEN: 'a-token-of-24-characters' });
    log.info('shown as JSON', { n: 3 });
    await until(() => expect(JSON.parse(io.out().split('\n')[0] as string)).toMatchObject({ level: 'info', msg: 'shown as JSON', n: 3 }));
    io.signals.send('SIGTERM');
    expect(await code).toBe(0);
  });

  it('without the token the agent asks for, it fails with the agent\'s error', async () => {
    const { web } = await inProcessAgent('a-token-of-24-characters');
    const io = fakeIO();
    expect(await main(['monitor', '--addr', web], io)).toBe(1);
    expect(io.err()).toMatch(/^dinc-agent: [^\n{}]+ \(DINC_UNAUTHORIZED\)\n$/);
  });

  it('says so and exits 1 when the agent ends the stream', async () => {
    const { web, agent } = await inProcessAgent();
    const { io, code } = await follow(['--addr', web]);
    await agent.stop();
    running.length = 0;
    expect(await code).toBe(1);
    expect(io.err()).toContain(`dinc-agent: the agent at http://${web} closed the log stream: it is stopping, or it dropped this monitor for reading too slowly (DINC_STREAM_ENDED)\n`);
  });

  it('a refused connection is DINC_AGENT_UNREACHABLE', async () => {
    const port = (await freePortBase(1)) + 1;
    const io = fakeIO();
    expect(await main(['monitor', '--addr', `127.0.0.1:${port}`], io)).toBe(1);
    expect(io.err()).toBe(`dinc-agent: cannot reach the agent at http://127.0.0.1:${port}: connection refused; is the agent running? (DINC_AGENT_UNREACHABLE)\n`);
  });

  it('--level takes only the four levels', async () => {
    const io = fakeIO();
    expect(await main(['monitor', '--level', 'verbose'], io)).toBe(2);
    expect(io.err()).toContain("option '--level <level>' argument 'verbose' is invalid. Allowed choices are debug, info, warn, error.");
  });
});

describe('dinc-agent monitor, as a process', () => {
  it('prints "New node discovered" when a second agent joins, and exits 0 on SIGINT', async () => {
    const base = await freePortBase(12);
    const dir = mkdtempSync(join(tmpdir(), 'dinc-monitor-proc-'));
    const conf = (i: number): string => {
      const path = join(dir, `node00${i}.conf`);
      writeFileSync(
        path,
        `[agent]\nid = node00${i}\nbind_address = 127.0.0.1\nport = ${base + i}\nweb = 127.0.0.1:${base + 10 + i}\ndata_dir = ${join(dir, `node00${i}`)}\n[gossip]\nprofile = local\n[cluster]\nname = mon\nmulticast_group = off\n[nodes]\nnode001 = "127.0.0.1:${base + 1}"\n`,
      );
      return path;
    };
    const first = await spawnAgent(['start', '--config', conf(1), '--port', String(base + 1)]);
    await first.waitFor((r) => r.msg.endsWith(' running'));

    const monitor = spawn(process.execPath, [BIN, 'monitor', '--addr', `127.0.0.1:${base + 11}`], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = once(monitor, 'exit') as Promise<[number | null, string | null]>;
    let out = '';
    let err = '';
    monitor.stdout.on('data', (d: Buffer) => (out += d.toString()));
    monitor.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      await until(() => expect(err).toContain('Following the log'));
      const second = await spawnAgent(['start', '--config', conf(2), '--port', String(base + 2)]);
      await second.waitFor((r) => r.msg.endsWith(' running'));
      await until(() => expect(out).toMatch(/ INFO {2}New node discovered: node002 {2}.*part=membership/));
      monitor.kill('SIGINT');
      expect(await exited).toEqual([0, null]);
    } finally {
      monitor.kill('SIGKILL');
    }
  });
});
