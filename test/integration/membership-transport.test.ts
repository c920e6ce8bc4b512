/**
 * The membership sockets on this host's loopback: UDP datagrams, TCP
 * push-pull (and clients that misbehave), multicast discovery. Traffic goes
 * only to 127.0.0.1, ::1 and multicast groups joined on lo. Timeouts here are
 * safety nets or the deadline under test, never what an assertion measures.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { HostPort } from '../../src/config/values.js';
import { ListenFailedError } from '../../src/errors.js';
import { MulticastDiscovery, type MulticastOptions } from '../../src/runtime/membership/multicast.js';
import { ExchangeError, StreamServer, exchange, type StreamServerOptions } from '../../src/runtime/membership/tcp-stream.js';
import { UdpTransport } from '../../src/runtime/membership/udp-transport.js';
import { memoryLogger } from '../support/memory-log.js';

const { log, records } = memoryLogger();
const running: { stop(): Promise<void> }[] = [];
const clients: Socket[] = [];
const gates: (() => void)[] = [];

afterEach(async () => {
  for (const open of gates.splice(0)) open();
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(running.splice(0).map((p) => p.stop()));
  records.length = 0;
});

/** Starts `part` and stops it after the test. */
async function started<T extends { start(): Promise<void>; stop(): Promise<void> }>(part: T): Promise<T> {
  running.push(part);
  await part.start();
  return part;
}

type Packet = { bytes: Uint8Array; from: HostPort };

/** Collects packets; `next()` resolves with the next one not yet taken. */
function inbox(): { push: (bytes: Uint8Array, from: HostPort) => void; next: () => Promise<Packet> } {
  const queue: Packet[] = [];
  const waiting: ((p: Packet) => void)[] = [];
  return {
    push: (bytes, from) => {
      const w = waiting.shift();
      if (w) w({ bytes, from });
      else queue.push({ bytes, from });
    },
    next: () => {
      const p = queue.shift();
      if (p) return Promise.resolve(p);
      return new Promise((resolve, reject) => {
        const safety = setTimeout(() => reject(new Error('no packet within 5 s')), 5000);
        waiting.push((q) => (clearTimeout(safety), resolve(q)));
      });
    },
  };
}

