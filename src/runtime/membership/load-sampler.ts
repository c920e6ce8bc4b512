/** Samples this process's load: CPU use since the last sample and event-loop lag. */
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import type { MemberLoad } from '../../core/membership/types.js';

export class LoadSampler {
  private readonly lag: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  constructor() {
    this.lag.enable();
  }

  /** CPU percent of one core since the previous sample, and the mean event-loop lag (ms) over it. */
  sample(): MemberLoad {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const elapsedMs = Math.max(1, now - this.lastAt);
    const lagMs = Number.isFinite(this.lag.mean) ? this.lag.mean / 1e6 : 0;
    this.lag.reset();
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    return { cpu: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10, lagMs: Math.round(lagMs * 10) / 10 };
  }

  stop(): void {
    this.lag.disable();
  }
}
