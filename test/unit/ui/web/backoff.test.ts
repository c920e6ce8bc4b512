import { describe, expect, it } from 'vitest';
import { FIRST_RETRY_MS, LONGEST_RETRY_MS, retryDelayMs } from '../../../../src/ui/web/backoff.js';

describe('reconnecting backs off', () => {
  it('doubles from half a second and stops at ten seconds', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => retryDelayMs(n, 0))).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
    expect(retryDelayMs(1, 0)).toBe(FIRST_RETRY_MS);
    expect(retryDelayMs(99, 0)).toBe(LONGEST_RETRY_MS);
  });

  it('takes off at most a fifth at random, so pages do not retry in step', () => {
    expect(retryDelayMs(4, 0.5)).toBe(3600);
    for (const jitter of [0, 0.25, 0.999_999]) expect(retryDelayMs(4, jitter)).toBeGreaterThanOrEqual(3200);
    expect(retryDelayMs(4, 7)).toBe(3200);
    expect(retryDelayMs(4, -1)).toBe(4000);
  });
});
