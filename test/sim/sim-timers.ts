/** The Raft driver's Timers on the simulator's virtual clock: nothing waits on the wall clock, and the same schedule runs the same way every time. */
import type { Timers } from '../../src/runtime/raft/timers.js';
import type { SimClock } from './clock.js';

export function simTimers(clock: SimClock): Timers {
  return {
    every(ms, action) {
      let live = true;
      const loop = (): void => {
        if (!live) return;
        action();
        clock.after(ms, loop);
      };
      clock.after(ms, loop);
      return () => (live = false);
    },
    after(ms, action) {
      let live = true;
      clock.after(ms, () => live && action());
      return () => (live = false);
    },
  };
}
