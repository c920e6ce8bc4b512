// Membership changes one server at a time (paper §6, thesis §4.1-§4.2):
// learners first, promotion once caught up, removal, one change at a time,
// and a config entry in force from the moment it is appended.
import { describe, expect, it } from 'vitest';
import { PROMOTE_MAX_LAG } from '../../../src/core/raft/conf-change.js';
import { joinState } from '../../../src/core/raft/types.js';
import { Network, TEST_CONFIG } from './harness.js';

const ABC = ['a', 'b', 'c'];

/** A three-voter group led by a, with d started as a new empty member. */
function withJoiner(): Network {
  const net = new Network(ABC);
  net.elect('a');
  net.propose('a', 'before');
  net.stabilize();
  net.add('d', joinState());
  return net;
}

function conf(net: Network, id: string): { voters: readonly string[]; learners: readonly string[] } {
  return net.node(id).status().conf;
}

describe('adding a server as a learner', () => {
  it('a new member receives the whole state from the leader and applies what the others apply', () => {
    const net = withJoiner();
    const result = net.node('a').proposeConfChange({ type: 'add-learner', node: 'd' });
    expect(result.ok).toBe(true);
    net.stabilize();
    net.propose('a', 'after');
    net.stabilize();
    net.tick(2);
    expect(net.get('d').applied).toEqual(['before', 'after']);
    expect(net.get('d').snapshotsInstalled.map((s) => s.meta.index)).toEqual([0]);
    expect(conf(net, 'd')).toEqual({ voters: ABC, learners: ['d'] });
  });

  it('a new member without a snapshot never campaigns, and neither does a learner', () => {
    const net = withJoiner();
    net.tick(50, ['d']);
    expect(net.node('d').status()).toMatchObject({ term: 0, role: 'follower' });
    net.node('a').proposeConfChange({ type: 'add-learner', node: 'd' });
    net.stabilize();
    net.isolate('a');
    net.tick(60, ['d']);
    expect(net.node('d').status()).toMatchObject({ term: 1, role: 'follower' });
  });

  it('a learner does not count toward the commit quorum', () => {
    const net = withJoiner();
    net.node('a').proposeConfChange({ type: 'add-learner', node: 'd' });
    net.stabilize();
    net.partition(['a', 'd'], ['b', 'c']);
    const { index } = net.propose('a', 'x');
    net.stabilize();
    expect(net.node('d').status().lastIndex).toBe(index);
    expect(net.node('a').status().commit).toBeLessThan(index);
  });

  it('the config entry takes effect when appended, before it commits', () => {
    const net = withJoiner();
    net.partition(['a'], ['b', 'c', 'd']);
    net.node('a').proposeConfChange({ type: 'add-learner', node: 'd' });
    net.stabilize();
    expect(conf(net, 'a').learners).toEqual(['d']);
    expect(net.node('a').status().progress?.['d']).toBeDefined();
    expect(conf(net, 'b').learners).toEqual([]);
  });
});

describe('promoting a learner', () => {
  it('is refused while the learner lags, and accepted once it caught up', () => {
    const net = withJoiner();
    net.node('a').proposeConfChange({ type: 'add-learner', node: 'd' });
    net.stabilize();
    net.isolate('d');
    for (let i = 0; i < PROMOTE_MAX_LAG + 5; i++) net.propose('a', `p${i}`);
    net.stabilize();
    expect(net.node('a').proposeConfChange({ type: 'promote', node: 'd' })).toMatchObject({ ok: false, error: 'conf-change-rejected' });
    net.heal();
    net.tick(3);
    expect(net.node('a').proposeConfChange({ type: 'promote', node: 'd' })).toMatchObject({ ok: true });
    net.stabilize();
    expect(conf(net, 'a')).toEqual({ voters: ['a', 'b', 'c', 'd'], learners: [] });
    // Four voters: the commit needs three.
    net.partition(['a', 'd'], ['b', 'c']);
    const { index } = net.propose('a', 'x');
    net.stabilize();
    expect(net.node('a').status().commit).toBeLessThan(index);
  });

  it('only learners can be promoted, and only members removed', () => {
    const net = withJoiner();
    const a = net.node('a');
    expect(a.proposeConfChange({ type: 'promote', node: 'b' })).toMatchObject({ ok: false, error: 'conf-change-rejected' });
    expect(a.proposeConfChange({ type: 'promote', node: 'd' })).toMatchObject({ ok: false, error: 'conf-change-rejected' });
    expect(a.proposeConfChange({ type: 'remove', node: 'zz' })).toMatchObject({ ok: false, error: 'conf-change-rejected' });
    expect(a.proposeConfChange({ type: 'add-learner', node: 'b' })).toMatchObject({ ok: false, error: 'conf-change-rejected' });
  });
});

