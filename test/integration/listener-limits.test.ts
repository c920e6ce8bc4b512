/**
 * Neither listener can be held: both apply the same header, request and
 * keep-alive timeouts (the Raft listener's HTTP server never listens itself,
 * which once left it without them), both cap their connections in all and
 * per remote address (Raft transport connections counted), and what they
 * refuse or lose is counted by listener and reason.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { readBody, sendJson, type Handler, type Routes } from '../../src/runtime/http.js';
import type { ListenerOptions } from '../../src/runtime/http-listener.js';
import { ListenerStats } from '../../src/runtime/listener-stats.js';
import { RAFT_MAGIC } from '../../src/runtime/raft/transport.js';
import { eventually } from '../support/eventually.js';
import { rawConnection, startListeners, type TestListener } from '../support/test-listeners.js';

const routes: Routes = new Map<string, Partial<Record<string, Handler>>>([
  ['/ok', { GET: (_req, res) => sendJson(res, 200, { ok: true }) }],
  [
    '/echo',
    {
      POST: async (req, res) => {
        const body = await readBody(req, 1 << 20);
        sendJson(res, 200, { bytes: body.length });
      },
    },
  ],
]);

let running: TestListener[] = [];
afterEach(async () => {
  await Promise.all(running.map((l) => l.stop()));
  running = [];
});

async function listeners(opts: ListenerOptions): Promise<TestListener[]> {
  running = await startListeners(routes, opts);
  return running;
}

const SHORT = { headersMs: 200, requestMs: 400, keepAliveMs: 200 };

describe.each(['web', 'raft'])('the %s listener', (name) => {
  const pick = (all: TestListener[]): TestListener => all.find((l) => l.name === name) as TestListener;

  it('closes a connection that sends half a request line and then nothing (header timeout)', async () => {
    const stats = new ListenerStats();
    const l = pick(await listeners({ timeouts: SHORT, stats }));
    const c = await rawConnection(l.port);
    c.socket.write('GET /ok HT');
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(stats.of(name).clientErrors['request-timeout']).toBe(1);
  });

  it('closes a connection that trickles its headers a byte at a time past the header timeout', async () => {
    const l = pick(await listeners({ timeouts: SHORT }));
    const c = await rawConnection(l.port);
    const line = 'GET /ok HTTP/1.1\r\nx-slow: ' + 'a'.repeat(1000);
    let i = 0;
    const drip = setInterval(() => {
      if (!c.socket.destroyed && i < line.length) c.socket.write(line[i++] as string);
    }, 20);
    await c.closed;
    clearInterval(drip);
    expect(i).toBeLessThan(line.length);
  });

  it('answers 408 and closes when a body is begun and never finished (request timeout)', async () => {
    const l = pick(await listeners({ timeouts: SHORT }));
    const c = await rawConnection(l.port);
    c.socket.write('POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\nhalf');
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes an idle keep-alive connection after its answer', async () => {
    const l = pick(await listeners({ timeouts: SHORT }));
    const c = await rawConnection(l.port);
    c.socket.write('GET /ok HTTP/1.1\r\nhost: x\r\n\r\n');
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('refuses connections beyond the per-address cap and counts them', async () => {
    const stats = new ListenerStats();
    const l = pick(await listeners({ stats, caps: { perListener: 100, perAddress: 3 } }));
    const held = await Promise.all([1, 2, 3].map(() => rawConnection(l.port)));
    const extra = await rawConnection(l.port);
    await extra.closed;
    expect(stats.of(name).refused['address-full']).toBe(1);
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    // Freed: a new connection is served again.
    await eventually(async () => expect((await fetch(`${l.base}/ok`)).status).toBe(200));
  });

  it('refuses connections beyond the per-listener cap and counts them', async () => {
    const stats = new ListenerStats();
    const l = pick(await listeners({ stats, caps: { perListener: 2, perAddress: 100 } }));
    const held = await Promise.all([1, 2].map(() => rawConnection(l.port)));
    const extra = await rawConnection(l.port);
    await extra.closed;
    expect(stats.of(name).refused['listener-full']).toBe(1);
    for (const c of held) c.socket.destroy();
  });

  it('counts a client that leaves mid-body as aborted, not as a handler failure', async () => {
    const stats = new ListenerStats();
    const l = pick(await listeners({ stats }));
    await new Promise<void>((resolve) => {
      const req = request(`${l.base}/echo`, { method: 'POST', headers: { 'content-length': '1000' } });
      req.on('error', () => resolve());
      req.write('x'.repeat(10), () => setTimeout(() => req.destroy(), 50));
    });
    await eventually(() => Promise.resolve().then(() => expect(stats.of(name).aborted).toBe(1)));
    expect(l.errors).toEqual([]);
  });
});

describe('the raft listener', () => {
  it('counts Raft transport connections against its caps', async () => {
    const stats = new ListenerStats();
    const l = (await listeners({ stats, caps: { perListener: 2, perAddress: 100 } })).find((x) => x.name === 'raft') as TestListener;
    const peers = await Promise.all([1, 2].map(() => rawConnection(l.port)));
    for (const p of peers) p.socket.write(Buffer.from(RAFT_MAGIC));
    await eventually(() => Promise.resolve().then(() => expect(l.raftSockets).toHaveLength(2)));
    const extra = await rawConnection(l.port);
    await extra.closed;
    expect(stats.of('raft').refused['listener-full']).toBe(1);
    for (const p of peers) p.socket.destroy();
  });
});