/** Waits until `cond` holds, checking every 5 ms, at most 1000 times. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`never happened: ${what}`);
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('UDP transport', () => {
  async function udp(host = '127.0.0.1'): Promise<{ t: UdpTransport; box: ReturnType<typeof inbox>; addr: HostPort }> {
    const t = new UdpTransport({ host, port: 0, log });
    const box = inbox();
    t.onPacket(box.push);
    await started(t);
    const addr = t.boundAddress;
    if (!addr) throw new Error('not bound');
    return { t, box, addr };
  }

  it('a datagram arrives whole, with the address and port it was sent from', async () => {
    const a = await udp();
    const b = await udp();
    a.t.send({ host: '127.0.0.1', port: b.addr.port }, text('ping'));
    const got = await b.box.next();
    expect(str(got.bytes)).toBe('ping');
    expect(got.from).toEqual({ host: '127.0.0.1', port: a.addr.port });
    expect(a.t.counters.sent).toBe(1);
    expect(b.t.counters.received).toBe(1);
  });

  it('a dual-stack transport on :: hears IPv4 peers as plain IPv4 and reaches them by it', async () => {
    const dual = await udp('::');
    const v4 = await udp();
    v4.t.send({ host: '127.0.0.1', port: dual.addr.port }, text('hello'));
    const got = await dual.box.next();
    expect(got.from).toEqual({ host: '127.0.0.1', port: v4.addr.port });
    dual.t.send(got.from, text('back'));
    expect(str((await v4.box.next()).bytes)).toBe('back');
  });

  it('an IPv6 transport on ::1 works like an IPv4 one', async () => {
    const a = await udp('::1');
    const b = await udp('::1');
    a.t.send({ host: '::1', port: b.addr.port }, text('v6'));
    expect(await b.box.next()).toEqual({ bytes: expect.anything() as unknown, from: { host: '::1', port: a.addr.port } });
  });

  it('a datagram over 1500 bytes is dropped and counted; the next one still arrives', async () => {
    const a = await udp();
    const b = await udp();
    a.t.send(b.addr, new Uint8Array(1501));
    a.t.send(b.addr, new Uint8Array(1500));
    expect((await b.box.next()).bytes.length).toBe(1500);
    expect(b.t.counters).toMatchObject({ received: 1, droppedOversize: 1 });
  });

  it('send never throws: before start, to port 0 and to another family, each failure is counted', async () => {
    const idle = new UdpTransport({ host: '127.0.0.1', port: 0, log });
    expect(() => idle.send({ host: '127.0.0.1', port: 9 }, text('x'))).not.toThrow();
    expect(idle.counters.sendFailed).toBe(1);
    const a = await udp();
    expect(() => a.t.send({ host: '127.0.0.1', port: 0 }, text('x'))).not.toThrow();
    expect(() => a.t.send({ host: '::1', port: 9 }, text('x'))).not.toThrow();
    await until(() => a.t.counters.sendFailed === 2, 'both failures counted');
    expect(records.filter((r) => r.msg === 'membership udp send failed')).toHaveLength(3);
  });

  it('a packet handler that throws is logged at error, and the next packet is still delivered', async () => {
    const a = await udp();
    const b = await udp();
    const box = inbox();
    let first = true;
    b.t.onPacket((bytes, from) => {
      if (first) throw ((first = false), new Error('core bug'));
      box.push(bytes, from);
    });
    a.t.send(b.addr, text('one'));
    a.t.send(b.addr, text('two'));
    expect(str((await box.next()).bytes)).toBe('two');
    expect(b.t.counters.handlerFailed).toBe(1);
    expect(records).toContainEqual(expect.objectContaining({ level: 'error', msg: 'membership packet handler failed' }));
  });

  it('a second transport on the same address fails with DINC_LISTEN_FAILED', async () => {
    const a = await udp();
    const twin = new UdpTransport({ host: '127.0.0.1', port: a.addr.port, log });
    const failure = twin.start();
    await expect(failure).rejects.toThrow(ListenFailedError);
    await expect(failure).rejects.toThrow(`cannot listen on 127.0.0.1:${a.addr.port} for membership (udp): address already in use`);
  });
});

describe('TCP push-pull', () => {
  async function server(opts: Partial<StreamServerOptions> = {}): Promise<{ s: StreamServer; addr: HostPort }> {
    const s = await started(new StreamServer({ host: '127.0.0.1', port: 0, log, handle: (p) => Uint8Array.from(p).reverse(), ...opts }));
    const addr = s.boundAddress;
    if (!addr) throw new Error('not bound');
    return { s, addr };
  }

  /** A raw client; resolves `closed` when the server closes it. */
  function rawClient(addr: HostPort): { socket: Socket; closed: Promise<Buffer> } {
    const socket = connect(addr.port, addr.host);
    clients.push(socket);
    const received: Buffer[] = [];
    socket.on('data', (d: Buffer) => received.push(d));
    socket.on('error', () => undefined);
    const closed = new Promise<Buffer>((resolve) => socket.on('close', () => resolve(Buffer.concat(received))));
    return { socket, closed };
  }

  const frame = (payload: Uint8Array): Buffer => {
    const h = Buffer.alloc(4);
    h.writeUInt32BE(payload.length);
    return Buffer.concat([h, payload]);
  };

  it('exchange sends one frame and returns the reply frame; the handler sees the client address; the connection then ends', async () => {
    const seen: HostPort[] = [];
    const { s, addr } = await server({ handle: (p, from) => (seen.push(from), Promise.resolve(Uint8Array.from(p).reverse())) });
    expect(str(await exchange(addr, text('abc')))).toBe('cba');
    expect(seen[0]?.host).toBe('127.0.0.1');
    await until(() => s.openConnections === 0, 'the connection closed');
    expect(s.counters).toEqual({ accepted: 1, rejected: 0, handled: 1, oversize: 0, timedOut: 0, incomplete: 0, handlerFailed: 0 });
  });

  it('a payload of several MiB crosses whole in both directions', async () => {
    const { addr } = await server({ handle: (p) => p });
    const big = randomBytes(3 * 1024 * 1024);
    const back = await exchange(addr, big);
    expect(back.length).toBe(big.length);
    expect(Buffer.compare(back, big)).toBe(0); // toEqual walks 3 M elements one by one: far too slow
  });

  it('an empty payload is a valid frame', async () => {
    const { addr } = await server({ handle: () => text('ok') });
    expect(str(await exchange(addr, new Uint8Array(0)))).toBe('ok');
  });

  it('a handler with no reply closes the connection, which exchange reports as closed', async () => {
    const { addr } = await server({ handle: () => null });
    await expect(exchange(addr, text('x'))).rejects.toMatchObject({ reason: 'closed' });
  });

  it('a client that sends nothing is closed at the deadline', async () => {
    const { s, addr } = await server({ timeoutMs: 100 });
    const c = rawClient(addr);
    expect((await c.closed).length).toBe(0);
    expect(s.counters).toMatchObject({ timedOut: 1, handled: 0 });
  });

  it('half a length header and a close count as incomplete, and the server goes on serving', async () => {
    const { s, addr } = await server();
    const c = rawClient(addr);
    c.socket.end(Buffer.from([0, 0]));
    await c.closed;
    await until(() => s.counters.incomplete === 1, 'incomplete counted');
    expect(str(await exchange(addr, text('ab')))).toBe('ba');
  });

  it('a length above maxBytes closes the connection at once, before any payload', async () => {
    const { s, addr } = await server({ maxBytes: 1024 });
    const c = rawClient(addr);
    c.socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    expect((await c.closed).length).toBe(0);
    expect(s.counters).toMatchObject({ oversize: 1, handled: 0 });
    expect(s.openConnections).toBe(0);
  });

  it('a slowloris is closed by the deadline however steadily it trickles', async () => {
    const { s, addr } = await server({ timeoutMs: 200 });
    const c = rawClient(addr);
    let closed = false;
    void c.closed.then(() => (closed = true));
    c.socket.write(Buffer.from([0, 0, 0x03, 0xe8])); // 1000 bytes announced
    for (let i = 0; i < 1000 && !closed; i++) {
      c.socket.write(Buffer.from([i & 0xff]));
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(closed).toBe(true);
    expect(s.counters).toMatchObject({ timedOut: 1, handled: 0 });
  });

  it('connections beyond maxConnections are closed at once; the server serves again once they go', async () => {
    const { s, addr } = await server({ maxConnections: 2 });
    const idle = [rawClient(addr), rawClient(addr)];
    await until(() => s.openConnections === 2, 'two connections open');
    const extra = rawClient(addr);
    await extra.closed;
    expect(s.counters.rejected).toBe(1);
    for (const c of idle) c.socket.destroy();
    await until(() => s.openConnections === 0, 'idle connections gone');
    expect(str(await exchange(addr, text('xy')))).toBe('yx');
  });

  it('a handler that throws closes that connection and is logged; the next exchange works', async () => {
    let calls = 0;
    const { s, addr } = await server({ handle: (p) => (calls++ === 0 ? Promise.reject(new Error('core bug')) : p) });
    await expect(exchange(addr, text('a'))).rejects.toMatchObject({ reason: 'closed' });
    expect(str(await exchange(addr, text('b')))).toBe('b');
    expect(s.counters.handlerFailed).toBe(1);
    expect(records).toContainEqual(expect.objectContaining({ level: 'error', msg: 'push-pull handler failed' }));
  });

  it('bytes a client sends after its frame are ignored', async () => {
    const { addr } = await server();
    const c = rawClient(addr);
    c.socket.write(Buffer.concat([frame(text('hey')), Buffer.from('trailing junk')]));
    expect((await c.closed).toString()).toBe('\0\0\0\x03yeh');
  });

  it('exchange refuses a reply whose length exceeds its maxBytes', async () => {
    const { addr } = await server({ handle: () => new Uint8Array(100) });
    const failure = exchange(addr, text('hi'), { maxBytes: 10 });
    await expect(failure).rejects.toBeInstanceOf(ExchangeError);
    await expect(failure).rejects.toMatchObject({ reason: 'oversize' });
  });

  it('exchange refuses a payload over its maxBytes without connecting', async () => {
    const { s, addr } = await server();
    await expect(exchange(addr, new Uint8Array(11), { maxBytes: 10 })).rejects.toMatchObject({ reason: 'oversize' });
    expect(s.counters.accepted).toBe(0);
  });

  it('exchange to a port nobody listens on rejects as connect', async () => {
    const { s, addr } = await server();
    await s.stop();
    await expect(exchange(addr, text('x'))).rejects.toMatchObject({ reason: 'connect' });
  });

  it('exchange with a server that never answers rejects as timeout', async () => {
    const { addr } = await server({ handle: () => new Promise<null>((resolve) => gates.push(() => resolve(null))) });
    await expect(exchange(addr, text('x'), { timeoutMs: 100 })).rejects.toMatchObject({ reason: 'timeout' });
  });

  it('exchange can connect from a given local address', async () => {
    const seen: HostPort[] = [];
    const { addr } = await server({ host: '::1', handle: (p, from) => (seen.push(from), p) });
    expect(str(await exchange(addr, text('v6'), { localAddress: '::1' }))).toBe('v6');
    expect(seen[0]?.host).toBe('::1');
  });

  it('a second server on the same address fails with DINC_LISTEN_FAILED', async () => {
    const { addr } = await server();
    const twin = new StreamServer({ host: '127.0.0.1', port: addr.port, log, handle: () => null });
    await expect(twin.start()).rejects.toThrow(`cannot listen on 127.0.0.1:${addr.port} for membership (tcp): address already in use`);
  });
});

