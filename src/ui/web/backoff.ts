/** How long to wait before reconnecting. Pure: the randomness comes in as an argument. */

export const FIRST_RETRY_MS = 500;
export const LONGEST_RETRY_MS = 10_000;

/**
 * The wait before attempt `attempt` (1 for the first retry): doubling from
 * FIRST_RETRY_MS up to LONGEST_RETRY_MS, less up to a fifth at random
 * (`jitter` in [0, 1)), so that many pages do not reconnect in step.
 */
export function retryDelayMs(attempt: number, jitter: number): number {
  const full = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(full * (1 - 0.2 * Math.min(Math.max(jitter, 0), 1)));
}
