/**
 * A RetryClock the test drives: time stands still until `advance`, and each
 * wait of the store is kept until `release` ends it, so a test of the
 * back-off never depends on the wall clock.
 */
import type { RetryClock } from '../../../src/runtime/raft/wal-storage.js';

export interface ManualRetryClock {
  readonly clock: RetryClock;
  /** The delays the store asked to wait, in order. */
  readonly waits: number[];
  /** Resolves once the store waits (at once when it already does). */
  waiting(): Promise<void>;
  /** Ends the wait in progress, so the store makes its next attempt. */
  release(): void;
  advance(ms: number): void;
}

export function manualRetryClock(): ManualRetryClock {
  let now = 0;
  const waits: number[] = [];
  let current: (() => void) | undefined;
  let onWait: (() => void) | undefined;
  const clock: RetryClock = {
    now: () => now,
    wait: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        waits.push(ms);
        current = () => {
          current = undefined;
          resolve();
        };
        signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        onWait?.();
      }),
  };
  return {
    clock,
    waits,
    waiting: () =>
      new Promise<void>((resolve) => {
        if (current !== undefined) return resolve();
        onWait = () => {
          onWait = undefined;
          resolve();
        };
      }),
    release: () => {
      if (current === undefined) throw new Error('the store is not waiting');
      current();
    },
    advance: (ms) => {
      now += ms;
    },
  };
}