describe('multicast discovery', () => {
  const randomGroup = (): string => `239.255.${randomInt(1, 255)}.${randomInt(1, 255)}`;

  /** Starts a discovery on a random group and port (retrying a port that happens to be taken) with loopback as the interface. */
  async function firstInGroup(opts: Partial<MulticastOptions> = {}): Promise<{ d: MulticastDiscovery; box: ReturnType<typeof inbox>; group: string; port: number }> {
    for (let attempt = 0; ; attempt++) {
      const group = opts.group ?? randomGroup();
      const port = randomInt(40_000, 60_000);
      try {
        return { ...(await joinGroup({ group, port, ...opts })), group, port };
      } catch (e) {
        if (!(e instanceof ListenFailedError) || attempt >= 5) throw e;
      }
    }
  }

  async function joinGroup(opts: Partial<MulticastOptions> & { group: string; port: number }): Promise<{ d: MulticastDiscovery; box: ReturnType<typeof inbox> }> {
    const box = inbox();
    const d = new MulticastDiscovery({ interfaceAddress: '127.0.0.1', log, onPacket: box.push, ...opts });
    running.push(d);
    await d.start();
    return { d, box };
  }

  it('two agents on one host in the same group hear each other, and each hears itself (receivers must skip their own by sender ID)', async () => {
    const a = await firstInGroup();
    const b = await joinGroup({ group: a.group, port: a.port });
    a.d.announce(text('I am node1'));
    b.d.announce(text('I am node2'));
    for (const { box } of [a, b]) {
      const heard = [await box.next(), await box.next()];
      expect(heard.map((p) => str(p.bytes)).sort()).toEqual(['I am node1', 'I am node2']);
      // Both come from the same address and port, so only the payload tells them apart.
      expect(heard.map((p) => p.from)).toEqual([
        { host: '127.0.0.1', port: a.port },
        { host: '127.0.0.1', port: a.port },
      ]);
    }
    expect(a.d.interfaceDescription).toBe(`group ${a.group}:${a.port} on 127.0.0.1, ttl 1, loopback on`);
  });

  it('an announcement that cannot be sent is counted and warned about once, never thrown', async () => {
    const idle = new MulticastDiscovery({ group: randomGroup(), port: 40_000, interfaceAddress: '127.0.0.1', log, onPacket: () => undefined });
    expect(() => idle.announce(text('x'))).not.toThrow();
    expect(idle.counters.sendFailed).toBe(1);
    const a = await firstInGroup();
    const tooLong = new Uint8Array(70_000);
    expect(() => a.d.announce(tooLong)).not.toThrow();
    expect(() => a.d.announce(tooLong)).not.toThrow();
    await until(() => a.d.counters.sendFailed === 2, 'both failures counted');
    const warnings = records.filter((r) => r.level === 'warn' && r.msg.startsWith(`discovery announcements cannot be sent to ${a.group}:${a.port}`));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toContain('message too long');
  });

  it('an IPv6 group is joined on a udp6 socket; an announce over lo is either heard or counted as unroutable', async () => {
    const group = `ff15::${randomInt(1, 0xffff).toString(16)}`;
    const a = await firstInGroup({ group, interfaceAddress: '::%lo' });
    const b = await joinGroup({ group, port: a.port, interfaceAddress: '::%lo' });
    a.d.announce(text('v6 hello'));
    await until(() => a.d.counters.sent + a.d.counters.sendFailed === 1, 'the announce settled');
    if (a.d.counters.sendFailed === 1) {
      // Stock Linux: lo is not multicast-capable, so IPv6 multicast has no route over it (ENETUNREACH).
      expect(records.filter((r) => r.level === 'warn' && r.msg.includes('network unreachable'))).toHaveLength(1);
    } else {
      expect(str((await b.box.next()).bytes)).toBe('v6 hello');
    }
  });

  it('joining on an address this host does not have fails with DINC_LISTEN_FAILED', async () => {
    const failure = firstInGroup({ interfaceAddress: '203.0.113.77' });
    await expect(failure).rejects.toThrow(ListenFailedError);
    await expect(failure).rejects.toThrow(/^cannot join multicast group 239\.255\.\d+\.\d+ on 203\.0\.113\.77 for discovery: /);
  });

  it('a gossip socket holding the discovery port on 0.0.0.0 makes discovery fail, saying why', async () => {
    const gossip = await started(new UdpTransport({ host: '0.0.0.0', port: 0, log }));
    const port = gossip.boundAddress?.port ?? 0;
    const d = new MulticastDiscovery({ group: randomGroup(), port, interfaceAddress: '127.0.0.1', log, onPacket: () => undefined });
    await expect(d.start()).rejects.toThrow(/address already in use \(a socket without SO_REUSEADDR holds the port: is discovery_port the gossip port/);
  });
});
