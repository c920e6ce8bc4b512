// Log replication and commitment, after the paper's §5.3 and §5.4.2 (Figure 8),
// plus flow control, persistence and hostile networks.
import { describe, expect, it } from 'vitest';
import { RaftNode } from '../../../src/core/raft/node.js';
import type { Entry, Message, NodeId } from '../../../src/core/raft/types.js';
import { seededRng } from '../../../src/core/rng.js';
import { Network, TEST_CONFIG, bytes, drain, entry, run, stateWith, termsOf, text } from './harness.js';

const ABC = ['a', 'b', 'c'];
const FIVE = ['s1', 's2', 's3', 's4', 's5'];

function appendsTo(messages: readonly Message[], to: NodeId): Extract<Message, { type: 'append' }>[] {
  return messages.filter((m): m is Extract<Message, { type: 'append' }> => m.type === 'append' && m.to === to);
}

function rejectionsFrom(messages: readonly Message[], from: NodeId): number {
  return messages.filter((m) => m.type === 'append-resp' && m.from === from && m.reject).length;
}

describe('§5.3 log replication', () => {
  it('a new leader appends a no-op of its term, and an entry is committed once a majority stores it', () => {
    const net = new Network(ABC);
    net.elect('a');
    expect(net.get('a').committed.map((e) => [e.index, e.term, e.kind])).toEqual([[1, 1, 'normal']]);
    net.isolate('c');
    const { index } = net.propose('a', 'x');
    net.stabilize();
    expect(net.node('a').status().commit).toBe(index);
    expect(net.get('c').applied).toEqual([]);
  });

  it('an entry stored by a minority is not committed', () => {
    const net = new Network(['a', 'b', 'c', 'd', 'e']);
    net.elect('a');
    net.partition(['a', 'b'], ['c', 'd', 'e']);
    const { index } = net.propose('a', 'x');
    net.stabilize();
    expect(net.node('b').status().lastIndex).toBe(index);
    expect(net.node('a').status().commit).toBe(index - 1);
    expect(net.get('a').applied).toEqual([]);
  });

  it('followers apply committed entries in log order, the same on every server', () => {
    const net = new Network(ABC);
    net.elect('a');
    for (let i = 0; i < 20; i++) net.propose('a', `v${i}`);
    net.stabilize();
    net.tick(2);
    const expected = Array.from({ length: 20 }, (_, i) => `v${i}`);
    for (const id of ABC) expect(net.get(id).applied).toEqual(expected);
  });

  it('a follower rejects an append whose previous entry it does not have (log matching)', () => {
    const b = new RaftNode({ ...TEST_CONFIG, id: 'b' }, stateWith(ABC, 2, run(1, 2, 1)), seededRng(1));
    drain(b);
    b.step({ type: 'append', from: 'a', to: 'b', term: 2, prevIndex: 2, prevTerm: 2, entries: [entry(3, 2)], commit: 0 });
    expect(b.status().lastIndex).toBe(2);
    expect(drain(b)).toEqual([expect.objectContaining({ type: 'append-resp', reject: true, index: 2, hintIndex: 2, hintTerm: 1 })]);
  });

  it('a follower replaces a conflicting uncommitted suffix with the leader entries', () => {
    const states = {
      a: stateWith(ABC, 2, [...run(1, 1, 1), ...run(2, 3, 2)]),
      b: stateWith(ABC, 2, [...run(1, 1, 1), ...run(2, 3, 2)]),
      c: stateWith(ABC, 1, run(1, 6, 1)),
    };
    const net = new Network(ABC, {}, 1, states);
    net.elect('a');
    net.propose('a', 'x');
    net.stabilize();
    expect(termsOf(net.get('c').disk)).toEqual([1, 2, 2, 3, 3]);
    expect(net.node('c').status().lastIndex).toBe(5);
  });

  it('a rejection carries a hint that lets the leader skip a whole conflicting term in one step', () => {
    const states = {
      a: stateWith(ABC, 3, [...run(1, 10, 1), ...run(11, 60, 3)]),
      b: stateWith(ABC, 3, [...run(1, 10, 1), ...run(11, 60, 3)]),
      c: stateWith(ABC, 2, [...run(1, 10, 1), ...run(11, 60, 2)]),
    };
    const net = new Network(ABC, {}, 1, states);
    net.elect('a');
    net.tick(2);
    expect(rejectionsFrom(net.get('c').sent, 'c')).toBe(1);
    expect(termsOf(net.get('c').disk)).toEqual(termsOf(net.get('a').disk));
  });

  it('duplicated, reordered and stale appends never cut entries the follower already acknowledged', () => {
    const b = new RaftNode({ ...TEST_CONFIG, id: 'b' }, stateWith(ABC, 2, run(1, 1, 1)), seededRng(1));
    drain(b);
    const short: Message = { type: 'append', from: 'a', to: 'b', term: 2, prevIndex: 1, prevTerm: 1, entries: run(2, 3, 2), commit: 1 };
    const long: Message = { type: 'append', from: 'a', to: 'b', term: 2, prevIndex: 1, prevTerm: 1, entries: run(2, 5, 2), commit: 1 };
    b.step(long);
    b.step(short);
    b.step(short);
    expect(b.status().lastIndex).toBe(5);
    const stale: Message = { type: 'append', from: 'x', to: 'b', term: 1, prevIndex: 1, prevTerm: 1, entries: run(2, 2, 1), commit: 2 };
    b.step(stale);
    expect(b.status()).toMatchObject({ lastIndex: 5, term: 2, commit: 1 });
  });

  it('malformed appends (gaps, terms beyond the message) are ignored', () => {
    const b = new RaftNode({ ...TEST_CONFIG, id: 'b' }, stateWith(ABC, 2, run(1, 1, 1)), seededRng(1));
    drain(b);
    b.step({ type: 'append', from: 'a', to: 'b', term: 2, prevIndex: 1, prevTerm: 1, entries: [entry(2, 2), entry(4, 2)], commit: 0 });
    b.step({ type: 'append', from: 'a', to: 'b', term: 2, prevIndex: 1, prevTerm: 1, entries: [entry(2, 3)], commit: 0 });
    expect(b.status().lastIndex).toBe(1);
  });

  it('under loss, duplication and reordering every server applies the same sequence, and nothing committed is lost', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const net = new Network(['a', 'b', 'c', 'd', 'e'], {}, seed);
      const rng = seededRng(seed);
      net.filter = () => {
        const roll = rng.next();
        return roll < 0.15 ? 'drop' : roll < 0.25 ? 'duplicate' : 'deliver';
      };
      const accepted: { index: number; term: number; data: string }[] = [];
      for (let t = 0; t < 200; t++) {
        for (const id of net.servers.keys()) net.node(id).tick();
        net.flush();
        // Deliver in a shuffled order.
        rng.shuffle(net.queue);
        while (net.deliverOne()) net.flush();
        const leader = net.leaders().at(-1);
        if (leader && t % 3 === 0) {
          const result = net.node(leader).propose(bytes(`s${seed}t${t}`));
          if (result.ok) accepted.push({ index: result.index, term: result.term, data: `s${seed}t${t}` });
        }
      }
      net.filter = () => 'deliver';
      net.tick(30);
      const reference = net.get('a').committed;
      for (const server of net.servers.values()) {
        expect(server.committed.map(describeEntry), `seed ${seed} ${server.id}`).toEqual(reference.map(describeEntry));
      }
      // A proposal is committed exactly when an entry of its term shows up at its index.
      const byIndex = new Map(reference.map((e) => [e.index, e]));
      const kept = accepted.filter((p) => byIndex.get(p.index)?.term === p.term);
      for (const p of kept) expect(text(dataOf(byIndex.get(p.index)))).toBe(p.data);
      expect(kept.length, `seed ${seed}`).toBeGreaterThan(10);
    }
  });
});

