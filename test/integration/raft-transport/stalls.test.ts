/**
 * The transport's bounds on slow and repeated offenders: a frame begun but
 * never finished is refused after frameTimeoutMs, and a flood of refused
 * connections from many ports is logged at warn once per cause.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRaftMessages } from '../../../src/core/raft/codec.js';
import type { Message } from '../../../src/core/raft/types.js';
import { helloBytes, plainFrame, rawExchange, records, startMember, until, type Member } from './harness.js';

const heartbeat = (commit: number): Message => ({ from: 'a', to: 'b', term: 1, type: 'heartbeat', commit, ctx: null });

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.map((s) => s()));
  stops = [];
});

async function member(frameTimeoutMs: number, idleTimeoutMs = 60_000): Promise<Member> {
  const m = await startMember('b', new Map(), { handshakeTimeoutMs: 300, frameTimeoutMs, idleTimeoutMs });
  stops.push(() => m.stop());
  return m;
}

function open(m: Member): Promise<Socket> {
  return new Promise((resolve) => {
    const s: Socket = connect(m.listener.address.port, m.listener.address.host, () => resolve(s));
    s.on('error', () => undefined);
    // Read what the server answers, so that its close is seen.
    s.resume();
  });
}

describe('raft transport: stalled and repeated input', () => {
  it('a frame begun but never finished is refused once frameTimeoutMs passes (frame-timeout)', async () => {
    const b = await member(200);
    const frame = plainFrame(encodeRaftMessages([heartbeat(1)]));
    const socket = await open(b);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(Buffer.concat([helloBytes('a', 'b'), frame.subarray(0, frame.length - 3)]));
    await closed;
    expect(b.transport.refusals()['frame-timeout']).toBe(1);
    expect(b.received).toEqual([]);
  });

  it('a connection that carries nothing after its handshake is closed once idleTimeoutMs passes, so it cannot hold a slot', async () => {
    const b = await member(30_000, 200);
    const socket = await open(b);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(Buffer.concat([helloBytes('a', 'b'), plainFrame(encodeRaftMessages([heartbeat(1)]))]));
    await until(() => expect(b.received).toHaveLength(1));
    await closed;
    expect(b.transport.refusals()['frame-timeout']).toBe(0);
  });

  it('a connection between whole frames is not timed out: only a frame begun is', async () => {
    const b = await member(150);
    const frame = plainFrame(encodeRaftMessages([heartbeat(1)]));
    const socket = await open(b);
    socket.write(Buffer.concat([helloBytes('a', 'b'), frame]));
    await until(() => expect(b.received).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 400));
    expect(socket.destroyed).toBe(false);
    socket.write(plainFrame(encodeRaftMessages([heartbeat(2)])));
    await until(() => expect(b.received).toHaveLength(2));
    expect(b.transport.refusals()['frame-timeout']).toBe(0);
    socket.destroy();
  });

  it('refused connections from many ports are logged at warn once per cause, then at debug', async () => {
    const b = await member(1000);
    for (let i = 0; i < 20; i++) await rawExchange(b.listener.address, helloBytes('a', 'b', { version: 9 }));
    await rawExchange(b.listener.address, helloBytes('a', 'someone-else'));
    const refusals = records(b, 'refused a raft connection');
    expect(refusals).toHaveLength(21);
    const warned = refusals.filter((r) => r.level === 'warn').map((r) => r.reason);
    expect(warned).toEqual(['version', 'not-this-member']);
  });
});
