import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../../src/core/raft/types.js';
import { PeerQueue, estimatedSize } from '../../../src/runtime/raft/peer-queue.js';
import { FrameMac, HelloStatus, createHello, deriveKeys, encodeChallenge, parseChallenge, parseHello } from '../../../src/runtime/raft/transport-auth.js';
import { RAFT_MAGIC, startsWithMagic } from '../../../src/runtime/raft/transport-frame.js';
import { encodeRaftMessages } from '../../../src/core/raft/codec.js';

const heartbeat = (commit: number): Message => ({ from: 'a', to: 'b', term: 1, type: 'heartbeat', commit, ctx: null });

describe('RAFT_MAGIC', () => {
  it('is "DRFT" then version byte 1, which no HTTP request line can start with', () => {
    expect(Buffer.from(RAFT_MAGIC).toString('latin1')).toBe('DRFT\x01');
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'PRI']) {
      expect(startsWithMagic(Buffer.from(`${method} / HTTP/1.1\r\n`))).toBe(false);
    }
    expect(startsWithMagic(RAFT_MAGIC.subarray(0, 4))).toBe(false);
  });
});

describe('PeerQueue', () => {
  it('drops the oldest messages beyond its count limit, and says how many', () => {
    const q = new PeerQueue({ messages: 3, bytes: 1 << 20 });
    expect([1, 2, 3].map((i) => q.push(heartbeat(i)))).toEqual([0, 0, 0]);
    expect(q.push(heartbeat(4))).toBe(1);
    expect(q.take(10, 1 << 20).map((m) => (m.type === 'heartbeat' ? m.commit : 0))).toEqual([2, 3, 4]);
    expect(q.length).toBe(0);
  });

  it('drops the oldest beyond its byte limit, but always keeps the newest', () => {
    const big = (i: number): Message => ({ from: 'a', to: 'b', term: 1, type: 'append', prevIndex: i, prevTerm: 1, commit: 0, entries: [{ term: 1, index: i + 1, kind: 'normal', data: new Uint8Array(600) }] });
    const q = new PeerQueue({ messages: 100, bytes: 1000 });
    q.push(big(1));
    expect(q.push(big(2))).toBe(1);
    expect(q.length).toBe(1);
    const huge = new PeerQueue({ messages: 100, bytes: 10 });
    huge.push(big(3));
    expect(huge.length).toBe(1);
  });

  it('takes batches bounded by count and bytes, at least one message each', () => {
    const q = new PeerQueue({ messages: 10_000, bytes: 1 << 30 });
    for (let i = 0; i < 3000; i++) q.push(heartbeat(i));
    expect(q.take(1000, 1 << 30)).toHaveLength(1000);
    const size = estimatedSize(heartbeat(0));
    expect(q.take(1000, size * 10)).toHaveLength(10);
    expect(q.take(1000, 1)).toHaveLength(1);
    expect(q.length).toBe(3000 - 1011);
  });

  it('estimates an encoded size at or above the real one for ASCII ids', () => {
    const ms: Message[] = [
      heartbeat(1),
      { from: 'node-1', to: 'node-2', term: 9, type: 'heartbeat-resp', ctx: 'ctx-1' },
      { from: 'a', to: 'b', term: 1, type: 'append', prevIndex: 1, prevTerm: 1, commit: 0, entries: [{ term: 1, index: 2, kind: 'normal', data: new Uint8Array(256) }] },
      { from: 'a', to: 'b', term: 1, type: 'snapshot', meta: { index: 1, term: 1, conf: { voters: ['a', 'b'], learners: [] } }, size: 10, offset: 0, chunk: new Uint8Array(10) },
    ];
    for (const m of ms) expect(estimatedSize(m)).toBeGreaterThanOrEqual(encodeRaftMessages([m]).length - 11);
  });
});

describe('handshake messages', () => {
  it('a hello parses back to its ids and auth flag', () => {
    const hello = createHello('node-1', 'ノード-2', true);
    const parsed = parseHello(hello.wire.subarray(2));
    expect(parsed).toMatchObject({ version: 1, auth: true, from: 'node-1', to: 'ノード-2' });
  });

  it('parsing never throws, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const b = Buffer.from(bytes);
        parseHello(b);
        parseChallenge(b);
      }),
    );
  });

  it('an answer carries a nonce, and a proof only with a secret', () => {
    const nonce = Buffer.alloc(32, 1);
    expect(parseChallenge(encodeChallenge(HelloStatus.Ok, nonce).subarray(2))).toEqual({ status: 0, version: 1, nonce });
    const withProof = parseChallenge(encodeChallenge(HelloStatus.Ok, nonce, Buffer.alloc(32, 2)).subarray(2));
    expect(withProof).toMatchObject({ status: 0, proof: Buffer.alloc(32, 2) });
    expect(parseChallenge(encodeChallenge(HelloStatus.NotThisMember).subarray(2))).toEqual({ status: 2, version: 1 });
  });

  it('proofs and session keys differ from each other and depend on the secret and both nonces', () => {
    const hello = createHello('a', 'b', true).body;
    const n1 = Buffer.alloc(32, 1);
    const k = deriveKeys(Buffer.from('s'), hello, n1);
    expect(new Set([k.server.toString('hex'), k.client.toString('hex'), k.session.toString('hex')]).size).toBe(3);
    expect(deriveKeys(Buffer.from('t'), hello, n1).client.equals(k.client)).toBe(false);
    expect(deriveKeys(Buffer.from('s'), hello, Buffer.alloc(32, 2)).client.equals(k.client)).toBe(false);
    expect(deriveKeys(Buffer.from('s'), createHello('a', 'b', true).body, n1).client.equals(k.client)).toBe(false);
  });

  it('a frame MAC depends on its number: the same frame twice gets two MACs', () => {
    const mac = new FrameMac(Buffer.alloc(32, 3));
    const header = Buffer.of(0, 0, 0, 3);
    const payload = Buffer.of(1, 2, 3);
    const first = mac.next(header, payload);
    expect(first).toHaveLength(16);
    expect(mac.next(header, payload).equals(first)).toBe(false);
    expect(new FrameMac(Buffer.alloc(32, 3)).next(header, payload).equals(first)).toBe(true);
  });
});
