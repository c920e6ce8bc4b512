// Linearizable reads without writing to the log (thesis §6.4): ReadIndex
// with a heartbeat round, forwarded from followers, and leases (§6.4.1).
import { describe, expect, it } from 'vitest';
import { Network, TEST_CONFIG } from './harness.js';

const ABC = ['a', 'b', 'c'];

function ledBy(leader: string, overrides = {}): Network {
  const net = new Network(ABC, overrides);
  net.elect(leader);
  net.propose(leader, 'x');
  net.stabilize();
  return net;
}

describe('ReadIndex on the leader', () => {
  it('serves a read at its commit index once a quorum answered the heartbeat round that carries it', () => {
    const net = ledBy('a');
    const a = net.node('a');
    const commit = a.status().commit;
    expect(a.readIndex('r1')).toBeNull();
    net.flush();
    expect(net.get('a').readStates).toEqual([]);
    const round = net.queue.filter((m) => m.type === 'heartbeat');
    expect(round).toHaveLength(2);
    net.stabilize();
    expect(net.get('a').readStates).toEqual([{ ctx: 'r1', index: commit }]);
  });

  it('a new leader that has not committed an entry of its term holds reads back until it has', () => {
    const net = new Network(ABC);
    net.filter = (m) => (m.type === 'append-resp' ? 'drop' : 'deliver');
    net.elect('a');
    const a = net.node('a');
    expect(a.status()).toMatchObject({ role: 'leader', commit: 0 });
    expect(a.readIndex('early')).toBeNull();
    net.tick(2);
    expect(net.get('a').readStates).toEqual([]);
    net.filter = () => 'deliver';
    net.tick(2);
    expect(net.get('a').readStates).toEqual([{ ctx: 'early', index: 1 }]);
  });

  it('a partitioned old leader serves no read; the read fails when it steps down', () => {
    const net = ledBy('a');
    net.partition(['a'], ['b', 'c']);
    expect(net.node('a').readIndex('stale')).toBeNull();
    net.tick(TEST_CONFIG.electionTicks * 3, ['b', 'c']);
    const newLeader = ['b', 'c'].find((id) => net.node(id).status().role === 'leader') ?? 'none';
    net.propose(newLeader, 'y');
    net.stabilize();
    net.tick(TEST_CONFIG.electionTicks - 1, ['a']);
    expect(net.get('a').readStates).toEqual([]);
    // Check-quorum notices within two election timeouts (the first check may still count answers from before the cut).
    net.tick(TEST_CONFIG.electionTicks + 1, ['a']);
    expect(net.node('a').status().role).toBe('follower');
    expect(net.get('a').readStates).toEqual([]);
    expect(net.get('a').failedReads).toEqual([{ ctx: 'stale', refusal: { error: 'not-leader', leader: null } }]);
  });
});

describe('ReadIndex from a follower', () => {
  it('is forwarded to the leader and comes back with the leader commit index', () => {
    const net = ledBy('a');
    expect(net.node('b').readIndex('f1')).toBeNull();
    net.stabilize();
    expect(net.get('b').readStates).toEqual([{ ctx: 'f1', index: net.node('a').status().commit }]);
  });

  it('is refused at once when no leader is known', () => {
    const net = new Network(ABC);
    expect(net.node('b').readIndex('f1')).toEqual({ error: 'not-leader', leader: null });
  });

  it('fails when the leader changes before it answers', () => {
    const net = ledBy('a');
    net.partition(['a'], ['b', 'c']);
    expect(net.node('b').readIndex('f2')).toBeNull();
    net.tick(TEST_CONFIG.electionTicks * 3, ['b', 'c']);
    expect(net.get('b').readStates).toEqual([]);
    expect(net.get('b').failedReads.map((f) => f.ctx)).toEqual(['f2']);
  });

  it('fails when the leader never answers', () => {
    const net = ledBy('a');
    net.filter = (m) => (m.type === 'read-index' ? 'drop' : 'deliver');
    expect(net.node('b').readIndex('f3')).toBeNull();
    net.tick(TEST_CONFIG.electionTicks * 2 + 1);
    expect(net.get('b').failedReads.map((f) => [f.ctx, f.refusal.error])).toEqual([['f3', 'busy']]);
  });

  it('refuses a second read with the same ctx while the first waits', () => {
    const net = ledBy('a');
    expect(net.node('b').readIndex('same')).toBeNull();
    expect(net.node('b').readIndex('same')).toMatchObject({ error: 'busy' });
  });
});

describe('lease reads', () => {
  it('a leader that heard a quorum within the election timeout answers without a round trip', () => {
    const net = ledBy('a', { leaseReads: true });
    net.tick(1);
    const a = net.node('a');
    expect(a.readIndex('l1')).toBeNull();
    const ready = a.ready();
    expect(ready.readStates).toEqual([{ ctx: 'l1', index: a.status().commit }]);
    expect(ready.messages.filter((m) => m.type === 'heartbeat')).toEqual([]);
    a.advance(ready);
  });

  it('a leader that told a follower to campaign no longer answers from its lease', () => {
    const net = ledBy('a', { leaseReads: true });
    net.tick(1);
    net.filter = (m) => (m.type === 'timeout-now' || m.type === 'heartbeat-resp' ? 'drop' : 'deliver');
    expect(net.node('a').transferLeadership('b')).toBeNull();
    net.stabilize();
    net.node('a').readIndex('after-handover');
    net.stabilize();
    expect(net.get('a').readStates).toEqual([]);
  });

  it('a restarted follower keeps the lease it may have promised: no votes for an election timeout', () => {
    const net = ledBy('a', { leaseReads: true });
    net.get('b').restart();
    const b = net.node('b');
    b.step({ type: 'vote', from: 'c', to: 'b', term: 2, lastIndex: 99, lastTerm: 1, transfer: false });
    expect(b.status().term).toBe(1);
    net.partition(['a'], ['b', 'c']);
    net.tick(TEST_CONFIG.electionTicks * 3, ['b', 'c']);
    expect(net.leaders().filter((id) => id !== 'a')).toHaveLength(1);
  });

  it('once the lease ran out the leader no longer answers from it', () => {
    const net = ledBy('a', { leaseReads: true });
    net.tick(1);
    net.partition(['a'], ['b', 'c']);
    net.tick(TEST_CONFIG.electionTicks, ['a']);
    net.node('a').readIndex('late');
    net.tick(1, ['a']);
    expect(net.get('a').readStates).toEqual([]);
  });
});
