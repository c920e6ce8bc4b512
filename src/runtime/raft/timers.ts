/**
 * Where the Raft driver's time comes from: the event loop's timers in a
 * process (`realTimers`), a virtual clock in the simulator. The driver takes
 * no time from anywhere else, so under a virtual clock it runs the same way
 * every time.
 */

/** Stops a scheduled action; calling it again, or after a one-off action ran, does nothing. */
export type Cancel = () => void;

export interface Timers {
  /** Runs `action` every `ms` milliseconds, the first time `ms` from now, until cancelled. */
  every(ms: number, action: () => void): Cancel;
  /** Runs `action` once, `ms` milliseconds from now, unless cancelled first. */
  after(ms: number, action: () => void): Cancel;
}

/** The event loop's timers (setInterval, setTimeout). */
export const realTimers: Timers = {
  every(ms, action) {
    const timer = setInterval(action, ms);
    return () => clearInterval(timer);
  },
  after(ms, action) {
    const timer = setTimeout(action, ms);
    return () => clearTimeout(timer);
  },
};
