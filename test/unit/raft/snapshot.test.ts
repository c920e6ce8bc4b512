// Log compaction and InstallSnapshot in chunks (paper §7).
import { describe, expect, it } from 'vitest';
import { RaftNode } from '../../../src/core/raft/node.js';
import { SnapshotAssembler } from '../../../src/core/raft/snapshot-transfer.js';
import type { Message, RaftConfig, SnapshotMeta } from '../../../src/core/raft/types.js';
import { joinState } from '../../../src/core/raft/types.js';
import { seededRng } from '../../../src/core/rng.js';
import { Network, TEST_CONFIG, bytes, drain } from './harness.js';

const ABC = ['a', 'b', 'c'];
type SnapshotMessage = Extract<Message, { type: 'snapshot' }>;

function chunksSent(net: Network, from: string, to: string): SnapshotMessage[] {
  return net.get(from).sent.filter((m): m is SnapshotMessage => m.type === 'snapshot' && m.to === to);
}

/** a leads; c missed 20 entries that a and b have compacted away (keeping what `overrides` says behind the snapshot). */
function lagging(overrides: Partial<Omit<RaftConfig, 'id'>> = {}): Network {
  const net = new Network(ABC, { snapshotChunkBytes: 16, ...overrides });
  net.elect('a');
  net.isolate('c');
  for (let i = 0; i < 20; i++) net.propose('a', `value-${i}`);
  net.stabilize();
  net.tick(1, ['a', 'b']);
  net.get('a').compact();
  net.get('b').compact();
  return net;
}

describe('§7 log compaction', () => {
  it('compacting at the applied index drops the log up to it; the snapshot records term and configuration', () => {
    const net = lagging();
    const a = net.get('a');
    expect(a.disk.entries).toEqual([]);
    expect(a.disk.snapshot?.meta).toEqual({ index: 21, term: 1, conf: { voters: ABC, learners: [] } });
    net.propose('a', 'more');
    net.tick(1, ['a', 'b']);
    expect(a.applied.at(-1)).toBe('more');
  });

  it('a snapshot cannot be taken past what the application applied', () => {
    const net = new Network(ABC);
    net.elect('a');
    net.isolate('b');
    net.isolate('c');
    const { index } = net.propose('a', 'uncommitted');
    net.stabilize();
    expect(() => net.node('a').compact(index, new Uint8Array(0))).toThrow(/not applied/);
  });

  it('a server restarted from a snapshot and the entries after it rebuilds the same state', () => {
    const net = lagging();
    net.propose('a', 'after-snapshot');
    net.tick(1, ['a', 'b']);
    const before = [...net.get('b').applied];
    net.get('b').restart();
    net.tick(1, ['a', 'b']);
    expect(net.get('b').applied).toEqual(before);
    expect(net.node('b').status()).toMatchObject({ commit: 22, lastIndex: 22 });
  });
});

describe('catch-up entries kept behind a snapshot', () => {
  const behind = (catchUpEntries: number, catchUpBytes = 1 << 20): Network => lagging({ catchUpEntries, catchUpBytes });

  it('a follower within them catches up from the log, without a snapshot', () => {
    const net = behind(32);
    expect(net.node('a').status().lastIndex).toBe(21);
    net.heal();
    net.tick(3);
    expect(chunksSent(net, 'a', 'c')).toEqual([]);
    expect(net.get('c').applied).toEqual(net.get('a').applied);
  });

  it('fewer than it missed, or more bytes than allowed: the follower needs the snapshot', () => {
    for (const net of [behind(5), behind(32, 40)]) {
      net.heal();
      net.tick(3);
      expect(chunksSent(net, 'a', 'c').length).toBeGreaterThan(0);
      expect(net.get('c').applied).toEqual(net.get('a').applied);
    }
  });
});