function describeEntry(e: Entry): string {
  return `${e.index}@${e.term}:${e.kind === 'normal' ? text(e.data) : e.change.type}`;
}

function dataOf(e: Entry | undefined): Uint8Array {
  return e?.kind === 'normal' ? e.data : new Uint8Array(0);
}

describe('§5.4.2 committing entries from previous terms (Figure 8)', () => {
  // s1 led term 2 and stored index 2 on s2; s5 led term 3 and stored its own index 2 alone.
  const figure8 = {
    s1: stateWith(FIVE, 3, [entry(1, 1), entry(2, 2, 'old')]),
    s2: stateWith(FIVE, 3, [entry(1, 1), entry(2, 2, 'old')]),
    s3: stateWith(FIVE, 3, [entry(1, 1)]),
    s4: stateWith(FIVE, 3, [entry(1, 1)]),
    s5: stateWith(FIVE, 3, [entry(1, 1), entry(2, 3, 'five')]),
  };

  /** s1 wins term 4 and copies index 2 to s3, but none of its term-4 entries reach anyone. */
  function figure8c(unsafeCommitPreviousTerm: boolean): Network {
    const net = new Network(FIVE, { maxEntriesPerAppend: 1, unsafeCommitPreviousTerm }, 1, figure8);
    net.isolate('s5');
    net.filter = (m) => (m.type === 'append' ? { ...m, entries: m.entries.filter((e) => e.term !== 4) } : 'deliver');
    net.elect('s1');
    net.tick(3, ['s1', 's2', 's3', 's4']);
    return net;
  }

  it('a leader does not commit an entry of an earlier term by counting its replicas', () => {
    const net = figure8c(false);
    expect(net.node('s1').status()).toMatchObject({ role: 'leader', term: 4, commit: 0 });
    expect(net.get('s3').disk.entries.map((e) => e.term)).toEqual([1, 2]);
    expect(net.get('s1').committed.filter((e) => e.index === 2)).toEqual([]);
  });

  /** s1 crashes for good, the others restart; s5 (last term 3) wins term 5 with the votes of s2, s3, s4. */
  function figure8d(net: Network): void {
    net.heal();
    net.filter = () => 'deliver';
    net.isolate('s1');
    for (const id of ['s2', 's3', 's4']) net.get(id).restart();
    net.elect('s5');
  }

  it('so a later leader may replace that entry, and no server ever applied it', () => {
    const net = figure8c(false);
    figure8d(net);
    expect(net.node('s5').status()).toMatchObject({ role: 'leader', term: 5 });
    net.tick(3, ['s2', 's3', 's4', 's5']);
    for (const id of ['s2', 's3', 's4', 's5']) {
      expect(net.get(id).committed.map(describeEntry).slice(0, 2)).toEqual(['1@1:1@1', '2@3:five']);
    }
    expect(net.get('s1').applied).not.toContain('old');
  });

  it('the earlier entry commits together with an entry of the current term', () => {
    const net = figure8c(false);
    net.filter = () => 'deliver';
    net.tick(2, ['s1', 's2', 's3', 's4']);
    expect(net.node('s1').status().commit).toBe(3);
    expect(net.get('s1').committed.map(describeEntry)).toEqual(['1@1:1@1', '2@2:old', '3@4:']);
  });

  it('with the test-only unsafe switch the leader does commit it, and a later leader overwrites a committed entry', () => {
    const net = figure8c(true);
    expect(net.get('s1').applied).toContain('old');
    expect(net.get('s2').applied).toContain('old');
    expect(() => {
      figure8d(net);
      net.tick(3, ['s2', 's3', 's4', 's5']);
    }).toThrow(/committed entry 2/);
  });
});

