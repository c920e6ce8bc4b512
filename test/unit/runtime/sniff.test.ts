import { PassThrough } from 'node:stream';
import type { Socket } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RAFT_MAGIC } from '../../../src/runtime/raft/transport-frame.js';
import { sniff, sniffConnection } from '../../../src/runtime/sniff.js';

/** A stream standing in for a socket: what the test writes to it is what the connection "received". */
const fakeSocket = (): PassThrough & Socket => new PassThrough() as PassThrough & Socket;
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('sniff', () => {
  it('says magic exactly when the bytes start with it, other at the first differing byte, more while a prefix', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 12 }), fc.uint8Array({ maxLength: 8 }).map((tail) => Uint8Array.from([...RAFT_MAGIC, ...tail])), fc.nat({ max: 5 }).map((n) => RAFT_MAGIC.slice(0, n))), (head) => {
        const startsWith = head.length >= RAFT_MAGIC.length && RAFT_MAGIC.every((b, i) => head[i] === b);
        const isPrefix = head.length < RAFT_MAGIC.length && head.every((b, i) => RAFT_MAGIC[i] === b);
        expect(sniff(head, RAFT_MAGIC)).toBe(startsWith ? 'magic' : isPrefix ? 'more' : 'other');
      }),
    );
  });

  it('an HTTP request line is never the Raft magic', () => {
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH']) expect(sniff(Buffer.from(`${method} / HTTP/1.1\r\n`), RAFT_MAGIC)).toBe('other');
  });
});

describe('sniffConnection', () => {
  it('waits for the whole magic, split over chunks, then hands over every byte read, paused', async () => {
    const socket = fakeSocket();
    const calls: [boolean, string][] = [];
    sniffConnection(socket, RAFT_MAGIC, (isMagic, head) => calls.push([isMagic, head.toString('latin1')]));
    socket.write(Buffer.from('DR'));
    await tick();
    expect(calls).toEqual([]);
    socket.write(Buffer.from('FT\x01hello'));
    await tick();
    expect(calls).toEqual([[true, 'DRFT\x01hello']]);
    expect(socket.isPaused()).toBe(true);
    socket.write(Buffer.from('more'));
    await tick();
    expect(calls).toHaveLength(1);
  });

  it('decides on the first byte that differs', async () => {
    const socket = fakeSocket();
    const calls: [boolean, string][] = [];
    sniffConnection(socket, RAFT_MAGIC, (isMagic, head) => calls.push([isMagic, head.toString('latin1')]));
    socket.write(Buffer.from('G'));
    await tick();
    expect(calls).toEqual([[false, 'G']]);
  });
});
