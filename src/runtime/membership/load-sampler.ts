/** Samples this process's load: CPU use since the last sample and event-loop lag. */
import { performance } from 'node:perf_hooks';
import type { MemberLoad } from '../../core/membership/types.js';

/** How often the lag probe wakes up. */
const PROBE_MS = 50;

export class LoadSampler {
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  /** The lag probe: how late each wake-up came, summed since the last sample. */
  private lateMs = 0;
  private wakeups = 0;
  private expectedAt = performance.now() + PROBE_MS;
  private readonly probe: NodeJS.Timeout;

  constructor() {
    this.probe = setInterval(() => {
      const now = performance.now();
      this.lateMs += Math.max(0, now - this.expectedAt);
      this.wakeups++;
      this.expectedAt = now + PROBE_MS;
    }, PROBE_MS);
    this.probe.unref();
  }

  /** CPU percent of one core since the previous sample, and the mean event-loop lag (ms) over it. */
  sample(): MemberLoad {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const elapsedMs = Math.max(1, now - this.lastAt);
    // A wake-up still pending counts too: a loop blocked for the whole window has no wake-ups at all.
    const pending = Math.max(0, now - this.expectedAt);
    const lagMs = (this.lateMs + pending) / (this.wakeups + (pending > 0 ? 1 : 0) || 1);
    this.lateMs = 0;
    this.wakeups = 0;
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    return { cpu: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10, lagMs: Math.round(lagMs * 10) / 10 };
  }

  stop(): void {
    clearInterval(this.probe);
  }
}
