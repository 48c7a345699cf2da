import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The suites wait on fsyncs, PostgreSQL and child processes far more than they compute: one file per
    // core leaves the cores idle (vitest's default is one fewer than the cores, a single file here).
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
