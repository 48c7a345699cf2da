import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One file at a time (vitest's default on 2 cores). On PostgreSQL, event and audit reads stop below
    // the oldest transaction open on the whole server (src/db/log-ids.ts), so one file's long transaction
    // (an import, a fault test's held lock) would hide another file's newest events.
    maxWorkers: 1,
  },
});
