import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { elect } from '../../../src/core/election/leader.js';
import { compareNatural } from '../../../src/core/election/natural-order.js';

const sorted = (ids: string[]): string[] => [...ids].sort(compareNatural);

describe('node IDs compare in natural order', () => {
  it('orders digit runs by value: node2 < node10 < node100', () => {
    expect(sorted(['node10', 'node100', 'node2', 'node1'])).toEqual(['node1', 'node2', 'node10', 'node100']);
  });

  it('compares digit runs by value whatever their leading zeros: node002 < node10, node010 > node9', () => {
    expect(compareNatural('node002', 'node10')).toBeLessThan(0);
    expect(compareNatural('node010', 'node9')).toBeGreaterThan(0);
    expect(sorted(['node010', 'node9', 'node001'])).toEqual(['node001', 'node9', 'node010']);
  });

  it('still tells apart IDs equal in value (node2 and node002), consistently both ways', () => {
    expect(compareNatural('node2', 'node002')).not.toBe(0);
    expect(Math.sign(compareNatural('node2', 'node002')) + Math.sign(compareNatural('node002', 'node2'))).toBe(0);
  });

  it('compares several digit runs in turn: rack1-node10 > rack1-node9, rack2-node1 > rack1-node99', () => {
    expect(sorted(['rack2-node1', 'rack1-node10', 'rack1-node9', 'rack1-node99'])).toEqual(['rack1-node9', 'rack1-node10', 'rack1-node99', 'rack2-node1']);
  });

  it('orders mixed names by text where they differ in text: db2 < db10 < web1', () => {
    expect(sorted(['web1', 'db10', 'db2'])).toEqual(['db2', 'db10', 'web1']);
  });

  it('puts a prefix first: node < node1', () => {
    expect(compareNatural('node', 'node1')).toBeLessThan(0);
  });

  it('compares digit runs longer than a double holds exactly', () => {
    expect(compareNatural('n12345678901234567890', 'n12345678901234567891')).toBeLessThan(0);
    expect(compareNatural('n99999999999999999999', 'n100000000000000000000')).toBeLessThan(0);
  });

  it('is 0 only for equal IDs', () => {
    expect(compareNatural('node7', 'node7')).toBe(0);
  });

  it('is a total order on any IDs: antisymmetric, transitive, 0 only for equal strings', () => {
    const id = fc.stringMatching(/^[a-c0-2.-]{0,6}$/);
    fc.assert(
      fc.property(id, id, id, (a, b, c) => {
        expect(Math.sign(compareNatural(a, b)) + Math.sign(compareNatural(b, a))).toBe(0);
        expect(compareNatural(a, b) === 0).toBe(a === b);
        if (compareNatural(a, b) < 0 && compareNatural(b, c) < 0) expect(compareNatural(a, c)).toBeLessThan(0);
      }),
      { numRuns: 5000, seed: 42 },
    );
  });
});

describe('leader by node ID, with quorum', () => {
  const alive5 = ['node3', 'node10', 'node2', 'node4', 'node5'];

  it('is the lowest natural-order ID among the members seen alive', () => {
    expect(elect({ alive: alive5, expected: 5, previous: null, preempt: true }).leader).toBe('node2');
  });

  it('needs a majority of the expected size: 3 of 5, 3 of 4, 4 of 6, 2 of 2, 1 of 1', () => {
    const needed = (expected: number): number => elect({ alive: [], expected, previous: null, preempt: true }).quorum.needed;
    expect([5, 4, 6, 2, 1].map(needed)).toEqual([3, 3, 4, 2, 1]);
  });

  it('elects nobody without a quorum (the minority side of a partition), and says why', () => {
    const e = elect({ alive: ['node1', 'node2'], expected: 5, previous: 'node1', preempt: true });
    expect(e.leader).toBeNull();
    expect(e.quorum).toEqual({ needed: 3, seen: 2, reached: false });
    expect(e.reason).toMatch(/no quorum/);
  });

  it('elects with exactly a quorum', () => {
    const e = elect({ alive: ['node5', 'node4', 'node3'], expected: 5, previous: null, preempt: true });
    expect(e.leader).toBe('node3');
    expect(e.quorum.reached).toBe(true);
  });

  it('is its own quorum when no expected size is set', () => {
    expect(elect({ alive: ['node9'], expected: 0, previous: null, preempt: true }).leader).toBe('node9');
  });

  it('with preempt on, hands leadership to a returning lower ID', () => {
    expect(elect({ alive: alive5, expected: 5, previous: 'node3', preempt: true }).leader).toBe('node2');
  });

  it('with preempt off, keeps a live leader when a lower ID returns', () => {
    const e = elect({ alive: alive5, expected: 5, previous: 'node3', preempt: false });
    expect(e.leader).toBe('node3');
    expect(e.reason).toMatch(/preempt/);
  });

  it('with preempt off, still replaces a leader that is no longer seen alive', () => {
    expect(elect({ alive: alive5, expected: 5, previous: 'node1', preempt: false }).leader).toBe('node2');
  });

  it('with preempt off, elects nobody without a quorum even if the previous leader is seen', () => {
    expect(elect({ alive: ['node1', 'node2'], expected: 5, previous: 'node1', preempt: false }).leader).toBeNull();
  });

  it('does not depend on the order of the alive list', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(alive5, { minLength: 3, maxLength: 5 }), (alive) => {
        const reversed = [...alive].reverse();
        expect(elect({ alive, expected: 5, previous: null, preempt: true }).leader).toBe(elect({ alive: reversed, expected: 5, previous: null, preempt: true }).leader);
      }),
      { seed: 7 },
    );
  });
});

describe('suspected members', () => {
  it('a suspected leader stays leader, but suspects do not make the quorum', () => {
    expect(elect({ alive: ['node2', 'node3', 'node4'], suspected: ['node1'], expected: 5, previous: 'node1', preempt: true }).leader).toBe('node1');
    const cutOff = elect({ alive: ['node5', 'node4'], suspected: ['node1', 'node2', 'node3'], expected: 5, previous: 'node1', preempt: true });
    expect(cutOff.leader).toBeNull();
    expect(cutOff.quorum).toEqual({ needed: 3, seen: 2, reached: false });
  });
});

