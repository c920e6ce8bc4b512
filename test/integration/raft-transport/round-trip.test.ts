import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_MESSAGES_PER_FRAME } from '../../../src/core/raft/codec.js';
import type { Message, NodeId, SnapshotMeta } from '../../../src/core/raft/types.js';
import { startMember, type Book, type Member, until } from './harness.js';

const META: SnapshotMeta = { index: 40, term: 3, conf: { voters: ['a', 'b', 'c'], learners: ['d'] } };

/** One message of every type (two of some), from `from` to `to`. */
function oneOfEach(from: NodeId, to: NodeId): Message[] {
  const env = { from, to, term: 7 };
  return [
    { ...env, type: 'pre-vote', lastIndex: 10, lastTerm: 6, transfer: false },
    { ...env, type: 'vote', lastIndex: Number.MAX_SAFE_INTEGER, lastTerm: 6, transfer: true },
    { ...env, type: 'pre-vote-resp', reject: true },
    { ...env, type: 'vote-resp', reject: false },
    { ...env, type: 'append', prevIndex: 0, prevTerm: 0, entries: [], commit: 0 },
    {
      ...env,
      type: 'append',
      prevIndex: 9,
      prevTerm: 6,
      commit: 9,
      entries: [
        { term: 7, index: 10, kind: 'normal', data: Uint8Array.from([0, 1, 0xff]) },
        { term: 7, index: 11, kind: 'config', change: { type: 'add-learner', node: 'd' } },
      ],
    },
    { ...env, type: 'append-resp', reject: true, index: 12, hintIndex: -1, hintTerm: 0 },
    { ...env, type: 'heartbeat', commit: 5, ctx: null },
    { ...env, type: 'heartbeat-resp', ctx: 'round-17' },
    { ...env, type: 'snapshot', meta: META, size: 1000, offset: 256, chunk: Uint8Array.from({ length: 256 }, (_, i) => i) },
    { ...env, type: 'snapshot-resp', index: 40, offset: 1000, reject: false },
    { ...env, type: 'timeout-now' },
    { ...env, type: 'read-index', ctx: 'read 日本' },
    { ...env, type: 'read-index-resp', ctx: 'r1', index: 0 },
  ];
}

const heartbeat = (from: NodeId, to: NodeId, commit: number): Message => ({ from, to, term: 1, type: 'heartbeat', commit, ctx: null });

let members: Member[] = [];
afterEach(async () => {
  await Promise.all(members.map((m) => m.stop()));
  members = [];
});

async function cluster(ids: NodeId[], options: Parameters<typeof startMember>[2] = {}): Promise<Member[]> {
  const book: Book = new Map();
  members = await Promise.all(ids.map((id) => startMember(id, book, options)));
  return members;
}

