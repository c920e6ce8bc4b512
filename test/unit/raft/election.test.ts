// Elections, after the paper's §5.1, §5.2 and §5.4.1, and the thesis's
// pre-vote and check-quorum (§9.6, §6.2), in the style of etcd's raft_paper_test.go.
import { describe, expect, it } from 'vitest';
import { RaftNode } from '../../../src/core/raft/node.js';
import type { Message, NodeId } from '../../../src/core/raft/types.js';
import { seededRng } from '../../../src/core/rng.js';
import { Disk, Network, TEST_CONFIG, drain, run, stateWith } from './harness.js';

const ABC = ['a', 'b', 'c'];

function lone(id: NodeId, term: number, lastTerm = 1, entries = 1, seed = 1): RaftNode {
  return new RaftNode({ ...TEST_CONFIG, id }, stateWith(ABC, term, run(1, entries, lastTerm)), seededRng(seed));
}

function voteRequest(from: NodeId, to: NodeId, term: number, lastIndex: number, lastTerm: number, type: 'vote' | 'pre-vote' = 'vote'): Message {
  return { type, from, to, term, lastIndex, lastTerm, transfer: false };
}

function answersTo(messages: readonly Message[], type: Message['type']): Message[] {
  return messages.filter((m) => m.type === type);
}

describe('§5.1 terms', () => {
  it('a server that sees a higher term in a message adopts it and becomes a follower of the sender', () => {
    const net = new Network(ABC);
    net.elect('a');
    const a = net.node('a');
    a.step({ type: 'heartbeat', from: 'b', to: 'a', term: 5, commit: 0, ctx: null });
    expect(a.status()).toMatchObject({ term: 5, role: 'follower', leader: 'b' });
  });

  it('a candidate that sees a higher term steps down', () => {
    const a = lone('a', 1, 1, 1);
    for (let i = 0; i < 2 * TEST_CONFIG.electionTicks && a.status().role === 'follower'; i++) a.tick();
    expect(a.status().role).toBe('pre-candidate');
    a.step({ type: 'vote-resp', from: 'b', to: 'a', term: 7, reject: true });
    expect(a.status()).toMatchObject({ term: 7, role: 'follower', leader: null });
  });

  it('a message of a lower term is not acted on, and its sender is told the current term', () => {
    const b = lone('b', 4, 1, 3);
    drain(b);
    b.step({ type: 'append', from: 'a', to: 'b', term: 3, prevIndex: 3, prevTerm: 1, entries: run(4, 4, 3), commit: 4 });
    expect(b.status()).toMatchObject({ term: 4, lastIndex: 3, commit: 0 });
    const answers = drain(b);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ type: 'append-resp', to: 'a', term: 4 });
  });

  it('a stale vote request is refused with the current term', () => {
    const b = lone('b', 4);
    drain(b);
    b.step(voteRequest('c', 'b', 3, 9, 3));
    expect(b.status().term).toBe(4);
    expect(drain(b)).toEqual([expect.objectContaining({ type: 'vote-resp', reject: true, term: 4 })]);
  });
});

