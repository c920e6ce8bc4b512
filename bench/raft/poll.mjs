// Promises: poll an async check until it yields a value or a deadline passes;
// every wait in the harness is bounded by this.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Call check(note) every intervalMs until it returns something other than
 * null/undefined/false, and return that. check may call note(text) to record
 * what it saw; the last note is in the timeout error.
 */
export async function pollUntil(what, timeoutMs, check, intervalMs = 50) {
  const deadline = performance.now() + timeoutMs;
  let last = '';
  const note = (text) => (last = text);
  for (;;) {
    const value = await check(note);
    if (value !== null && value !== undefined && value !== false) return value;
    if (performance.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `; last seen: ${last}` : ''}`);
    await sleep(intervalMs);
  }
}
