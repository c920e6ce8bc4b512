/**
 * No acknowledged write is lost when members die with SIGKILL under a write
 * load: one member (it catches up after its restart), then all three at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { killAgents } from '../support/agent-process.js';
import { eventually } from '../support/eventually.js';
import { LoopbackGroup, missingWrites, writeLoad } from '../support/raft-loopback.js';

afterEach(killAgents);

/** The `/stats` figure `key` of member `id`. */
async function figure(group: LoopbackGroup, id: string, key: 'commit_index' | 'snapshot_index'): Promise<number> {
  return Number((await group.http(id, 'GET', '/stats')).body[key] ?? 0);
}

describe('raft members killed with SIGKILL under a write load', () => {
  it('a killed member restarts, catches up, and every acknowledged write is on it', async () => {
    // A small snapshot threshold, so that the leader soon compacts its log past where the victim stopped.
    const group = await LoopbackGroup.create(3, { extra: 'snapshot_threshold = 64\n' });
    await group.start();
    const leader = await group.leader();
    const victim = group.members.map((m) => m.id).find((id) => id !== leader) as string;
    const load = writeLoad(group);
    await load.acknowledged(60);
    await group.kill(victim);
    // The victim has at most what the leader had committed, and little more. The load goes on until the
    // leader's snapshot is a whole threshold past that: the entries it keeps behind a snapshot (half the
    // threshold) then start after the victim's log ends, and the victim can only catch up from the snapshot.
    const stoppedNear = await figure(group, leader, 'commit_index');
    await eventually(async () => expect(await figure(group, leader, 'snapshot_index')).toBeGreaterThanOrEqual(stoppedNear + 64), 60_000, 50);
    await group.start([victim]);
    // Writes go on being acknowledged while the victim catches up.
    await load.acknowledged(load.acked.size + 50);
    await load.stop();
    expect(load.acked.size).toBeGreaterThan(50);
    await eventually(async () => {
      const view = await group.http(victim, 'GET', '/cluster');
      const lead = await group.http(leader, 'GET', '/cluster');
      expect(view.body.applied_index).toBe(lead.body.commit_index);
    }, 30_000);
    expect(await missingWrites(group, victim, load.acked)).toEqual([]);
    // The leader compacted its log past where the victim stopped: it caught up from a snapshot.
    const stats = await group.http(victim, 'GET', '/stats');
    expect((stats.body.counters as Record<string, number>).snapshots_installed).toBeGreaterThan(0);
    const stale = await group.http(victim, 'GET', `/v1/kv/w${[...load.acked][0]}?consistency=stale`);
    expect(stale.status).toBe(200);
  }, 90_000);

  it('all three killed at once and restarted: every acknowledged write is there', async () => {
    const group = await LoopbackGroup.create(3);
    await group.start();
    await group.leader();
    const load = writeLoad(group, 16);
    await load.acknowledged(100);
    await Promise.all(group.members.map((m) => group.kill(m.id)));
    await load.stop();
    expect(load.acked.size).toBeGreaterThan(50);
    await group.start();
    const leader = await group.leader();
    for (const m of group.members) expect(await missingWrites(group, m.id === leader ? leader : m.id, load.acked)).toEqual([]);
  });
});
