import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { main } from '../../src/cli/main.js';
import { buildConfig } from '../../src/config/load.js';
import type { StatusSnapshot } from '../../src/ops/snapshot.js';
import { Agent } from '../../src/runtime/agent.js';
import { LEAVE_SCREEN } from '../../src/ui/terminal/screen.js';
import { eventually } from '../support/eventually.js';
import { fakeIO, type FakeIO } from '../support/fake-io.js';
import { FakeTerminal } from '../support/fake-terminal.js';
import { memoryLogger } from '../support/memory-log.js';
import { freePortBase } from '../support/ports.js';
import { readScreen } from '../support/virtual-screen.js';

let agent: Agent;
let gossipPort = 0;
let webPort = 0;
let addr = '';
const dir = mkdtempSync(join(tmpdir(), 'dinc-status-'));

/** An agent alone in its cluster (no multicast), serving its API on `webPort`. */
async function startAgent(): Promise<Agent> {
  const config = buildConfig({
    hostname: 'n1',
    file: {
      path: 'status.conf',
      text: `[cluster]\nname = statustest\nmulticast_group = off\n[agent]\nid = node007\nbind_address = 127.0.0.1\nport = ${gossipPort}\nweb = 127.0.0.1:${webPort}\ndata_dir = ${dir}\n`,
    },
  });
  const a = new Agent(config, { log: memoryLogger('warn').log, reloadConfig: () => Promise.resolve(config), monotonicMs: () => performance.now() });
  await a.start();
  return a;
}

beforeAll(async () => {
  const base = await freePortBase(2);
  [gossipPort, webPort] = [base + 1, base + 2];
  addr = `127.0.0.1:${webPort}`;
  agent = await startAgent();
});
afterAll(() => agent.stop());

/** Polls `check` until it passes (or fails for good after 20 s). */
const until = (check: () => void): Promise<void> => eventually(() => Promise.resolve().then(check));

const portOf = (address: ReturnType<Server['address']>): number => (typeof address === 'object' && address ? address.port : 0);

