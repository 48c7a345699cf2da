import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time: much of a file's time is spent waiting (child processes, PostgreSQL, Chromium),
    // so two overlap well on 2 cores. Each worker has its own PostgreSQL database (test/global-setup.ts).
    maxWorkers: 2,
  },
});
