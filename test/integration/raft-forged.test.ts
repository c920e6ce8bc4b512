/**
 * A forger on the network, with no `[raft] token` configured: it opens a Raft
 * connection to each member of a real group as if it were another member and
 * sends one heartbeat with the largest term the wire carries (2^53-1) and a
 * timeout-now that does not come from the leader in its term (the transport
 * delivers only messages whose sender is the one named in the hello). Each member refuses both and counts them; the group keeps its
 * leader's term and takes writes.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { encodeRaftMessages } from '../../src/core/raft/codec.js';
import { MAX_TERM } from '../../src/core/raft/plausible.js';
import { bootstrapState, type Message } from '../../src/core/raft/types.js';
import { WalStorage } from '../../src/runtime/raft/wal-storage.js';
import { createHello } from '../../src/runtime/raft/transport-auth.js';
import { RAFT_MAGIC } from '../../src/runtime/raft/transport-frame.js';
import { killAgents, spawnAgent } from '../support/agent-process.js';
import { eventually } from '../support/eventually.js';
import { memoryLogger } from '../support/memory-log.js';
import { LoopbackGroup } from '../support/raft-loopback.js';

afterEach(killAgents);

/** Reads exactly `n` bytes from `socket`. */
async function readBytes(socket: Socket, n: number): Promise<Buffer> {
  let got = Buffer.alloc(0);
  while (got.length < n) {
    const chunk = socket.read() as Buffer | null;
    if (chunk === null) {
      await Promise.race([once(socket, 'readable'), once(socket, 'close').then(() => Promise.reject(new Error('closed before the answer')))]);
      continue;
    }
    got = Buffer.concat([got, chunk]);
  }
  if (got.length > n) socket.unshift(got.subarray(n));
  return got.subarray(0, n);
}

/** Opens an unauthenticated Raft connection to `port` claiming to be `from`, sends one frame of `messages`, and closes it. */
async function forge(port: number, from: string, to: string, messages: Message[]): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  socket.pause();
  await once(socket, 'connect');
  socket.write(Buffer.concat([RAFT_MAGIC, createHello(from, to, false).wire]));
  const length = (await readBytes(socket, 2)).readUInt16BE(0);
  const answer = await readBytes(socket, length);
  expect(answer[0], 'the member accepts an unauthenticated hello').toBe(0);
  const payload = encodeRaftMessages(messages);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(payload.length, 0);
  socket.write(Buffer.concat([header, payload]));
  await new Promise<void>((resolve) => socket.end(resolve));
}

describe('forged Raft messages without a token', () => {
  it('a forged heartbeat with term 2^53-1 and a forged timeout-now are refused; the group keeps its leader and takes writes', async () => {
    const group = await LoopbackGroup.create(3);
    await group.start();
    const leader = await group.leader();
    const term = (await group.http(leader, 'GET', '/stats')).body.term as number;
    for (const m of group.members) {
      const from = m.id === leader ? group.members.find((x) => x.id !== leader)!.id : leader;
      await forge(m.raftPort, from, m.id, [
        { type: 'heartbeat', from, to: m.id, term: Number.MAX_SAFE_INTEGER, commit: 0, ctx: null },
        // To a follower, as if from its leader but of the next term; to the leader, as if from a follower.
        { type: 'timeout-now', from, to: m.id, term: m.id === leader ? term : term + 1 },
      ]);
    }
    await eventually(async () => {
      const answer = await group.http('n1', 'PUT', '/v1/kv/after-forgery', 'kept');
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    }, 30_000);
    expect(await group.leader()).toBe(leader);
    expect((await group.http(leader, 'GET', '/v1/kv/after-forgery')).body).toMatchObject({ value: 'kept' });
    await eventually(async () => {
      for (const m of group.members) {
        const stats = (await group.http(m.id, 'GET', '/stats')).body as { term: number; counters: { messages_refused: number } };
        expect(stats.term).toBe(term);
        expect(stats.counters.messages_refused).toBe(2);
      }
    }, 10_000);
  }, 60_000);

  it('a member whose stored term is at the ceiling (adopted before this version) refuses to start with DINC_RAFT_TERM_EXHAUSTED and says how to recover', async () => {
    const group = await LoopbackGroup.create(1);
    const n1 = group.member('n1');
    const storage = await WalStorage.open(join(n1.dataDir, 'raft'), memoryLogger().log);
    const { snapshot } = bootstrapState(['n1']);
    await storage.save({ hardState: { term: MAX_TERM, vote: null, commit: 0 }, entries: [], ...(snapshot ? { snapshot } : {}) });
    await storage.close();
    const agent = await spawnAgent(['raft', '--config', n1.conf]);
    expect(await agent.exited).toBe(1);
    expect(agent.stderr()).toMatch(/stored Raft term 281474976710656 is at or above the ceiling/);
    expect(agent.stderr()).toMatch(/DINC_RAFT_TERM_EXHAUSTED/);
    expect(agent.stderr()).toMatch(/raft remove/);
  }, 30_000);
});
