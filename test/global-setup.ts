import pg from 'pg';
import type { TestProject } from 'vitest/node';

/**
 * Decides once per run whether the PostgreSQL suite runs. It runs when a server answers at
 * PORTCULLIS_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test): a fresh database is made
 * for the run and dropped after it. With no server it is skipped, loudly; with PORTCULLIS_REQUIRE_PG=1
 * (CI) a missing server fails the run instead.
 */
const ADMIN_URL = process.env.PORTCULLIS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string | null;
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (error) {
    const message = `PostgreSQL suite SKIPPED: no server at ${ADMIN_URL} (${(error as Error).message}). Only SQLite was tested.`;
    if (process.env.PORTCULLIS_REQUIRE_PG === '1') throw new Error(message);
    console.warn(`\n${'!'.repeat(100)}\n!!! ${message}\n${'!'.repeat(100)}\n`);
    project.provide('pgUrl', null);
    return undefined;
  }
  const database = `portcullis_test_${Date.now()}_${process.pid}`;
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  project.provide('pgUrl', withDatabase(ADMIN_URL, database));
  console.info(`PostgreSQL suite runs in the fresh database ${database}.`);
  return async () => {
    const cleanup = new pg.Client({ connectionString: ADMIN_URL });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await cleanup.end();
  };
}
