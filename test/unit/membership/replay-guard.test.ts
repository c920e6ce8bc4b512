import { describe, expect, it } from 'vitest';
import { ReplayGuard } from '../../../src/runtime/membership/replay-guard.js';

const W = 30_000;
const nonce = (n: number): Uint8Array => {
  const b = new Uint8Array(12);
  new DataView(b.buffer).setUint32(8, n);
  return b;
};

describe('the replay guard', () => {
  it('admits a frame once; the same nonce again within the window is a replay', () => {
    const g = new ReplayGuard(0);
    expect(g.admit(nonce(1), 1000, 1000, W)).toBe('ok');
    expect(g.admit(nonce(1), 1000, 5000, W)).toBe('replay');
    expect(g.admit(nonce(2), 1000, 5000, W)).toBe('ok');
  });

  it('a frame stamped outside ±window of our clock is stale, whichever side', () => {
    const g = new ReplayGuard(0);
    expect(g.admit(nonce(1), 100_000 - W - 1, 100_000, W)).toBe('stale');
    expect(g.admit(nonce(2), 100_000 + W + 1, 100_000, W)).toBe('stale');
    expect(g.admit(nonce(3), 100_000 - W, 100_000, W)).toBe('ok');
    expect(g.admit(nonce(4), 100_000 + W, 100_000, W)).toBe('ok');
  });

  it('frames stamped before the guard started are stale (no replays across a restart)', () => {
    const g = new ReplayGuard(50_000);
    expect(g.admit(nonce(1), 49_000, 50_000, W)).toBe('stale');
    expect(g.admit(nonce(2), 50_001, 50_001, W)).toBe('ok');
  });

  it('holds at most its capacity, and a nonce it had to forget is refused as stale, never admitted twice', () => {
    const g = new ReplayGuard(0, 100);
    for (let i = 1; i <= 1000; i++) expect(g.admit(nonce(i), 1000 + i, 2000, W)).toBe('ok');
    expect(g.size).toBe(100);
    for (let i = 1; i <= 1000; i++) expect(g.admit(nonce(i), 1000 + i, 2000, W)).not.toBe('ok');
  });

  it('a full guard forgets the earliest-stamped nonce: a peer whose clock runs ahead cannot push the others out', () => {
    const g = new ReplayGuard(0, 3);
    expect(g.admit(nonce(1), 20_000, 1000, W)).toBe('ok'); // a peer 19 s ahead
    expect(g.admit(nonce(2), 1000, 1000, W)).toBe('ok');
    expect(g.admit(nonce(3), 1001, 1001, W)).toBe('ok');
    expect(g.admit(nonce(4), 1002, 1002, W)).toBe('ok');
    expect(g.admit(nonce(5), 1003, 1003, W)).toBe('ok');
    expect(g.admit(nonce(2), 1000, 1004, W)).toBe('stale');
    expect(g.admit(nonce(1), 20_000, 1005, W)).toBe('replay');
  });

  it('forgets nonces once their time has left the window', () => {
    const g = new ReplayGuard(0);
    for (let i = 1; i <= 50; i++) g.admit(nonce(i), 1000, 1000, W);
    expect(g.admit(nonce(99), 1000 + W + 2, 1000 + W + 2, W)).toBe('ok');
    expect(g.size).toBe(1);
  });
});
