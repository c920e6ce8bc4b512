import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    // Integration tests bind ports and spawn processes; two cores are plenty for a few at once.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
