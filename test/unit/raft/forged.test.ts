// Forged messages (docs/raft.md, "Forged messages"): without an authenticated
// transport anyone can send a member any message; one of them may cost a
// transient election, never a term or index no election can move on from.
import { describe, expect, it } from 'vitest';
import { decodeRaftMessages, encodeRaftMessages } from '../../../src/core/raft/codec.js';
import { RaftNode } from '../../../src/core/raft/node.js';
import { JUMP_BELIEVED_AFTER_ELECTIONS, JUMP_STREAK_GAP_ELECTIONS, JumpStreaks, MAX_INDEX, MAX_TERM, MAX_TERM_JUMP } from '../../../src/core/raft/plausible.js';
import type { Message } from '../../../src/core/raft/types.js';
import { seededRng } from '../../../src/core/rng.js';
import { Network, TEST_CONFIG, stateWith } from './harness.js';

const ABC = ['a', 'b', 'c'];
const LIMIT = Number.MAX_SAFE_INTEGER; // 2^53 - 1, the largest term the wire carries

/** A group of three led by a, with one write committed everywhere. */
function ledByA(): Network {
  const net = new Network(ABC);
  net.elect('a');
  net.propose('a', 'before');
  net.stabilize();
  return net;
}

function heartbeat(to: string, term: number, from = 'a'): Message {
  return { type: 'heartbeat', from, to, term, commit: 0, ctx: null };
}

/** Each member steps `m` (addressed to it), then the network settles. */
function forgeToAll(net: Network, make: (to: string) => Message): void {
  for (const id of ABC) net.node(id).step(make(id));
  net.stabilize();
}

/** The group elects a leader by itself and commits a new write on it. */
function recovers(net: Network): void {
  for (let i = 0; i < 10 && net.leaders().length !== 1; i++) net.tick(TEST_CONFIG.electionTicks);
  const [leader] = net.leaders();
  expect(leader).toBeDefined();
  net.propose(leader as string, 'after');
  net.tick(1);
  for (const id of ABC) expect(net.get(id).applied).toContain('after');
}