/** A server on 127.0.0.1 that answers every request with `status` and `body`. */
async function fakeAgent(status: number, body: unknown): Promise<{ addr: string; server: Server }> {
  const server = createServer((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { addr: `127.0.0.1:${portOf(server.address())}`, server };
}

/** Starts `status --watch` on a fake terminal; the screen is read from what it wrote. */
function watch(target: string, terminal = new FakeTerminal(120, 40)): { io: FakeIO; terminal: FakeTerminal; exit: Promise<number>; screen: () => string } {
  const io = fakeIO({ terminal, env: { NO_COLOR: '1' } });
  const exit = main(['status', '--watch', '--addr', target], io);
  return { io, terminal, exit, screen: () => readScreen(io.out()).rows.join('\n') };
}

/** The terminal is as it was: normal screen, cursor shown, keys out of raw mode, nothing still subscribed. */
function expectRestored(io: FakeIO, terminal: FakeTerminal): void {
  const screen = readScreen(io.out());
  expect(screen.alternate).toBe(false);
  expect(screen.cursorVisible).toBe(true);
  expect(io.out().endsWith(LEAVE_SCREEN)).toBe(true);
  expect(terminal.raw).toBe(false);
  expect(terminal.resizeWatchers).toBe(0);
  expect(io.signals.listenerCount()).toBe(0);
}

describe('dinc-agent status against a real agent', () => {
  it('prints the view once, 80 columns and plain when stdout is not a terminal', async () => {
    const io = fakeIO();
    expect(await main(['status', '--addr', addr], io)).toBe(0);
    const out = io.out();
    expect(out).toMatch(/^Cluster: statustest {2}1 member: 1 alive/);
    expect(out).toContain('Leader (membership, lowest ID): node007 (own quorum: no cluster size set)');
    expect(out).toMatch(/^\* node007 +alive /m);
    expect(out).not.toContain('\x1b');
    for (const line of out.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
  });

  it('on a terminal, uses its width and colours, unless NO_COLOR is set', async () => {
    const coloured = fakeIO({ terminal: new FakeTerminal(140, 40) });
    expect(await main(['status', '--addr', addr], coloured)).toBe(0);
    expect(coloured.out()).toContain('\x1b[32malive\x1b[39m');
    expect(stripVTControlCharacters(coloured.out())).toContain('VERSION');
    const plain = fakeIO({ terminal: new FakeTerminal(140, 40), env: { NO_COLOR: '1' } });
    expect(await main(['status', '--addr', addr], plain)).toBe(0);
    expect(plain.out()).not.toContain('\x1b');
  });

  it('--json prints the snapshot itself', async () => {
    const io = fakeIO();
    expect(await main(['status', '--addr', addr, '--json'], io)).toBe(0);
    const snapshot = JSON.parse(io.out()) as StatusSnapshot;
    expect(snapshot.version).toBe(1);
    expect(snapshot.members.map((m) => [m.id, m.state])).toEqual([['node007', 'alive']]);
  });

  it('an agent that is not there is a runtime failure naming the address', async () => {
    const dead = `127.0.0.1:${(await freePortBase(1)) + 1}`;
    const io = fakeIO();
    expect(await main(['status', '--addr', dead], io)).toBe(1);
    expect(io.err()).toMatch(new RegExp(`cannot reach the agent at http://${dead}: connection refused.*\\(DINC_AGENT_UNREACHABLE\\)`));
  });

  it('a snapshot of another version is refused, naming both versions', async () => {
    const other = await fakeAgent(200, { version: 2 });
    const io = fakeIO();
    expect(await main(['status', '--addr', other.addr], io)).toBe(1);
    expect(io.err()).toMatch(/sent status snapshot version 2; this dinc-agent reads version 1.*\(DINC_AGENT_ERROR\)/);
    other.server.close();
  });
});

describe('dinc-agent status --watch on a terminal', () => {
  it('draws the live view, redraws it whole on resize, and quits on q with the terminal restored', async () => {
    const w = watch(addr);
    await until(() => expect(w.screen()).toMatch(/^Live from 127\.0\.0\.1:\d+ {2}q or Ctrl-C quits\n\nCluster: statustest/));
    expect(w.screen()).toMatch(/^\* node007 +alive /m);
    expect(w.terminal.raw).toBe(true);
    const before = w.io.out().length;
    w.terminal.resize(60, 20);
    expect(w.io.out().slice(before)).toContain('Cluster: statustest');
    for (const row of readScreen(w.io.out()).rows) expect([...row].length).toBeLessThanOrEqual(60);
    w.terminal.type('q');
    expect(await w.exit).toBe(0);
    expectRestored(w.io, w.terminal);
  });

  it.each([
    ['Ctrl-C typed', (w: ReturnType<typeof watch>) => w.terminal.type('\u0003')],
    ['SIGINT', (w: ReturnType<typeof watch>) => w.io.signals.send('SIGINT')],
    ['SIGTERM', (w: ReturnType<typeof watch>) => w.io.signals.send('SIGTERM')],
    ['SIGHUP', (w: ReturnType<typeof watch>) => w.io.signals.send('SIGHUP')],
  ])('quits on %s with the terminal restored', async (_name, quit) => {
    const w = watch(addr);
    await until(() => expect(w.screen()).toContain('node007'));
    quit(w);
    expect(await w.exit).toBe(0);
    expectRestored(w.io, w.terminal);
  });

  it('keeps running while the agent restarts: says the connection is lost, then shows the new agent', async () => {
    const w = watch(addr);
    await until(() => expect(w.screen()).toContain('Live from'));
    await agent.stop();
    await until(() => expect(w.screen()).toMatch(/^Connection lost, reconnecting…/));
    expect(w.screen()).toContain('node007');
    agent = await startAgent();
    await until(() => expect(w.screen()).toMatch(/^Live from/));
    expect(w.screen()).toMatch(/^\* node007 +alive /m);
    w.terminal.type('q');
    expect(await w.exit).toBe(0);
    expectRestored(w.io, w.terminal);
  });

  it('waits for an agent that is not up yet, and can be quit meanwhile', async () => {
    const w = watch(`127.0.0.1:${(await freePortBase(1)) + 1}`);
    await until(() => expect(w.screen()).toMatch(/^No connection to 127\.0\.0\.1:\d+, retrying… {2}\(connect ECONNREFUSED/));
    w.terminal.type('q');
    expect(await w.exit).toBe(0);
    expectRestored(w.io, w.terminal);
  });

  it('takes a stream that falls silent for lost, and says so', async () => {
    const snapshot = JSON.parse(readFileSync(new URL('../fixtures/status-snapshot.json', import.meta.url), 'utf8')) as StatusSnapshot;
    const silent = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    silent.on('connection', (ws) => ws.send(JSON.stringify({ type: 'snapshot', snapshot })));
    await new Promise((resolve) => silent.once('listening', resolve));
    const w = watch(`127.0.0.1:${portOf(silent.address())}`);
    await until(() => expect(w.screen()).toMatch(/^Live from .*\n\nCluster: proxy/));
    await until(() => expect(w.screen()).toMatch(/^Connection lost, reconnecting… {2}\(no word from the agent for 5 s/));
    w.terminal.type('q');
    expect(await w.exit).toBe(0);
    expectRestored(w.io, w.terminal);
    silent.close();
  });

  it('ends with a runtime failure, terminal restored first, when the address answers with something else than the stream', async () => {
    const other = await fakeAgent(404, { error: { code: 'DINC_NOT_FOUND', message: 'no such path' } });
    const w = watch(other.addr);
    expect(await w.exit).toBe(1);
    expectRestored(w.io, w.terminal);
    expect(w.io.err()).toMatch(/ws:\/\/127\.0\.0\.1:\d+\/v1\/stream answered 404, not a status stream.*\(DINC_AGENT_ERROR\)/);
    other.server.close();
  });
});