describe('§5.2 leader election', () => {
  it('a follower grants at most one vote per term', () => {
    const a = lone('a', 1);
    drain(a);
    a.step(voteRequest('b', 'a', 2, 1, 1));
    a.step(voteRequest('c', 'a', 2, 1, 1));
    const answers = answersTo(drain(a), 'vote-resp');
    expect(answers.map((m) => [m.to, (m as { reject: boolean }).reject])).toEqual([
      ['b', false],
      ['c', true],
    ]);
  });

  it('the vote is in the Ready that carries the granting answer, so it is durable before the answer leaves', () => {
    const a = lone('a', 1);
    drain(a);
    a.step(voteRequest('b', 'a', 2, 1, 1));
    const ready = a.ready();
    expect(ready.hardState).toMatchObject({ term: 2, vote: 'b' });
    expect(ready.messages).toEqual([expect.objectContaining({ type: 'vote-resp', reject: false, to: 'b' })]);
  });

  it('a server restarted from its disk does not vote again in the same term', () => {
    const disk = new Disk(stateWith(ABC, 1, run(1, 1, 1)));
    let a = new RaftNode({ ...TEST_CONFIG, id: 'a' }, disk.load(), seededRng(1));
    a.step(voteRequest('b', 'a', 2, 1, 1));
    const ready = a.ready();
    disk.persist(ready);
    a.advance(ready);
    a = new RaftNode({ ...TEST_CONFIG, id: 'a' }, disk.load(), seededRng(2));
    a.step(voteRequest('c', 'a', 2, 1, 1));
    expect(answersTo(drain(a), 'vote-resp')).toEqual([expect.objectContaining({ to: 'c', reject: true })]);
    a.step(voteRequest('b', 'a', 2, 1, 1));
    expect(answersTo(drain(a), 'vote-resp')).toEqual([expect.objectContaining({ to: 'b', reject: false })]);
  });

  it('election timeouts are random in [electionTicks, 2 * electionTicks)', () => {
    const timeouts = new Set<number>();
    for (let seed = 1; seed <= 200; seed++) {
      const a = lone('a', 1, 1, 1, seed);
      let ticks = 0;
      while (a.status().role === 'follower') {
        a.tick();
        ticks++;
      }
      timeouts.add(ticks);
    }
    const et = TEST_CONFIG.electionTicks;
    expect(Math.min(...timeouts)).toBe(et);
    expect(Math.max(...timeouts)).toBe(2 * et - 1);
    expect(timeouts.size).toBe(et);
  });

  it('a vote request the server refuses does not restart its election timer (Figure 2)', () => {
    const ticksToCampaign = (interrupt: boolean): number => {
      const a = lone('a', 2, 2, 5, 7);
      let ticks = 0;
      while (a.status().role === 'follower') {
        if (interrupt && ticks === TEST_CONFIG.electionTicks - 1) a.step(voteRequest('b', 'a', 9, 3, 1));
        a.tick();
        ticks++;
      }
      return ticks;
    };
    expect(ticksToCampaign(true)).toBe(ticksToCampaign(false));
  });

  it('a candidate that wins a majority becomes leader and announces itself', () => {
    const net = new Network(['a', 'b', 'c', 'd', 'e']);
    net.partition(['a', 'b', 'c'], ['d', 'e']);
    net.elect('a');
    expect(net.leaders()).toEqual(['a']);
    for (const id of ['b', 'c']) expect(net.node(id).status()).toMatchObject({ leader: 'a', term: 1 });
    expect(net.node('d').status().leader).toBeNull();
  });

  it('a candidate without a majority never becomes leader, and with pre-vote does not even raise its term', () => {
    const net = new Network(['a', 'b', 'c', 'd', 'e']);
    net.partition(['a', 'b'], ['c', 'd', 'e']);
    net.tick(100, ['a']);
    expect(net.node('a').status()).toMatchObject({ role: 'pre-candidate', term: 0 });
    expect(net.leaders()).toEqual([]);
  });

  it('without pre-vote, a candidate without a majority keeps raising its term', () => {
    const net = new Network(['a', 'b', 'c', 'd', 'e'], { preVote: false });
    net.partition(['a', 'b'], ['c', 'd', 'e']);
    net.tick(100, ['a']);
    expect(net.node('a').status().role).toBe('candidate');
    expect(net.node('a').status().term).toBeGreaterThan(3);
    expect(net.leaders()).toEqual([]);
  });

  it('a candidate that hears from a leader of its own term becomes its follower', () => {
    const net = new Network(ABC, { preVote: false });
    net.isolate('c');
    net.tick(25, ['c']);
    const c = net.node('c');
    expect(c.status().role).toBe('candidate');
    const term = c.status().term;
    c.step({ type: 'heartbeat', from: 'b', to: 'c', term, commit: 0, ctx: null });
    expect(c.status()).toMatchObject({ role: 'follower', leader: 'b', term });
  });

  it('elections always end with one leader, and never two in a term, under loss and duplication', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const net = new Network(['a', 'b', 'c', 'd', 'e'], {}, seed);
      const rng = seededRng(seed);
      net.filter = () => {
        const roll = rng.next();
        return roll < 0.2 ? 'drop' : roll < 0.3 ? 'duplicate' : 'deliver';
      };
      const leaderOfTerm = new Map<number, NodeId>();
      for (let t = 0; t < 300; t++) {
        net.tick(1);
        for (const id of net.leaders()) {
          const term = net.node(id).status().term;
          expect(leaderOfTerm.get(term) ?? id, `seed ${seed} term ${term}`).toBe(id);
          leaderOfTerm.set(term, id);
        }
      }
      net.filter = () => 'deliver';
      net.tick(30);
      expect(net.leaders(), `seed ${seed}`).toHaveLength(1);
    }
  });
});

