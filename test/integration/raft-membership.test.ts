/**
 * Changing the Raft group at run time through the CLI, under a write load:
 * grow 3 -> 5 (`dinc-agent raft add`: learner, then voter once caught up),
 * move the leadership (`transfer-leader`), shrink 5 -> 3 (`raft remove`, the
 * leader included). No acknowledged write is lost on any member that stays.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, killAgents } from '../support/agent-process.js';
import { eventually } from '../support/eventually.js';
import { LoopbackGroup, missingWrites, writeLoad } from '../support/raft-loopback.js';

afterEach(killAgents);

const run = promisify(execFile);

/** Runs `dinc-agent raft ...` against `via`; retries, as a client should, while the answer is a retryable 503 (an election under load). */
async function cli(group: LoopbackGroup, via: string, ...args: string[]): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { stdout } = await run(process.execPath, [BIN, 'raft', ...args, '--addr', `127.0.0.1:${group.member(via).raftPort}`], { timeout: 90_000 });
      return stdout;
    } catch (e) {
      if (attempt >= 20 || !/\((DINC_NO_LEADER|DINC_NOT_APPLIED)\)\n/.test(String((e as { stderr?: string }).stderr))) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

interface Peer {
  readonly id: string;
  readonly voter: boolean;
  readonly state: string;
}

async function peers(group: LoopbackGroup, via: string): Promise<Peer[]> {
  return (JSON.parse(await cli(group, via, 'list-peers', '--json')) as { peers: Peer[] }).peers;
}

describe('growing and shrinking the Raft group under load', () => {
  it('3 -> 5 -> 3 without losing an acknowledged write', async () => {
    const group = await LoopbackGroup.create(3, { spare: 2 });
    await group.start(['n1', 'n2', 'n3']);
    await group.leader(['n1', 'n2', 'n3']);
    const load = writeLoad(group, 8);

    for (const id of ['n4', 'n5']) {
      await group.start([id]);
      const follower = (await group.leader(['n1', 'n2', 'n3'])) === 'n1' ? 'n2' : 'n1';
      const table = await cli(group, follower, 'add', id, `127.0.0.1:${group.member(id).raftPort}`);
      expect(table).toMatch(new RegExp(`^${id}\\s+${id}\\s+127\\.0\\.0\\.1:\\d+\\s+follower\\s+true`, 'm'));
    }
    expect((await peers(group, 'n5')).filter((p) => p.voter).map((p) => p.id)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    // A new member starts with nothing: the leader sends it a snapshot first.
    expect(((await group.http('n4', 'GET', '/stats')).body.counters as Record<string, number>).snapshots_installed).toBeGreaterThan(0);
    const listing = await cli(group, 'n4', 'list-peers');
    expect(listing.split('\n')[0]).toMatch(/^Node\s+ID\s+Address\s+State\s+Voter\s+Commit Index\s+Trails Leader By$/);

    const before = await group.leader();
    await cli(group, 'n5', 'transfer-leader', 'n5');
    expect(await group.leader()).toBe('n5');
    expect(before).not.toBe('n5');

    // Shrink: remove the current leader (n5 hands over) and n4.
    await cli(group, 'n1', 'remove', 'n5');
    await cli(group, 'n1', 'remove', 'n4');
    await eventually(async () => expect((await peers(group, 'n1')).map((p) => p.id)).toEqual(['n1', 'n2', 'n3']), 30_000);
    await group.kill('n4');
    await group.kill('n5');
    // The group of three goes on acknowledging writes without n4 and n5.
    await load.acknowledged(load.acked.size + 30);
    await load.stop();
    expect(load.acked.size).toBeGreaterThan(50);
    const leader = await group.leader(['n1', 'n2', 'n3']);
    expect(['n1', 'n2', 'n3']).toContain(leader);
    for (const id of ['n1', 'n2', 'n3']) expect(await missingWrites(group, id, load.acked)).toEqual([]);
  }, 180_000);
});