describe('raft transport between members', () => {
  it('carries every message type, in batches and in order, between three members', async () => {
    const [a, b, c] = await cluster(['a', 'b', 'c']);
    for (const from of [a, b, c] as Member[]) {
      from.transport.send(members.filter((m) => m !== from).flatMap((to) => oneOfEach(from.id, to.id)));
    }
    for (const to of [a, b, c] as Member[]) {
      await until(() => expect(to.received).toHaveLength(2 * oneOfEach('x', 'y').length));
      for (const from of members.filter((m) => m !== to)) {
        expect(to.received.filter((m) => m.from === from.id)).toEqual(oneOfEach(from.id, to.id));
      }
    }
    const ab = a?.transport.stats().b;
    expect(ab).toMatchObject({ connected: true, queued: 0, framesSent: 1, messagesSent: oneOfEach('x', 'y').length, reconnects: 0 });
    expect(b?.transport.stats().a).toMatchObject({ framesReceived: 1, messagesReceived: oneOfEach('x', 'y').length, bytesReceived: ab?.bytesSent });
    expect(b?.transport.lastHeard('a')).toBeGreaterThan(0);
    expect(b?.transport.lastHeard('nobody')).toBeUndefined();
  });

  it('sends the messages of one turn to a peer as one frame, and those of the next turn as another', async () => {
    const [a, b] = await cluster(['a', 'b']);
    for (let i = 1; i <= 1000; i++) a?.transport.send([heartbeat('a', 'b', i)]);
    await until(() => expect(b?.received).toHaveLength(1000));
    expect(b?.batches).toEqual([1000]);
    expect(a?.transport.stats().b).toMatchObject({ framesSent: 1, messagesSent: 1000 });
    expect(b?.received.map((m) => (m.type === 'heartbeat' ? m.commit : 0))).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));

    a?.transport.send([heartbeat('a', 'b', 1001)]);
    a?.transport.send([heartbeat('a', 'b', 1002), heartbeat('a', 'b', 1003)]);
    await until(() => expect(b?.received).toHaveLength(1003));
    expect(a?.transport.stats().b).toMatchObject({ framesSent: 2, messagesSent: 1003 });
    expect(b?.transport.stats().a).toMatchObject({ framesReceived: 2, messagesReceived: 1003 });
  });

  it(`splits a turn of more than ${MAX_MESSAGES_PER_FRAME} messages, or of more than about 4 MiB, into several frames`, async () => {
    const [a, b] = await cluster(['a', 'b'], { queue: { messages: 1_000_000, bytes: 1 << 30 } });
    const count = MAX_MESSAGES_PER_FRAME + 100;
    a?.transport.send(Array.from({ length: count }, (_, i) => heartbeat('a', 'b', i)));
    await until(() => expect(b?.received).toHaveLength(count));
    expect(a?.transport.stats().b?.framesSent).toBe(2);

    const mib = new Uint8Array(1 << 20).fill(9);
    const appends: Message[] = Array.from({ length: 12 }, (_, i) => ({
      from: 'a',
      to: 'b',
      term: 2,
      type: 'append',
      prevIndex: i,
      prevTerm: 2,
      commit: 0,
      entries: [{ term: 2, index: i + 1, kind: 'normal', data: mib }],
    }));
    a?.transport.send(appends);
    await until(() => expect(b?.received).toHaveLength(count + 12));
    const frames = (a?.transport.stats().b?.framesSent ?? 0) - 2;
    expect(frames).toBeGreaterThanOrEqual(3);
    expect(frames).toBeLessThanOrEqual(6);
    expect(b?.received.slice(count).map((m) => (m.type === 'append' ? m.prevIndex : -1))).toEqual(appends.map((_, i) => i));
  });

  it('carries large snapshot chunks intact, each in its own frame', async () => {
    const [a, b] = await cluster(['a', 'b']);
    const data = randomBytes(40 * 1024 * 1024);
    const chunkBytes = 16 * 1024 * 1024;
    const chunks: Message[] = [];
    for (let offset = 0; offset < data.length; offset += chunkBytes) {
      const chunk = new Uint8Array(data.subarray(offset, offset + chunkBytes));
      chunks.push({ from: 'a', to: 'b', term: 3, type: 'snapshot', meta: META, size: data.length, offset, chunk });
    }
    a?.transport.send(chunks);
    await until(() => expect(b?.received).toHaveLength(chunks.length));
    const got = Buffer.concat(b?.received.map((m) => (m.type === 'snapshot' ? m.chunk : new Uint8Array(0))) ?? []);
    expect(got.equals(data)).toBe(true);
    expect(a?.transport.stats().b?.framesSent).toBe(chunks.length);
  });

  it('answers over its own connection: each member writes only on the connection it opened', async () => {
    const [a, b] = await cluster(['a', 'b']);
    a?.transport.send([heartbeat('a', 'b', 1)]);
    await until(() => expect(b?.received).toHaveLength(1));
    b?.transport.send([{ from: 'b', to: 'a', term: 1, type: 'heartbeat-resp', ctx: null }]);
    await until(() => expect(a?.received).toHaveLength(1));
    expect(a?.transport.stats().b).toMatchObject({ framesSent: 1, framesReceived: 1, connected: true });
    expect(b?.transport.stats().a).toMatchObject({ framesSent: 1, framesReceived: 1, connected: true });
  });
});
