/**
 * How the Raft storage is doing, as the member shows it in `/health`,
 * `status` and `/metrics`, and the back-off between attempts while a
 * transient error lasts.
 */

export type StorageCondition =
  | { readonly kind: 'ok' }
  /** A batch met a transient error (storage-errors.ts) and waits to be written again; nothing after it is written meanwhile. */
  | {
      readonly kind: 'retrying';
      /** The errno code of the last failed attempt, e.g. `ENOSPC`. */
      readonly code: string;
      readonly message: string;
      /** Failed attempts at the batch so far (1 after the first failure). */
      readonly attempts: number;
      /** Milliseconds until the next attempt, as of the call that returned this (0 while an attempt runs). */
      readonly nextInMs: number;
    }
  /** A media error (EIO, EROFS, unknown): read-only until restart. */
  | { readonly kind: 'failed'; readonly message: string };

/**
 * First wait after a transient failure, in ms; it doubles up to
 * RETRY_MAX_MS. Not a setting: fast enough that a freed disk is used
 * again within seconds, slow enough that a full disk costs a few syscalls
 * a second.
 */
export const RETRY_FIRST_MS = 100;
/** Longest wait between two attempts, in ms (see RETRY_FIRST_MS). */
export const RETRY_MAX_MS = 5_000;

/** The wait before attempt `failed + 1`, after `failed` failed attempts (1, 2, ...). */
export function retryDelayMs(failed: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.min(16, Math.max(0, failed - 1)));
}

/** One line for people: `retrying after ENOSPC (3 attempts, next in 2 s)`. */
export function describeCondition(c: StorageCondition): string {
  if (c.kind === 'ok') return 'ok';
  if (c.kind === 'failed') return `failed: ${c.message}`;
  const left = c.nextInMs;
  const next = left < 1000 ? `${Math.round(left)} ms` : `${Math.round(left / 1000)} s`;
  return `retrying after ${c.code} (${c.attempts} attempt${c.attempts === 1 ? '' : 's'}, next in ${next})`;
}
