import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openStore } from '../src/db/open.ts';

/**
 * Migrates once per run into template stores that every test copies (test/harness.ts), and decides
 * whether the PostgreSQL suite runs. It runs when a server answers at PORTCULLIS_TEST_PG_URL (default
 * postgres://postgres@127.0.0.1:5432/test): fresh databases are made for the run (dropped after it), one
 * holding a migrated template schema and one per vitest worker for the tests' own schemas. With no server
 * it is skipped, loudly; with PORTCULLIS_REQUIRE_PG=1 (CI) a missing server fails the run instead.
 *
 * A database per worker, not one for the run: event and audit reads stop below the oldest transaction
 * still running in their database (src/db/log-ids.ts), so one test file's long transaction (an import, a
 * fault test's held lock) would hide the newest events of a file running beside it.
 */
const ADMIN_URL = process.env.PORTCULLIS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

declare module 'vitest' {
  export interface ProvidedContext {
    /** One database URL per worker (VITEST_POOL_ID 1…n), or null when the run has no PostgreSQL. */
    pgWorkerUrls: string[] | null;
    /** The migrated template schema as SQL (see dumpSchema), or null. */
    pgTemplateSql: string | null;
    /** The migrated SQLite file each test copies. */
    sqliteTemplate: string;
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function migrateInto(options: Parameters<typeof openStore>[0]): Promise<string> {
  const store = openStore(options);
  try {
    await migrateToLatest(store.db);
    return store.location;
  } finally {
    // Closing SQLite's last connection folds the write-ahead log into the file, so the file alone is the store.
    await store.close();
  }
}

async function prepareSqlite(project: TestProject): Promise<() => void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-template-'));
  project.provide('sqliteTemplate', await migrateInto({ dataDir }));
  return () => rmSync(dataDir, { recursive: true, force: true });
}

/** The schema migrated once per run; its dump, renamed, makes each test's schema. */
export const PG_TEMPLATE_SCHEMA = 'portcullis_template';
/** In each worker database, the schemas its finished tests emptied, ready for the next (test/pg-schemas.ts). */
export const FREE_SCHEMAS_TABLE = 'portcullis_free_schema';

/**
 * The migrated template schema as one SQL script, or null when pg_dump is not installed (each test then
 * migrates its own schema, more slowly). A schema per test rather than a database: on PostgreSQL 15 every
 * DROP DATABASE forces a checkpoint.
 */
function dumpSchema(databaseUrl: string): string | null {
  try {
    const dump = execFileSync('pg_dump', ['--dbname', databaseUrl, '--schema', PG_TEMPLATE_SCHEMA, '--inserts', '--no-owner', '--no-privileges'], {
      encoding: 'utf8',
    });
    // psql's meta-commands (\restrict and the like) are not SQL.
    return dump
      .split('\n')
      .filter((line) => !line.startsWith('\\'))
      .join('\n');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    console.warn('pg_dump is not installed: each PostgreSQL test migrates its own schema.');
    return null;
  }
}

async function preparePostgres(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (error) {
    const message = `PostgreSQL suite SKIPPED: no server at ${ADMIN_URL} (${(error as Error).message}). Only SQLite was tested.`;
    if (process.env.PORTCULLIS_REQUIRE_PG === '1') throw new Error(message);
    console.warn(`\n${'!'.repeat(100)}\n!!! ${message}\n${'!'.repeat(100)}\n`);
    project.provide('pgWorkerUrls', null);
    project.provide('pgTemplateSql', null);
    return undefined;
  }
  const database = `portcullis_test_${Date.now()}_${process.pid}`;
  const workerDatabases = Array.from({ length: project.config.maxWorkers }, (_, i) => `${database}_w${i + 1}`);
  for (const name of [database, ...workerDatabases]) await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  for (const name of workerDatabases) {
    const worker = new pg.Client({ connectionString: withDatabase(ADMIN_URL, name) });
    await worker.connect();
    await worker.query(`CREATE TABLE ${FREE_SCHEMAS_TABLE} (name text PRIMARY KEY)`);
    await worker.end();
  }
  const databaseUrl = withDatabase(ADMIN_URL, database);
  const run = new pg.Client({ connectionString: databaseUrl });
  await run.connect();
  await run.query(`CREATE SCHEMA ${PG_TEMPLATE_SCHEMA}`);
  await run.end();
  await migrateInto({ dataDir: tmpdir(), databaseUrl, pgSchema: PG_TEMPLATE_SCHEMA });
  project.provide(
    'pgWorkerUrls',
    workerDatabases.map((name) => withDatabase(ADMIN_URL, name)),
  );
  project.provide('pgTemplateSql', dumpSchema(databaseUrl));
  console.info(`PostgreSQL suite runs in the fresh databases ${database}{,_w1…_w${workerDatabases.length}}.`);
  return async () => {
    const cleanup = new pg.Client({ connectionString: ADMIN_URL });
    await cleanup.connect();
    for (const name of [database, ...workerDatabases]) await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await cleanup.end();
  };
}

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const removeSqlite = await prepareSqlite(project);
  const dropPostgres = await preparePostgres(project);
  return async () => {
    removeSqlite();
    await dropPostgres?.();
  };
}