describe('§5.4.1 election restriction', () => {
  it('a voter refuses a candidate whose last term is older', () => {
    const a = lone('a', 2, 2, 2);
    drain(a);
    a.step(voteRequest('b', 'a', 3, 9, 1));
    expect(answersTo(drain(a), 'vote-resp')).toEqual([expect.objectContaining({ reject: true })]);
  });

  it('a voter refuses a candidate of the same last term with a shorter log, and grants an equal one', () => {
    const a = lone('a', 2, 2, 3);
    drain(a);
    a.step(voteRequest('b', 'a', 3, 2, 2));
    a.step(voteRequest('c', 'a', 3, 3, 2));
    expect(answersTo(drain(a), 'vote-resp').map((m) => (m as { reject: boolean }).reject)).toEqual([true, false]);
  });

  it('a server that misses committed entries cannot be elected: the leader has every committed entry (leader completeness)', () => {
    const net = new Network(ABC);
    net.elect('a');
    net.isolate('c');
    net.propose('a', 'x');
    net.propose('a', 'y');
    net.stabilize();
    expect(net.get('b').applied).toEqual(['x', 'y']);
    net.heal();
    net.isolate('a');
    // c campaigns first, but b (which has x and y) refuses it; b then wins.
    net.tick(25, ['c']);
    expect(net.node('c').status().role).not.toBe('leader');
    net.tick(40, ['b', 'c']);
    expect(net.node('b').status()).toMatchObject({ role: 'leader', term: 2 });
    net.propose('b', 'z');
    net.tick(3, ['b', 'c']);
    expect(net.get('c').applied).toEqual(['x', 'y', 'z']);
  });
});

describe('pre-vote and leader stickiness (thesis §9.6)', () => {
  it('a partitioned server that rejoins cannot depose a healthy leader, and its term does not grow', () => {
    const net = new Network(ABC);
    net.elect('a');
    net.isolate('c');
    net.tick(100);
    expect(net.node('c').status()).toMatchObject({ term: 1, role: 'pre-candidate' });
    net.heal();
    net.tick(30);
    expect(net.leaders()).toEqual(['a']);
    for (const id of ABC) expect(net.node(id).status()).toMatchObject({ term: 1, leader: 'a' });
  });

  it('without pre-vote and check-quorum, the same rejoining server deposes the leader', () => {
    const net = new Network(ABC, { preVote: false, checkQuorum: false });
    net.elect('a');
    net.isolate('c');
    net.tick(100);
    expect(net.node('c').status().term).toBeGreaterThan(3);
    net.heal();
    net.tick(1);
    expect(net.node('a').status().term).toBeGreaterThan(1);
  });

  it('a follower that heard the leader within the election timeout ignores vote requests of higher terms', () => {
    const net = new Network(ABC);
    net.elect('a');
    const b = net.node('b');
    b.step(voteRequest('c', 'b', 2, 10, 1, 'pre-vote'));
    b.step(voteRequest('c', 'b', 2, 10, 1, 'vote'));
    expect(b.status()).toMatchObject({ term: 1, leader: 'a' });
    expect(drain(b)).toEqual([]);
  });

  it('a pre-vote is granted for a later term without moving the voter to it', () => {
    const a = lone('a', 1);
    drain(a);
    a.step(voteRequest('b', 'a', 2, 1, 1, 'pre-vote'));
    expect(a.status().term).toBe(1);
    expect(drain(a)).toEqual([expect.objectContaining({ type: 'pre-vote-resp', reject: false, term: 2 })]);
  });
});

describe('check-quorum (thesis §6.2)', () => {
  it('a leader cut off from the majority steps down within an election timeout', () => {
    const net = new Network(['a', 'b', 'c', 'd', 'e']);
    net.elect('a');
    net.partition(['a', 'b'], ['c', 'd', 'e']);
    net.tick(TEST_CONFIG.electionTicks * 2, ['a', 'b']);
    expect(net.node('a').status()).toMatchObject({ role: 'follower', leader: null });
  });

  it('a leader that hears a quorum stays leader', () => {
    const net = new Network(['a', 'b', 'c', 'd', 'e']);
    net.elect('a');
    net.partition(['a', 'b', 'c'], ['d', 'e']);
    net.tick(TEST_CONFIG.electionTicks * 5, ['a', 'b', 'c']);
    expect(net.leaders()).toEqual(['a']);
  });
});
