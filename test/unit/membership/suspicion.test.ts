import { describe, expect, it } from 'vitest';
import { PROFILES, type MembershipConfig } from '../../../src/core/membership/config.js';
import { Suspicion, expectedConfirmations, suspicionBounds, suspicionTimeout } from '../../../src/core/membership/suspicion.js';

/** memberlist's LAN numbers: suspicion mult 4, probe interval 1 s, max = 6 x min. */
const MEMBERLIST: MembershipConfig = { ...PROFILES.lan, suspicionMult: 4, probeIntervalMs: 1000, suspicionMaxTimeoutMult: 6 };

describe('suspicion timeout bounds: min = mult * max(1, log10 N) * probe interval, max = min * max mult', () => {
  it('is mult probe intervals for one member (log10 1 = 0 is raised to 1)', () => {
    expect(suspicionBounds(MEMBERLIST, 1)).toEqual({ minMs: 4000, maxMs: 24_000 });
  });

  it('is still mult probe intervals for 5 members (log10 5 < 1)', () => {
    expect(suspicionBounds(MEMBERLIST, 5)).toEqual({ minMs: 4000, maxMs: 24_000 });
  });

  it('grows with log10 N: three times as long at 1000 members', () => {
    expect(suspicionBounds(MEMBERLIST, 1000)).toEqual({ minMs: 12_000, maxMs: 72_000 });
  });

  it('treats an empty view like one member', () => {
    expect(suspicionBounds(MEMBERLIST, 0)).toEqual(suspicionBounds(MEMBERLIST, 1));
  });

  it('follows the lan profile: 2 s to 12 s in a small cluster, 6 s to 36 s at 1000', () => {
    expect(suspicionBounds(PROFILES.lan, 5)).toEqual({ minMs: 2000, maxMs: 12_000 });
    expect(suspicionBounds(PROFILES.lan, 1000)).toEqual({ minMs: 6000, maxMs: 36_000 });
  });
});

describe('expected confirmations k = mult - 2, or 0 when the cluster is too small to give them', () => {
  it('asks for mult - 2 confirmations once N - 2 others could give them', () => {
    expect(expectedConfirmations(MEMBERLIST, 4)).toBe(2);
    expect(expectedConfirmations(MEMBERLIST, 1000)).toBe(2);
  });

  it('asks for none when fewer than k members besides the suspect and the suspecter exist', () => {
    expect(expectedConfirmations(MEMBERLIST, 3)).toBe(0);
    expect(expectedConfirmations(MEMBERLIST, 1)).toBe(0);
  });

  it('asks for none with mult 2 or less, never a negative number', () => {
    expect(expectedConfirmations({ ...MEMBERLIST, suspicionMult: 2 }, 100)).toBe(0);
    expect(expectedConfirmations({ ...MEMBERLIST, suspicionMult: 1 }, 100)).toBe(0);
  });
});

describe('the timeout falls logarithmically from max to min as confirmations arrive', () => {
  it('is max with no confirmation and min once k arrived', () => {
    expect(suspicionTimeout(1000, 6000, 0, 3)).toBe(6000);
    expect(suspicionTimeout(1000, 6000, 3, 3)).toBe(1000);
  });

  it('is halfway (in log scale) after 1 of 3: max - log(2)/log(4) * (max - min)', () => {
    expect(suspicionTimeout(1000, 6000, 1, 3)).toBe(3500);
  });

  it('never goes below min, even with more confirmations than expected', () => {
    expect(suspicionTimeout(1000, 6000, 10, 3)).toBe(1000);
  });

  it('is min at once when k = 0 (nobody could confirm)', () => {
    expect(suspicionTimeout(1000, 6000, 0, 0)).toBe(1000);
    expect(suspicionTimeout(1000, 6000, 0, -1)).toBe(1000);
  });

  it('only shrinks as confirmations grow', () => {
    let last = Infinity;
    for (let c = 0; c <= 5; c++) {
      const t = suspicionTimeout(1000, 6000, c, 5);
      expect(t).toBeLessThanOrEqual(last);
      last = t;
    }
  });
});

describe('a running suspicion', () => {
  it('is due at start + max, and shrinks to start + min with k independent confirmations', () => {
    const s = new Suspicion(7, 10_000, 1000, 6000, 2, 'a');
    expect(s.incarnation).toBe(7);
    expect(s.deadline).toBe(16_000);
    expect(s.confirm('b')).toBe(true);
    expect(s.deadline).toBeLessThan(16_000);
    expect(s.confirm('c')).toBe(true);
    expect(s.deadline).toBe(11_000);
  });

  it('ignores a confirmation from the first suspecter', () => {
    const s = new Suspicion(0, 0, 1000, 6000, 2, 'a');
    expect(s.confirm('a')).toBe(false);
    expect(s.confirmations).toBe(0);
    expect(s.deadline).toBe(6000);
  });

  it('ignores a second confirmation from the same member', () => {
    const s = new Suspicion(0, 0, 1000, 6000, 2, 'a');
    expect(s.confirm('b')).toBe(true);
    const after = s.deadline;
    expect(s.confirm('b')).toBe(false);
    expect(s.confirmations).toBe(1);
    expect(s.deadline).toBe(after);
  });

  it('stops counting (and re-gossiping) after k confirmations', () => {
    const s = new Suspicion(0, 0, 1000, 6000, 1, 'a');
    expect(s.confirm('b')).toBe(true);
    expect(s.confirm('c')).toBe(false);
    expect(s.confirmations).toBe(1);
  });

  it('with k = 0 is due at start + min and takes no confirmation', () => {
    const s = new Suspicion(0, 500, 1000, 6000, 0, 'a');
    expect(s.deadline).toBe(1500);
    expect(s.confirm('b')).toBe(false);
    expect(s.deadline).toBe(1500);
  });
});
