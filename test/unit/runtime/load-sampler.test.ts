/**
 * The load sampler on a clock and a CPU meter the test moves: timers are
 * fake, `performance.now()` is the fake clock plus the time the test says the
 * event loop was blocked, and `process.cpuUsage()` counts what the test says
 * was burnt. No real time passes and no CPU is spent.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LoadSampler } from '../../../src/runtime/membership/load-sampler.js';

/** Time the event loop spent blocked (no timer fired) and CPU time spent, both in ms. */
const meter = vi.hoisted(() => ({ blockedMs: 0, cpuMs: 0 }));
vi.mock('node:perf_hooks', () => ({ performance: { now: (): number => Date.now() + meter.blockedMs } }));

/** The loop is blocked for `ms` of busy CPU: time passes, no timer fires. */
function busy(ms: number): void {
  meter.blockedMs += ms;
  meter.cpuMs += ms;
}

let sampler: LoadSampler | undefined;

beforeEach(() => {
  meter.blockedMs = 0;
  meter.cpuMs = 0;
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
  vi.spyOn(process, 'cpuUsage').mockImplementation((prev?: NodeJS.CpuUsage) => ({ user: meter.cpuMs * 1000 - (prev?.user ?? 0), system: -(prev?.system ?? 0) }));
});

afterEach(() => {
  sampler?.stop();
  sampler = undefined;
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('the load sampler', () => {
  it('an idle loop shows no lag and no CPU', () => {
    sampler = new LoadSampler();
    vi.advanceTimersByTime(1000);
    expect(sampler.sample()).toEqual({ cpu: 0, lagMs: 0 });
  });

  it('sees a blocked event loop as lag and busy CPU', () => {
    sampler = new LoadSampler();
    vi.advanceTimersByTime(300);
    expect(sampler.sample()).toEqual({ cpu: 0, lagMs: 0 });
    busy(400);
    vi.advanceTimersByTime(100);
    // Two wake-ups since the sample: one 400 ms late, one on time; 400 ms of CPU over the 500 ms since the sample.
    expect(sampler.sample()).toEqual({ cpu: 80, lagMs: 200 });
  });

  it('counts a loop that is still blocked when sampled', () => {
    sampler = new LoadSampler();
    busy(200);
    // No wake-up at all: the one due at 50 ms is pending, 150 ms late.
    expect(sampler.sample()).toEqual({ cpu: 100, lagMs: 150 });
  });
});