describe('forged terms', () => {
  it('a term at the ceiling is never adopted', () => {
    for (const term of [LIMIT, MAX_TERM]) {
      const net = ledByA();
      forgeToAll(net, (to) => heartbeat(to, term, to === 'a' ? 'b' : 'a'));
      for (const id of ABC) {
        expect(net.node(id).status().term).toBe(1);
        expect(net.node(id).status().refused['term-ceiling']).toBe(1);
      }
      expect(net.leaders()).toEqual(['a']);
      recovers(net);
    }
  });

  it('a term more than MAX_TERM_JUMP above the own term is refused; a forged term within it costs one election', () => {
    const net = ledByA();
    forgeToAll(net, (to) => heartbeat(to, 1 + MAX_TERM_JUMP + 1, to === 'a' ? 'b' : 'a'));
    for (const id of ABC) expect(net.node(id).status()).toMatchObject({ term: 1, refused: { 'term-jump': 1 } });
    forgeToAll(net, (to) => heartbeat(to, 1 + MAX_TERM_JUMP, to === 'a' ? 'b' : 'a'));
    for (const id of ABC) expect(net.node(id).status().term).toBe(1 + MAX_TERM_JUMP);
    recovers(net);
    const [leader] = net.leaders();
    expect(net.node(leader as string).status().term).toBeGreaterThan(1 + MAX_TERM_JUMP);
  });

  it('a member that keeps sending a term past the jump bound for JUMP_BELIEVED_AFTER_ELECTIONS election timeouts is believed; a pause starts over', () => {
    const streaks = new JumpStreaks(10);
    const gap = JUMP_STREAK_GAP_ELECTIONS * 10;
    const believedAt = JUMP_BELIEVED_AFTER_ELECTIONS * 10;
    expect(streaks.insisted('b', 0)).toBe(false);
    for (let t = gap; t < believedAt; t += gap) expect(streaks.insisted('b', t)).toBe(false);
    expect(streaks.insisted('b', believedAt)).toBe(true);
    expect(streaks.insisted('c', believedAt)).toBe(false);
    expect(streaks.insisted('b', 2 * believedAt + gap + 1)).toBe(false);
  });

  it('a leader that a far-ahead member keeps answering adopts its term in the end, and the group elects again', () => {
    const net = ledByA();
    net.node('c').step(heartbeat('c', 1 + MAX_TERM_JUMP, 'b'));
    net.node('c').step(heartbeat('c', 1 + 2 * MAX_TERM_JUMP, 'b'));
    net.stabilize();
    expect(net.node('c').status().term).toBe(1 + 2 * MAX_TERM_JUMP);
    net.tick(TEST_CONFIG.electionTicks);
    expect(net.node('a').status()).toMatchObject({ term: 1, role: 'leader' });
    expect(net.node('a').status().refused['term-jump']).toBeGreaterThan(0);
    net.tick((JUMP_BELIEVED_AFTER_ELECTIONS + 10) * TEST_CONFIG.electionTicks);
    for (const id of ABC) expect(net.node(id).status().term).toBeGreaterThanOrEqual(1 + 2 * MAX_TERM_JUMP);
    recovers(net);
  });

  it('a term forged just under the ceiling is refused as a jump, so the group can still elect', () => {
    const net = ledByA();
    forgeToAll(net, (to) => heartbeat(to, MAX_TERM - 1, to === 'a' ? 'b' : 'a'));
    for (const id of ABC) expect(net.node(id).status()).toMatchObject({ term: 1, refused: { 'term-jump': 1 } });
    recovers(net);
  });

  it('a message carrying a term above its own term is refused (a forged vote request with a log from the future)', () => {
    const net = ledByA();
    net.tick(2 * TEST_CONFIG.electionTicks, ['c']); // c no longer hears a leader, so it would grant a vote
    net.node('c').step({ type: 'vote', from: 'b', to: 'c', term: 2, lastIndex: 5, lastTerm: 3, transfer: true });
    expect(net.node('c').status()).toMatchObject({ term: 1, refused: { inconsistent: 1 } });
  });

  it('an index at the ceiling is refused (a vote request, a heartbeat commit, a snapshot)', () => {
    const net = ledByA();
    const b = net.node('b');
    b.step({ type: 'vote', from: 'c', to: 'b', term: 2, lastIndex: LIMIT, lastTerm: 1, transfer: true });
    b.step({ type: 'heartbeat', from: 'a', to: 'b', term: 1, commit: MAX_INDEX, ctx: null });
    b.step({ type: 'snapshot', from: 'a', to: 'b', term: 1, meta: { index: LIMIT, term: 1, conf: { voters: ABC, learners: [] } }, size: 0, offset: 0, chunk: new Uint8Array(0) });
    expect(b.status()).toMatchObject({ term: 1, leader: 'a', refused: { 'index-ceiling': 3 } });
    recovers(net);
  });

  it('a forged term is refused at the node after the real wire codec', () => {
    const net = ledByA();
    const frame = encodeRaftMessages([heartbeat('b', LIMIT), heartbeat('b', MAX_TERM), { type: 'timeout-now', from: 'c', to: 'b', term: 1 }]);
    const decoded = decodeRaftMessages(frame);
    if (!decoded.ok) throw new Error(decoded.reason);
    for (const m of decoded.value) net.node('b').step(m);
    expect(net.node('b').status()).toMatchObject({ term: 1, leader: 'a', refused: { 'term-ceiling': 2, 'timeout-now': 1 } });
  });

  it('a member whose stored term is at the ceiling refuses to start, saying why', () => {
    const state = stateWith(ABC, MAX_TERM, []);
    expect(() => new RaftNode({ ...TEST_CONFIG, id: 'a' }, state, seededRng(1))).toThrow(/stored Raft term 281474976710656 is at or above the ceiling/);
    expect(() => new RaftNode({ ...TEST_CONFIG, id: 'a' }, stateWith(ABC, MAX_TERM - 1, []), seededRng(1))).not.toThrow();
  });
});

describe('forged timeout-now', () => {
  const timeoutNow = (from: string, to: string, term: number): Message => ({ type: 'timeout-now', from, to, term });

  it('timeout-now is honoured only from the leader this voter follows, in its term', () => {
    const net = ledByA();
    net.node('b').step(timeoutNow('c', 'b', 1)); // not the leader
    net.node('b').step(timeoutNow('a', 'b', 2)); // the leader's id, a later term
    net.node('b').step(timeoutNow('a', 'b', 0)); // an earlier term
    net.stabilize();
    expect(net.leaders()).toEqual(['a']);
    expect(net.node('b').status()).toMatchObject({ term: 1, role: 'follower', leader: 'a', refused: { 'timeout-now': 3 } });
    net.node('b').step(timeoutNow('a', 'b', 1)); // indistinguishable from the real leader's: an election, no more
    net.stabilize();
    expect(net.leaders()).toEqual(['b']);
    recovers(net);
  });

  it('a learner or a member that follows no leader ignores timeout-now', () => {
    const net = ledByA();
    net.add('d', stateWith([...ABC], 0, []));
    expect(net.node('a').proposeConfChange({ type: 'add-learner', node: 'd' }).ok).toBe(true);
    net.tick(2);
    expect(net.node('d').status().leader).toBe('a');
    net.node('d').step(timeoutNow('a', 'd', net.node('d').status().term));
    net.stabilize();
    expect(net.leaders()).toEqual(['a']);
    expect(net.node('d').status().refused['timeout-now']).toBe(1);
  });
});
