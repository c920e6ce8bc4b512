import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message, NodeId } from '../../../src/core/raft/types.js';
import { memoryLogger } from '../../support/memory-log.js';
import { RaftTransport } from '../../../src/runtime/raft/transport.js';
import { records, startMember, type Book, type Member, until } from './harness.js';

const heartbeat = (from: NodeId, to: NodeId, commit: number): Message => ({ from, to, term: 1, type: 'heartbeat', commit, ctx: null });
const commits = (ms: readonly Message[]): number[] => ms.map((m) => (m.type === 'heartbeat' ? m.commit : -1));

/** A port nothing listens on (bound, then closed). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.map((s) => s()));
  stops = [];
});
const track = (m: Member): Member => {
  stops.push(() => m.stop());
  return m;
};

describe('raft transport reconnection', () => {
  it('reconnects after the peer restarts and delivers what was queued meanwhile; warns once, then reports recovery', async () => {
    const book: Book = new Map();
    const a = track(await startMember('a', book, { backoff: { minMs: 20, maxMs: 160 } }));
    let b = await startMember('b', book);
    const port = b.listener.address.port;
    a.transport.send([heartbeat('a', 'b', 1)]);
    await until(() => expect(commits(b.received)).toEqual([1]));

    await b.stop();
    await until(() => expect(a.transport.stats().b?.connected).toBe(false));
    a.transport.send([heartbeat('a', 'b', 2)]);
    a.transport.send([heartbeat('a', 'b', 3)]);
    // Several retries fail while b is down: one warning for the whole episode.
    await until(() => expect(a.transport.stats().b?.reconnects).toBeGreaterThanOrEqual(4));
    expect(records(a, 'lost connection to raft peer')).toHaveLength(1);
    expect(records(a, 'lost connection to raft peer')[0]).toMatchObject({ level: 'warn', peer: 'b' });
    expect(a.transport.stats().b?.queued).toBe(2);

    b = track(await startMember('b', book, {}, port));
    await until(() => expect(commits(b.received)).toEqual([2, 3]));
    a.transport.send([heartbeat('a', 'b', 4)]);
    await until(() => expect(commits(b.received)).toEqual([2, 3, 4]));
    expect(a.transport.stats().b).toMatchObject({ connected: true, queued: 0 });
    expect(records(a, 'reconnected to raft peer')).toEqual([expect.objectContaining({ level: 'info', peer: 'b' })]);
    expect(records(a, 'lost connection to raft peer')).toHaveLength(1);
  });

  it('backs off exponentially with jitter, from minMs doubling up to maxMs', async () => {
    const { log, records: lines } = memoryLogger('debug');
    const port = await deadPort();
    const t = new RaftTransport({
      id: 'a',
      secret: null,
      resolve: () => ({ host: '127.0.0.1', port }),
      onMessages: () => undefined,
      log,
      backoff: { minMs: 10, maxMs: 80 },
    });
    stops.push(() => t.close());
    t.send([heartbeat('a', 'b', 1)]);
    await until(() => expect(t.stats().b?.reconnects).toBeGreaterThanOrEqual(6));
    const scheduled = lines.filter((r) => r.msg === 'raft peer reconnect scheduled') as unknown as { capMs: number; delayMs: number }[];
    expect(scheduled.slice(0, 6).map((r) => r.capMs)).toEqual([10, 20, 40, 80, 80, 80]);
    for (const r of scheduled) {
      expect(r.delayMs).toBeGreaterThanOrEqual(r.capMs / 2 - 1);
      expect(r.delayMs).toBeLessThanOrEqual(r.capMs);
    }
    expect(lines.filter((r) => r.level === 'warn')).toEqual([expect.objectContaining({ msg: 'cannot connect to raft peer', peer: 'b' })]);
  });

  it('bounds the queue of an unreachable peer, dropping the oldest and counting them', async () => {
    const { log } = memoryLogger('debug');
    const port = await deadPort();
    let delivered = 0;
    const book: Book = new Map([['b', { host: '127.0.0.1', port }]]);
    const t = new RaftTransport({
      id: 'a',
      secret: null,
      resolve: (id) => book.get(id),
      onMessages: (ms) => (delivered += ms.length),
      log,
      queue: { messages: 10, bytes: 1 << 20 },
      backoff: { minMs: 10, maxMs: 20 },
    });
    stops.push(() => t.close());
    for (let i = 1; i <= 100; i++) t.send([heartbeat('a', 'b', i)]);
    expect(t.stats().b).toMatchObject({ queued: 10, dropped: expect.objectContaining({ queueFull: 90 }) as unknown });

    // The peer comes up where the book says: the newest ten arrive.
    const b = track(await startMember('b', book));
    book.set('b', b.listener.address);
    await until(() => expect(commits(b.received)).toEqual(Array.from({ length: 10 }, (_, i) => 91 + i)));
    expect(delivered).toBe(0);
  });

  it('drops messages to a member without an address, and counts them', async () => {
    const { log, records: lines } = memoryLogger('debug');
    const t = new RaftTransport({ id: 'a', secret: null, resolve: () => undefined, onMessages: () => undefined, log });
    stops.push(() => t.close());
    t.send([heartbeat('a', 'x', 1), heartbeat('a', 'x', 2)]);
    await until(() => expect(t.stats().x?.dropped.unknownAddress).toBe(2));
    t.send([heartbeat('a', 'x', 3)]);
    await until(() => expect(t.stats().x?.dropped.unknownAddress).toBe(3));
    expect(lines.filter((r) => r.level === 'warn')).toHaveLength(1);
  });

  it('survives an address book that throws or names an impossible port', async () => {
    const { log, records: lines } = memoryLogger('debug');
    const t = new RaftTransport({
      id: 'a',
      secret: null,
      resolve: (id) => {
        if (id === 'thrower') throw new Error('book is broken');
        return { host: '127.0.0.1', port: 70_000 };
      },
      onMessages: () => undefined,
      log,
    });
    stops.push(() => t.close());
    t.send([heartbeat('a', 'thrower', 1), heartbeat('a', 'badport', 1)]);
    await until(() => expect(t.stats().thrower?.dropped.unknownAddress).toBe(1));
    await until(() => expect(t.stats().badport?.dropped.unknownAddress).toBe(1));
    expect(lines.filter((r) => r.level === 'error').map((r) => r.msg)).toEqual(['raft transport: resolve threw; treating the address as unknown']);
  });

  it('follows the address book: a peer that moves is reached at its new address', async () => {
    const book: Book = new Map();
    const a = track(await startMember('a', book));
    const b1 = track(await startMember('b', book));
    a.transport.send([heartbeat('a', 'b', 1)]);
    await until(() => expect(commits(b1.received)).toEqual([1]));
    const b2 = track(await startMember('b', book)); // now the book says b is here
    a.transport.send([heartbeat('a', 'b', 2)]);
    await until(() => expect(commits(b2.received)).toEqual([2]));
    expect(commits(b1.received)).toEqual([1]);
    expect(records(a, 'lost connection to raft peer')).toHaveLength(0);
  });

  it('close() closes every socket and timer, so the process could exit', async () => {
    const active = (): Record<string, number> => {
      const counts: Record<string, number> = {};
      for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
      return counts;
    };
    const before = active();
    const book: Book = new Map();
    const a = await startMember('a', book, { backoff: { minMs: 10, maxMs: 20 } });
    const b = await startMember('b', book);
    book.set('c', { host: '127.0.0.1', port: await deadPort() }); // a peer that keeps a back-off timer running
    a.transport.send([heartbeat('a', 'b', 1), heartbeat('a', 'c', 1)]);
    b.transport.send([heartbeat('b', 'a', 1)]);
    await until(() => expect(b.received).toHaveLength(1));
    await until(() => expect(a.transport.stats().c?.reconnects).toBeGreaterThan(0));
    await Promise.all([a.stop(), b.stop()]);
    a.transport.send([heartbeat('a', 'b', 2)]); // after close: ignored
    await until(() => {
      const now = active();
      for (const kind of ['TCPSocketWrap', 'TCPServerWrap', 'ConnectWrap']) expect(now[kind] ?? 0).toBe(before[kind] ?? 0);
      expect(now.Timeout ?? 0).toBeLessThanOrEqual(before.Timeout ?? 0);
      expect(now.Immediate ?? 0).toBeLessThanOrEqual(before.Immediate ?? 0);
    }, 5000);
  });
});

describe('a stalled connection', () => {
  it('is dropped and made anew when messages go out and nothing comes back for stallMs', async () => {
    const book: Book = new Map();
    const a = track(await startMember('a', book, { stallMs: 200, backoff: { minMs: 10, maxMs: 20 } }));
    const b = track(await startMember('b', book));
    a.transport.send([heartbeat('a', 'b', 1)]);
    await until(() => expect(commits(b.received)).toEqual([1]));
    // b receives but never answers: a keeps sending into what looks, from a's side, like a dead connection.
    let commit = 1;
    const sending = setInterval(() => a.transport.send([heartbeat('a', 'b', ++commit)]), 20);
    try {
      await until(() => expect(a.transport.stats().b?.reconnects).toBeGreaterThanOrEqual(1));
    } finally {
      clearInterval(sending);
    }
    expect(records(a, 'lost connection to raft peer')[0]).toMatchObject({ error: 'nothing received from the peer for 200 ms while sending' });
    a.transport.send([heartbeat('a', 'b', 1000)]);
    await until(() => expect(commits(b.received).at(-1)).toBe(1000));
  });

  it('is kept while the peer answers', async () => {
    const book: Book = new Map();
    const a = track(await startMember('a', book, { stallMs: 200 }));
    const b = track(await startMember('b', book));
    for (let i = 1; i <= 30; i++) {
      a.transport.send([heartbeat('a', 'b', i)]);
      b.transport.send([heartbeat('b', 'a', i)]);
      await new Promise((r) => setTimeout(r, 20));
    }
    await until(() => expect(commits(b.received)).toHaveLength(30));
    expect(a.transport.stats().b?.reconnects).toBe(0);
  });
});