describe('one change at a time', () => {
  it('a second change is refused until the first is committed', () => {
    const net = withJoiner();
    const a = net.node('a');
    expect(a.proposeConfChange({ type: 'add-learner', node: 'd' }).ok).toBe(true);
    expect(a.proposeConfChange({ type: 'remove', node: 'c' })).toMatchObject({ ok: false, error: 'conf-change-rejected' });
    net.stabilize();
    expect(a.proposeConfChange({ type: 'remove', node: 'c' }).ok).toBe(true);
  });

  it('followers refuse changes with the leader id', () => {
    const net = withJoiner();
    expect(net.node('b').proposeConfChange({ type: 'add-learner', node: 'd' })).toEqual({ ok: false, error: 'not-leader', leader: 'a' });
  });
});

describe('removing servers', () => {
  it('a removed follower no longer counts: two voters need each other', () => {
    const net = new Network(ABC);
    net.elect('a');
    net.node('a').proposeConfChange({ type: 'remove', node: 'c' });
    net.stabilize();
    net.tick(1);
    expect(conf(net, 'a').voters).toEqual(['a', 'b']);
    expect(conf(net, 'b').voters).toEqual(['a', 'b']);
    net.isolate('b');
    const { index } = net.propose('a', 'x');
    net.stabilize();
    expect(net.node('a').status().commit).toBeLessThan(index);
  });

  it('a removed server that keeps campaigning does not disturb the group', () => {
    const net = new Network(ABC);
    net.elect('a');
    net.isolate('c');
    net.node('a').proposeConfChange({ type: 'remove', node: 'c' });
    net.stabilize();
    net.tick(50);
    net.heal();
    net.tick(50);
    expect(net.leaders()).toEqual(['a']);
    expect(net.node('a').status().term).toBe(1);
    expect(net.node('b').status().term).toBe(1);
  });

  it('a leader that removes itself keeps leading until the removal commits, then steps down for good', () => {
    const net = new Network(ABC);
    net.elect('a');
    net.isolate('b');
    net.isolate('c');
    const removal = net.node('a').proposeConfChange({ type: 'remove', node: 'a' });
    expect(removal.ok).toBe(true);
    net.stabilize();
    // Not committed yet: a still leads and replicates.
    expect(net.node('a').status().role).toBe('leader');
    net.heal();
    net.tick(1);
    expect(net.node('a').status().role).toBe('follower');
    net.tick(5);
    const leader = net.leaders();
    expect(leader).toHaveLength(1);
    expect(['b', 'c']).toContain(leader[0]);
    const term = net.node('a').status().term;
    net.isolate(leader[0] ?? 'b');
    net.tick(TEST_CONFIG.electionTicks * 5, ['a']);
    expect(net.node('a').status()).toMatchObject({ role: 'follower', term });
  });

  it('a server whose own removal is not committed yet may still be elected, so self-removals cannot lock the group up', () => {
    // The simulator's seed 891: a removes itself and is cut off; b leads, removes itself and steps
    // down before c has the entry. b and a now hold newer logs than c but are not in their latest
    // configurations; if such servers could not campaign, no leader could ever be elected.
    const net = new Network(ABC);
    net.elect('a');
    net.isolate('c');
    expect(net.node('a').proposeConfChange({ type: 'remove', node: 'a' }).ok).toBe(true);
    net.stabilize();
    net.heal();
    net.isolate('a');
    net.tick(TEST_CONFIG.electionTicks * 4);
    expect(net.leaders()).toEqual(['b']);
    net.isolate('c');
    expect(net.node('b').proposeConfChange({ type: 'remove', node: 'b' }).ok).toBe(true);
    net.tick(TEST_CONFIG.electionTicks * 3);
    expect(net.leaders()).toEqual([]);
    net.heal();
    net.isolate('a');
    net.tick(TEST_CONFIG.electionTicks * 10);
    expect(net.leaders()).toEqual(['c']);
    expect(conf(net, 'c')).toEqual({ voters: ['c'], learners: [] });
  });

  it('the last voter cannot be removed', () => {
    const net = new Network(['a']);
    net.elect('a');
    expect(net.node('a').proposeConfChange({ type: 'remove', node: 'a' })).toMatchObject({ ok: false, error: 'conf-change-rejected' });
  });
});

describe('a config entry that is cut from the log', () => {
  it('no longer applies: the server falls back to the configuration before it', () => {
    const net = withJoiner();
    net.isolate('a');
    net.node('a').proposeConfChange({ type: 'add-learner', node: 'd' });
    net.stabilize();
    expect(conf(net, 'a').learners).toEqual(['d']);
    net.tick(40, ['b', 'c']);
    const leader = ['b', 'c'].find((id) => net.node(id).status().role === 'leader') ?? 'none';
    net.propose(leader, 'x');
    net.stabilize();
    net.heal();
    net.tick(3);
    expect(net.node('a').status()).toMatchObject({ role: 'follower', leader });
    expect(conf(net, 'a')).toEqual({ voters: ABC, learners: [] });
    // And the new leader can make the change again.
    expect(net.node(leader).proposeConfChange({ type: 'add-learner', node: 'd' }).ok).toBe(true);
  });
});
