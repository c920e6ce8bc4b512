import { randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES, encodeRaftMessages } from '../../../src/core/raft/codec.js';
import type { Message, NodeId } from '../../../src/core/raft/types.js';
import { MAGIC, helloBytes, plainFrame, rawExchange, records, startMember, type Book, type Member, until } from './harness.js';

const heartbeat = (from: NodeId, to: NodeId, commit: number): Message => ({ from, to, term: 1, type: 'heartbeat', commit, ctx: null });
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const total = (m: Member): number => Object.values(m.transport.refusals()).reduce((s, n) => s + n, 0);

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.map((s) => s()));
  stops = [];
});

async function member(id: NodeId, book: Book = new Map(), secret: Uint8Array | null = null): Promise<Member> {
  const m = await startMember(id, book, { secret, handshakeTimeoutMs: 300 });
  stops.push(() => m.stop());
  return m;
}

/** The rest of the bytes sent, then the server's answer after the magic and hello. */
const OK_ANSWER_BYTES = 2 + 2 + 32;

describe('raft transport against hostile input', () => {
  it('answers a well-formed hello with ok and a nonce (the wire format of docs/raft.md)', async () => {
    const b = await member('b');
    const answer = await rawExchange(b.listener.address, Buffer.concat([helloBytes('a', 'b'), u32(0)]));
    expect(answer).toHaveLength(OK_ANSWER_BYTES);
    expect([...answer.subarray(0, 4)]).toEqual([0, 34, 0, 1]); // length 34, status ok, version 1
    expect(b.transport.refusals()['frame-too-large']).toBe(1);
  });

  it('takes a well-formed frame from a raw client and delivers it', async () => {
    const b = await member('b');
    const frame = plainFrame(encodeRaftMessages([heartbeat('a', 'b', 5)]));
    const socket = await new Promise<Socket>((resolve) => {
      const s = createConnection(b, () => resolve(s));
    });
    socket.write(Buffer.concat([helloBytes('a', 'b'), frame]));
    await until(() => expect(b.received).toEqual([heartbeat('a', 'b', 5)]));
    socket.destroy();
  });

  it('refuses a hello of another version, answering with its own', async () => {
    const b = await member('b');
    const answer = await rawExchange(b.listener.address, helloBytes('a', 'b', { version: 9 }));
    expect([...answer]).toEqual([0, 2, 1, 1]); // length 2, status 1 (version), version 1
    expect(b.transport.refusals().version).toBe(1);
  });

  it('refuses a client whose hello names another member, and logs it; the client drops its queue', async () => {
    const book: Book = new Map();
    const a = await member('a', book);
    const c = await member('c', book);
    book.set('b', c.listener.address); // a believes b listens where c does
    a.transport.send([heartbeat('a', 'b', 1)]);
    await until(() => expect(c.transport.refusals()['not-this-member']).toBe(1));
    await until(() => expect(a.transport.stats().b?.dropped.refused).toBe(1));
    expect(c.received).toEqual([]);
    expect(records(c, 'refused a raft connection')).toEqual([expect.objectContaining({ level: 'warn', reason: 'not-this-member', peer: 'a' })]);
    expect(records(a, 'raft handshake failed')[0]).toMatchObject({ level: 'warn', peer: 'b' });
  });

  it.each([
    ['a length of 0xFFFFFFFF', u32(0xffffffff)],
    [`a length of MAX_FRAME_BYTES + 1`, u32(MAX_FRAME_BYTES + 1)],
    ['a length of 0', u32(0)],
  ])('refuses a frame with %s without waiting for its bytes', async (_, header) => {
    const b = await member('b');
    await rawExchange(b.listener.address, Buffer.concat([helloBytes('a', 'b'), header]));
    expect(b.transport.refusals()['frame-too-large']).toBe(1);
  });

  it('refuses a frame whose payload is not an encoded batch', async () => {
    const b = await member('b');
    await rawExchange(b.listener.address, Buffer.concat([helloBytes('a', 'b'), plainFrame(randomBytes(100))]));
    expect(b.transport.refusals()['bad-frame']).toBe(1);
    expect(records(b, 'refused a raft connection')[0]?.detail).toMatch(/magic|CRC/);
  });

  it('drops, and counts, messages not addressed to this member or not from the sender', async () => {
    const b = await member('b');
    const frame = plainFrame(encodeRaftMessages([heartbeat('a', 'x', 1), heartbeat('z', 'b', 2), heartbeat('a', 'b', 3)]));
    const socket = createConnection(b, () => socket.write(Buffer.concat([helloBytes('a', 'b'), frame])));
    await until(() => expect(b.received).toEqual([heartbeat('a', 'b', 3)]));
    expect(b.transport.stats().a?.dropped.misaddressed).toBe(2);
    socket.destroy();
  });

  it('closes a connection whose handshake stalls', async () => {
    const b = await member('b');
    await rawExchange(b.listener.address, Buffer.concat([MAGIC, Buffer.of(0)]));
    expect(b.transport.refusals()['handshake-timeout']).toBe(1);
  });

  it('refuses a socket handed over without the magic', async () => {
    const b = await member('b');
    const server = createServer((socket) => b.transport.accept(socket, Buffer.from('GET / HTTP/1.1\r\n')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    await rawExchange({ host: '127.0.0.1', port: (server.address() as AddressInfo).port }, Buffer.from('GET / HTTP/1.1\r\n'));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(b.transport.refusals().magic).toBe(1);
  });

  it('survives random bytes after the magic, with and without a secret, counting each connection it refuses', async () => {
    for (const secret of [null, Buffer.from('s3cret')]) {
      const book: Book = new Map();
      const b = await member('b', book, secret);
      const runs = 60;
      let unfinished = 0;
      await Promise.all(
        Array.from({ length: runs }, (_, i) => {
          const junk = randomBytes(1 + Math.floor(Math.random() * 3000));
          // Every third run starts with a well-formed hello, so the junk reaches the later stages.
          const hello = i % 3 === 0;
          // Without a secret, junk after a hello is a frame: one cut short by the client's close is not a violation.
          const length = junk.length >= 4 ? junk.readUInt32BE(0) : 0;
          if (hello && secret === null && (junk.length < 4 || (length >= 1 && length <= MAX_FRAME_BYTES && junk.length < 4 + length))) unfinished++;
          const prefix = hello ? helloBytes('a', 'b', { auth: secret ? 1 : 0 }) : MAGIC;
          return rawExchange(b.listener.address, Buffer.concat([prefix, junk]), { end: true });
        }),
      );
      await until(() => expect(total(b)).toBe(runs - unfinished));
      // Still serving: a real member gets through.
      const a = await member('a', book, secret);
      a.transport.send([heartbeat('a', 'b', 1)]);
      await until(() => expect(b.received).toEqual([heartbeat('a', 'b', 1)]));
    }
  });

  it('reassembles frames split into single bytes and frames coalesced into one chunk', async () => {
    const b = await member('b');
    const frames = [1, 2, 3].map((i) => plainFrame(encodeRaftMessages([heartbeat('a', 'b', i)])));
    const bytes = Buffer.concat([helloBytes('a', 'b'), frames[0] as Buffer]);
    const socket = await new Promise<Socket>((resolve) => {
      const s = createConnection(b, () => resolve(s));
    });
    socket.setNoDelay(true);
    for (const byte of bytes) {
      socket.write(Buffer.of(byte));
      await new Promise((r) => setImmediate(r));
    }
    socket.write(Buffer.concat(frames.slice(1)));
    await until(() => expect(b.received.map((m) => (m.type === 'heartbeat' ? m.commit : 0))).toEqual([1, 2, 3]));
    socket.destroy();
  });
});

function createConnection(m: Member, onConnect: () => void): Socket {
  const { host, port } = m.listener.address;
  const socket = connect(port, host, onConnect);
  socket.on('error', () => undefined);
  return socket;
}
