import { afterEach, describe, expect, it } from 'vitest';
import type { Message, NodeId } from '../../../src/core/raft/types.js';
import { FrameProxy, rawExchange, records, startMember, type Book, type FrameRewrite, type Member, until } from './harness.js';

const SECRET = Buffer.from('correct horse battery staple');
const OTHER = Buffer.from('correct horse battery stapler');
const heartbeat = (from: NodeId, to: NodeId, commit: number): Message => ({ from, to, term: 1, type: 'heartbeat', commit, ctx: null });
const commits = (ms: readonly Message[]): number[] => ms.map((m) => (m.type === 'heartbeat' ? m.commit : -1));

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.map((s) => s()));
  stops = [];
});

async function pair(secretA: Uint8Array | null, secretB: Uint8Array | null): Promise<[Member, Member, Book]> {
  const book: Book = new Map();
  const a = await startMember('a', book, { secret: secretA, backoff: { minMs: 10, maxMs: 40 } });
  const b = await startMember('b', book, { secret: secretB });
  stops.push(() => a.stop(), () => b.stop());
  return [a, b, book];
}

/** a → proxy → b, the proxy rewriting a's frames. */
async function proxied(secret: Uint8Array | null, rewrite: FrameRewrite): Promise<[Member, Member, FrameProxy]> {
  const [a, b, book] = await pair(secret, secret);
  const proxy = await FrameProxy.start(b.listener.address, secret !== null, rewrite);
  stops.push(() => proxy.close());
  book.set('b', proxy.address);
  return [a, b, proxy];
}

describe('raft transport authentication', () => {
  it('members with the same secret exchange messages', async () => {
    const [a, b] = await pair(SECRET, SECRET);
    a.transport.send([heartbeat('a', 'b', 1), heartbeat('a', 'b', 2)]);
    b.transport.send([heartbeat('b', 'a', 3)]);
    await until(() => expect(commits(b.received)).toEqual([1, 2]));
    await until(() => expect(commits(a.received)).toEqual([3]));
    expect(b.transport.stats().a?.bytesReceived).toBe(a.transport.stats().b?.bytesSent);
    expect(Object.values(b.transport.refusals()).every((n) => n === 0)).toBe(true);
  });

  it('a peer with another secret is refused and receives nothing; the client drops its queue and warns once', async () => {
    const [a, b] = await pair(SECRET, OTHER);
    a.transport.send([heartbeat('a', 'b', 1)]);
    await until(() => expect(a.transport.stats().b?.dropped.authFailed).toBe(1));
    a.transport.send([heartbeat('a', 'b', 2)]);
    await until(() => expect(a.transport.stats().b?.dropped.authFailed).toBe(2));
    expect(b.received).toEqual([]);
    expect(a.transport.stats().b?.messagesSent).toBe(0);
    // The server sees the client walk away in the middle of the handshake.
    await until(() => expect(b.transport.refusals()['handshake-incomplete']).toBe(2));
    const complaints = records(a, 'raft peer failed authentication');
    expect(complaints.map((r) => r.level)).toEqual(['warn', 'debug']);
    expect(complaints[0]).toMatchObject({ peer: 'b', reason: 'the peer does not know the secret' });
  });

  it.each([
    ['the client has no secret, the server has one', null, SECRET],
    ['the client has a secret, the server none', SECRET, null],
  ])('a connection is refused when %s', async (_, secretA, secretB) => {
    const [a, b] = await pair(secretA, secretB);
    a.transport.send([heartbeat('a', 'b', 1)]);
    await until(() => expect(b.transport.refusals()['auth-mismatch']).toBeGreaterThanOrEqual(1));
    await until(() => expect(a.transport.stats().b?.dropped.authFailed).toBe(1));
    expect(b.received).toEqual([]);
  });

  it('a tampered frame is refused and its connection dropped; the client reconnects and later messages arrive', async () => {
    const [a, b] = await proxied(SECRET, (frame, index, connection) => {
      if (connection === 0 && index === 0) frame[frame.length - 20] = (frame[frame.length - 20] as number) ^ 1; // a payload byte
      return [frame];
    });
    a.transport.send([heartbeat('a', 'b', 1)]);
    await until(() => expect(b.transport.refusals()['bad-mac']).toBe(1));
    expect(b.transport.stats().a?.refusedConnections).toBe(1);
    await until(() => expect(a.transport.stats().b?.connected).toBe(false));
    a.transport.send([heartbeat('a', 'b', 2)]);
    await until(() => expect(commits(b.received)).toEqual([2]));
    expect(records(b, 'refused a raft connection')).toEqual([expect.objectContaining({ level: 'warn', reason: 'bad-mac', peer: 'a' })]);
  });

  it('a tampered MAC byte is refused as well', async () => {
    const [a, b] = await proxied(SECRET, (frame, index, connection) => {
      if (connection === 0 && index === 0) frame[frame.length - 1] = (frame[frame.length - 1] as number) ^ 0x80;
      return [frame];
    });
    a.transport.send([heartbeat('a', 'b', 1)]);
    await until(() => expect(b.transport.refusals()['bad-mac']).toBe(1));
    expect(b.received).toEqual([]);
  });

  it('without a secret, a tampered frame fails its CRC and is refused, with the reason logged', async () => {
    const [a, b] = await proxied(null, (frame, index, connection) => {
      if (connection === 0 && index === 0) frame[frame.length - 8] = (frame[frame.length - 8] as number) ^ 1;
      return [frame];
    });
    a.transport.send([heartbeat('a', 'b', 1)]);
    await until(() => expect(b.transport.refusals()['bad-frame']).toBe(1));
    expect(b.received).toEqual([]);
    expect(records(b, 'refused a raft connection')[0]?.detail).toMatch(/CRC/);
  });

  it('a replayed frame is refused: the original is delivered once', async () => {
    const [a, b] = await proxied(SECRET, (frame, index) => (index === 0 ? [frame, frame] : [frame]));
    a.transport.send([heartbeat('a', 'b', 1)]);
    await until(() => expect(b.transport.refusals()['bad-mac']).toBe(1));
    expect(commits(b.received)).toEqual([1]);
  });

  it('reordered frames are refused', async () => {
    let held: Buffer | undefined;
    const [a, b] = await proxied(SECRET, (frame, index, connection) => {
      if (connection > 0) return [frame];
      if (index === 0) {
        held = frame;
        return [];
      }
      return index === 1 && held ? [frame, held] : [frame];
    });
    a.transport.send([heartbeat('a', 'b', 1)]);
    await until(() => expect(a.transport.stats().b?.framesSent).toBe(1));
    a.transport.send([heartbeat('a', 'b', 2)]);
    await until(() => expect(b.transport.refusals()['bad-mac']).toBe(1));
    expect(b.received).toEqual([]);
  });

  it('a recorded connection replayed byte for byte fails authentication (the server nonce differs)', async () => {
    const [a, b, proxy] = await proxied(SECRET, (frame) => [frame]);
    a.transport.send([heartbeat('a', 'b', 1)]);
    await until(() => expect(commits(b.received)).toEqual([1]));
    const recording = Buffer.concat(proxy.recorded[0] ?? []);
    await rawExchange(b.listener.address, recording);
    await until(() => expect(b.transport.refusals()['auth-failed']).toBe(1));
    expect(commits(b.received)).toEqual([1]);
  });
});
