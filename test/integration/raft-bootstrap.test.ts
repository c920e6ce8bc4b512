/**
 * Forming a Raft group from gossip: three agents with `bootstrap_expect = 3`
 * and no `[raft] peers` find each other through membership, form one group
 * (the same three voters on each), and keep it across a restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { killAgents } from '../support/agent-process.js';
import { LoopbackGroup } from '../support/raft-loopback.js';

afterEach(killAgents);

describe('bootstrap_expect', () => {
  it('three agents found by gossip form one group of three, which survives a restart of all', async () => {
    const group = await LoopbackGroup.create(3, { bootstrap: 'gossip' });
    await group.start();
    const leader = await group.leader();
    for (const m of group.members) {
      const cluster = await group.http(m.id, 'GET', '/cluster');
      expect(cluster.body).toMatchObject({ cluster_nodes: ['n1', 'n2', 'n3'], current_leader: leader });
    }
    const put = await group.http('n3', 'PUT', '/v1/kv/formed', 'by gossip');
    expect(put.status).toBe(200);
    expect(group.member('n1').process?.records.some((r) => String(r.msg).startsWith('formed a new Raft group from bootstrap_expect = 3'))).toBe(true);

    await Promise.all(group.members.map((m) => group.kill(m.id)));
    await group.start();
    await group.leader();
    expect((await group.http('n2', 'GET', '/v1/kv/formed')).body).toMatchObject({ value: 'by gossip', revision: put.body.revision });
    // What is on disk wins: no second group is formed.
    expect(group.members.every((m) => !m.process?.records.some((r) => String(r.msg).startsWith('formed a new Raft group')))).toBe(true);
  }, 60_000);
});
