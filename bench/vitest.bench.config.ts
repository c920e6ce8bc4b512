// Benchmarks: `npx vitest run --config bench/vitest.bench.config.ts` (BENCH_QUICK=1 for a smaller run).
// They print tables and assert nothing about time; no global setup (nothing is built).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['bench/**/*.bench.ts'],
    testTimeout: 30 * 60_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
    reporters: ['default'],
  },
});
