import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A worker keeps the modules it imported from one test file to the next: each file imported the whole
    // app afresh (some 4 s a file, most of the suite's time on 2 cores). What a test changes globally it
    // puts back (vi.unstubAllEnvs, mockRestore, useRealTimers), and every test has its own store and app.
    isolate: false,
    // Three files at a time on 2 cores: much of a file's time is spent waiting (child processes, PostgreSQL,
    // Chromium, the login throttle's real sleeps), and a third file fills those waits (full suite 865 s with
    // two, 746 s with three). Each worker has its own PostgreSQL database (test/global-setup.ts).
    maxWorkers: 3,
  },
});
