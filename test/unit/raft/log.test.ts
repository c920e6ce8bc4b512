// The log's term lookups and the quorum maths the rest is built on.
import { describe, expect, it } from 'vitest';
import { RaftLog } from '../../../src/core/raft/log.js';
import { committedIndex, hasQuorum, voteResult } from '../../../src/core/raft/quorum.js';
import type { ConfState } from '../../../src/core/raft/types.js';
import { entry, run, stateWith } from './harness.js';

const ABC = ['a', 'b', 'c'];

describe('the log', () => {
  const log = (): RaftLog => new RaftLog(stateWith(ABC, 3, [...run(1, 3, 1), ...run(4, 6, 2), ...run(7, 8, 3)]));

  it('knows the term of every entry it holds, and of the snapshot base, and nothing else', () => {
    const l = log();
    expect([0, 1, 4, 8, 9].map((i) => l.term(i))).toEqual([0, 1, 2, 3, undefined]);
    l.commitTo(5);
    l.stableTo(8, 3);
    l.compact(4);
    expect([3, 4, 5].map((i) => l.term(i))).toEqual([undefined, 2, 2]);
    expect(l.firstIndex()).toBe(5);
  });

  it('finds the last entry at or before an index with a term no later than a given one (fast back-off)', () => {
    const l = log();
    expect(l.findConflictByTerm(8, 2)).toEqual({ index: 6, term: 2 });
    expect(l.findConflictByTerm(5, 1)).toEqual({ index: 3, term: 1 });
    expect(l.findConflictByTerm(20, 3)).toEqual({ index: 8, term: 3 });
    expect(l.findConflictByTerm(8, 0)).toEqual({ index: 0, term: 0 });
  });

  it('keeps matching entries, cuts a conflicting suffix and reports it', () => {
    const l = log();
    expect(l.maybeAppend(3, 1, [entry(4, 2), entry(5, 2)])).toEqual({ lastNew: 5, truncated: false });
    expect(l.lastIndex()).toBe(8);
    expect(l.maybeAppend(5, 2, [entry(6, 4)])).toEqual({ lastNew: 6, truncated: true });
    expect(l.lastIndex()).toBe(6);
    expect(l.unstableEntries().map((e) => e.index)).toEqual([6]);
    expect(l.maybeAppend(6, 2, [])).toBeNull();
  });

  it('refuses to replace a committed entry', () => {
    const l = log();
    l.commitTo(5);
    expect(() => l.maybeAppend(3, 1, [entry(4, 9)])).toThrow(/committed entry 4/);
  });

  it('compares logs by last term, then length (§5.4.1)', () => {
    const l = log();
    expect(l.isUpToDate(8, 3)).toBe(true);
    expect(l.isUpToDate(7, 3)).toBe(false);
    expect(l.isUpToDate(2, 4)).toBe(true);
    expect(l.isUpToDate(100, 2)).toBe(false);
  });
});

describe('quorums', () => {
  const four: ConfState = { voters: ['a', 'b', 'c', 'd'], learners: ['e'] };

  it('commits the highest index a majority of voters hold; learners do not count', () => {
    const match: Record<string, number> = { a: 9, b: 7, c: 5, d: 3, e: 100 };
    expect(committedIndex(four, (id) => match[id] ?? 0)).toBe(5);
    expect(committedIndex({ voters: ABC, learners: [] }, (id) => match[id] ?? 0)).toBe(7);
  });

  it('decides an election as soon as the outcome is certain', () => {
    expect(voteResult(four, new Map([['a', true], ['b', true]]))).toBe('pending');
    expect(voteResult(four, new Map([['a', true], ['b', true], ['c', true]]))).toBe('won');
    expect(voteResult(four, new Map([['a', true], ['b', false], ['c', false]]))).toBe('lost');
    expect(voteResult(four, new Map([['e', true], ['a', true], ['b', true]]))).toBe('pending');
  });

  it('needs a strict majority', () => {
    expect(hasQuorum(four, (id) => id === 'a' || id === 'b')).toBe(false);
    expect(hasQuorum(four, (id) => id !== 'd')).toBe(true);
  });
});
