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
    // Two files at a time: much of a file's time is spent waiting (child processes, PostgreSQL, Chromium),
    // so two overlap well on 2 cores. Three were faster (746 s against 865 s) but starved the crash, browser
    // and fault suites' child processes of CPU, which then failed now and then. Each worker has its own
    // PostgreSQL database (test/global-setup.ts).
    maxWorkers: 2,
  },
});