describe('§7 InstallSnapshot', () => {
  it('a follower behind the leader log start gets the snapshot in chunks, installs it and catches up', () => {
    const net = lagging();
    net.heal();
    net.tick(3);
    const chunks = chunksSent(net, 'a', 'c');
    const size = net.get('a').disk.snapshot?.data.length ?? 0;
    expect(chunks.length).toBe(Math.ceil(size / 16));
    expect(chunks.map((m) => m.offset)).toEqual(chunks.map((_, i) => i * 16));
    const c = net.get('c');
    expect(c.snapshotsInstalled.map((s) => s.meta.index)).toEqual([21]);
    expect(c.applied).toEqual(net.get('a').applied);
    net.propose('a', 'next');
    net.tick(1);
    expect(c.applied.at(-1)).toBe('next');
  });

  it('the follower progress is in snapshot state while the snapshot is in flight', () => {
    const net = lagging();
    net.heal();
    const a = net.node('a');
    const seen: boolean[] = [];
    a.tick();
    net.flush();
    while (net.deliverOne()) {
      net.flush();
      seen.push(a.status().progress?.['c']?.snapshot ?? false);
    }
    expect(seen).toContain(true);
    expect(a.status().progress?.['c']).toMatchObject({ snapshot: false, match: 21 });
  });

  it('a lost chunk is sent again, and a chunk past a gap makes the transfer start over from the first byte', () => {
    const net = lagging();
    let droppedOne = false;
    let rejectedOne = false;
    net.filter = (m) => {
      if (m.type === 'snapshot' && m.offset === 32 && !droppedOne) {
        droppedOne = true;
        return 'drop';
      }
      // The chunk at 64 arrives as if it were the one at 80: past a gap, so the follower starts over.
      if (m.type === 'snapshot' && m.offset === 64 && !rejectedOne) {
        rejectedOne = true;
        return { ...m, offset: 80 };
      }
      return 'deliver';
    };
    net.heal();
    net.tick(TEST_CONFIG.electionTicks);
    const offsets = chunksSent(net, 'a', 'c').map((m) => m.offset);
    expect(offsets.slice(0, 9)).toEqual([0, 16, 32, 32, 48, 64, 0, 16, 32]);
    expect(net.get('c').applied).toEqual(net.get('a').applied);
  });

  it('a follower rejects a chunk that does not follow the bytes it has', () => {
    const assembler = new SnapshotAssembler();
    const meta: SnapshotMeta = { index: 5, term: 2, conf: { voters: ABC, learners: [] } };
    const data = bytes('0123456789abcdef');
    expect(assembler.receive(meta, 16, 8, data.subarray(8, 16))).toEqual({ kind: 'reject' });
    expect(assembler.receive(meta, 16, 0, data.subarray(0, 8))).toEqual({ kind: 'progress', offset: 8 });
    expect(assembler.receive(meta, 16, 0, data.subarray(0, 8))).toEqual({ kind: 'progress', offset: 8 });
    const other: SnapshotMeta = { ...meta, index: 6 };
    expect(assembler.receive(other, 16, 8, data.subarray(8, 16))).toEqual({ kind: 'reject' });
    expect(assembler.receive(meta, 16, 0, data.subarray(0, 8))).toEqual({ kind: 'progress', offset: 8 });
    const done = assembler.receive(meta, 16, 8, data.subarray(8, 16));
    expect(done.kind === 'complete' && [...done.snapshot.data]).toEqual([...data]);
  });

  it('an out-of-order chunk makes the follower answer with a rejection', () => {
    const c = new RaftNode({ ...TEST_CONFIG, id: 'c' }, joinState(), seededRng(1));
    const meta: SnapshotMeta = { index: 5, term: 2, conf: { voters: ABC, learners: [] } };
    c.step({ type: 'snapshot', from: 'a', to: 'c', term: 2, meta, size: 16, offset: 8, chunk: new Uint8Array(8) });
    expect(drain(c)).toEqual([expect.objectContaining({ type: 'snapshot-resp', reject: true, index: 5 })]);
  });

  it('a leader that compacts again during a transfer keeps the entries the follower needs after it', () => {
    const net = lagging();
    net.filter = (m) => (m.type === 'snapshot-resp' ? 'drop' : 'deliver');
    net.heal();
    net.tick(1);
    expect(net.node('a').status().progress?.['c']?.snapshot).toBe(true);
    for (let i = 0; i < 5; i++) net.propose('a', `later-${i}`);
    net.tick(1);
    expect(net.get('a').compact().meta.index).toBe(26);
    net.filter = () => 'deliver';
    net.tick(TEST_CONFIG.electionTicks);
    const c = net.get('c');
    expect(c.snapshotsInstalled.map((s) => s.meta.index)).toEqual([21]);
    expect(c.applied).toEqual(net.get('a').applied);
  });

  it('a new member joining after compaction gets the compacted snapshot', () => {
    const net = lagging();
    net.heal();
    net.add('d', joinState());
    net.node('a').proposeConfChange({ type: 'add-learner', node: 'd' });
    net.tick(3);
    expect(net.get('d').snapshotsInstalled.map((s) => s.meta.index)).toEqual([21]);
    expect(net.get('d').applied).toEqual(net.get('a').applied);
    expect(net.node('d').status().conf).toEqual({ voters: ABC, learners: ['d'] });
  });
});
