import { describe, expect, it } from 'vitest';
import type { Entry } from '../../src/core/raft/types.js';
import { StoredLog } from './raft-log.js';
import { SafetyChecker, SafetyViolation } from './raft-invariants.js';

// The simulation's safety checks themselves: each one must catch the breach it names.

const entry = (index: number, term: number, text = `e${index}`): Entry => ({ index, term, kind: 'normal', data: new TextEncoder().encode(text) });
const log = (...entries: Entry[]): StoredLog => new StoredLog(undefined, entries);

describe('the simulation catches every broken Raft safety property', () => {
  it('two leaders in one term break election safety (§5.2)', () => {
    const checker = new SafetyChecker();
    checker.becameLeader('n1', 3, log());
    checker.leaderActs('n1', 3);
    expect(() => checker.leaderActs('n2', 3)).toThrow(/election safety: n1 and n2/);
  });

  it('the same index and term with different commands, or after different terms, break log matching (§5.3)', () => {
    const checker = new SafetyChecker();
    const a = log(entry(1, 1), entry(2, 2, 'x'));
    checker.appended('n1', [entry(1, 1), entry(2, 2, 'x')], a);
    expect(() => checker.appended('n2', [entry(1, 1), entry(2, 2, 'y')], log(entry(1, 1), entry(2, 2, 'y')))).toThrow(/log matching: index 2 term 2 has different commands/);
    expect(() => checker.appended('n3', [entry(2, 2, 'x')], log(entry(1, 2), entry(2, 2, 'x')))).toThrow(/different terms before it/);
  });

  it('a committed entry missing from a later leader breaks leader completeness (§5.4)', () => {
    const checker = new SafetyChecker();
    checker.committed('n1', 1, 2, log(entry(1, 1), entry(2, 1)));
    expect(() => checker.becameLeader('n2', 2, log(entry(1, 1)))).toThrow(/leader completeness: n2, leader of term 2, lacks the entry committed at index 2/);
  });

  it('two servers applying different entries at one index break state machine safety (§5.4.3)', () => {
    const checker = new SafetyChecker();
    checker.applied('n1', 1, entry(1, 1, 'a'));
    expect(() => checker.applied('n2', 2, entry(1, 2, 'b'))).toThrow(SafetyViolation);
  });

  it('a persisted term going back or a vote changed within its term is caught', () => {
    const checker = new SafetyChecker();
    expect(() => checker.persisted('n1', { term: 3, vote: null, commit: 0 }, { term: 2, vote: null, commit: 0 })).toThrow(/persisted term/);
    expect(() => checker.persisted('n1', { term: 3, vote: 'n2', commit: 0 }, { term: 3, vote: 'n3', commit: 0 })).toThrow(/changed its vote in term 3/);
    checker.persisted('n1', { term: 3, vote: 'n2', commit: 0 }, { term: 4, vote: 'n3', commit: 0 });
  });
});
