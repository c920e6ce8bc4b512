/**
 * Virtual time for the simulator: actions run in time order and never
 * before their time, time only moves forward, and nothing waits on the wall
 * clock. Actions due at the same time run in the order they were scheduled.
 */
import { EventQueue } from '../../src/core/event-queue.js';

export class SimClock {
  private current = 0;
  private readonly queue = new EventQueue<() => void>();
  /** Actions run so far (a measure of simulation work). */
  executed = 0;

  /** Virtual milliseconds since the start of the simulation. */
  get now(): number {
    return this.current;
  }

  /** Schedules `action` at `time`; a time in the past means now (after what is already due now). */
  at(time: number, action: () => void): void {
    this.queue.push(Math.max(time, this.current), action);
  }

  /** Schedules `action` `ms` from now. */
  after(ms: number, action: () => void): void {
    this.at(this.current + Math.max(0, ms), action);
  }

  /** Number of actions waiting. */
  get pending(): number {
    return this.queue.size;
  }

  /** Runs the next action if it is due by `until`; whether there was one. */
  step(until: number): boolean {
    const next = this.queue.peekTime();
    if (next === undefined || next > until) return false;
    const entry = this.queue.pop() as { at: number; item: () => void };
    this.current = entry.at;
    this.executed++;
    entry.item();
    return true;
  }

  /** Runs every action due up to and including `until`, then sets the time to `until` (if later). */
  runUntil(until: number): void {
    for (;;) {
      const next = this.queue.peekTime();
      if (next === undefined || next > until) break;
      const entry = this.queue.pop() as { at: number; item: () => void };
      this.current = entry.at;
      this.executed++;
      entry.item();
    }
    if (until > this.current) this.current = until;
  }
}