describe('flow control', () => {
  it('a follower in replicate state has at most maxInflightAppends unacknowledged appends', () => {
    const net = new Network(ABC, { maxInflightAppends: 2, maxEntriesPerAppend: 1 });
    net.elect('a');
    net.propose('a', 'warm-up');
    net.stabilize();
    // b's answers are lost from now on.
    net.partition(['a'], ['b']);
    net.heal();
    net.filter = (m) => (m.from === 'b' && m.to === 'a' ? 'drop' : 'deliver');
    const before = net.get('a').sent.length;
    for (let i = 0; i < 10; i++) net.propose('a', `p${i}`);
    net.stabilize();
    const carrying = appendsTo(net.get('a').sent.slice(before), 'b').filter((m) => m.entries.length > 0);
    expect(carrying).toHaveLength(2);
    expect(net.get('c').applied).toHaveLength(11);
    net.filter = () => 'deliver';
    net.tick(3);
    expect(net.get('b').applied).toHaveLength(11);
  });

  it('a follower in probe state gets one append per heartbeat answer until it answers an append', () => {
    const net = new Network(ABC, { maxEntriesPerAppend: 1 });
    net.isolate('c');
    net.elect('a');
    net.heal();
    net.filter = (m) => (m.type === 'append-resp' && m.from === 'c' ? 'drop' : 'deliver');
    const before = net.get('a').sent.length;
    for (let i = 0; i < 5; i++) net.propose('a', `p${i}`);
    net.stabilize();
    expect(appendsTo(net.get('a').sent.slice(before), 'c')).toHaveLength(0);
    net.tick(3);
    expect(appendsTo(net.get('a').sent.slice(before), 'c')).toHaveLength(3);
    net.filter = () => 'deliver';
    net.tick(2);
    expect(net.get('c').applied).toHaveLength(5);
  });

  it('appends respect maxEntriesPerAppend and maxBytesPerAppend, but always carry one entry', () => {
    const net = new Network(ABC, { maxEntriesPerAppend: 3, maxBytesPerAppend: 10 });
    net.elect('a');
    net.isolate('c');
    for (let i = 0; i < 9; i++) net.propose('a', 'x'.repeat(i === 4 ? 50 : 4));
    net.stabilize();
    net.heal();
    const before = net.get('a').sent.length;
    net.tick(3);
    const sizes = appendsTo(net.get('a').sent.slice(before), 'c').map((m) => m.entries.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
    for (const m of appendsTo(net.get('a').sent.slice(before), 'c')) {
      const bytesSent = m.entries.reduce((n, e) => n + (e.kind === 'normal' ? e.data.length : 0), 0);
      expect(m.entries.length === 1 || bytesSent <= 10).toBe(true);
    }
    expect(net.get('c').applied).toHaveLength(9);
  });
});

describe('persistence', () => {
  it('servers restarted from what they persisted carry on with the same log and commit', () => {
    const net = new Network(ABC);
    net.elect('a');
    for (let i = 0; i < 5; i++) net.propose('a', `p${i}`);
    net.stabilize();
    net.tick(2);
    for (const id of ABC) net.get(id).restart();
    expect(net.node('a').status()).toMatchObject({ role: 'follower', term: 1 });
    net.tick(40);
    const leader = net.leaders()[0];
    expect(leader).toBeDefined();
    net.propose(leader ?? 'a', 'after');
    net.stabilize();
    net.tick(2);
    for (const id of ABC) expect(net.get(id).applied).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'after']);
  });

  it('entries handed out for persisting are not handed out again, and an unpersisted crash loses only them', () => {
    const net = new Network(ABC);
    net.elect('a');
    const a = net.node('a');
    a.propose(bytes('lost'));
    // a crashes before it handles the Ready: nothing was persisted or sent.
    net.get('a').restart();
    net.tick(40);
    expect(net.get('b').applied).not.toContain('lost');
  });
});
