import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { type AppOptions, buildApp } from '../src/app.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { type Dialect, type Store, openStore } from '../src/db/open.ts';
import { type Clock, systemClock } from '../src/lib/clock.ts';
import type { TypedApp } from '../src/modules/module.ts';
import type { Site } from '../src/modules/sites/site.ts';
import { createSite } from '../src/modules/sites/sites.service.ts';
import { PG_TEMPLATE_SCHEMA } from './global-setup.ts';

/** The stores every integration suite runs on: SQLite always, PostgreSQL when the run has one. */
export const DIALECTS: Dialect[] = inject('pgUrl') ? ['sqlite', 'postgres'] : ['sqlite'];

export type TestStore = Store & { dataDir: string; databaseUrl?: string; pgSchema?: string };

/**
 * A store of its own for one test: a copy of the run's migrated template (test/global-setup.ts), a SQLite
 * file or a PostgreSQL schema, so no test sees another's rows. `migrated: false` gives an empty one.
 */
export async function openTestStore(dialect: Dialect, { migrated = true } = {}): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-test-'));
  if (dialect === 'sqlite') {
    const template = inject('sqliteTemplate');
    if (migrated) copyFileSync(template, join(dataDir, basename(template)));
    const store = openStore({ dataDir });
    return {
      ...store,
      dataDir,
      close: async () => {
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const databaseUrl = inject('pgUrl');
  if (!databaseUrl) throw new Error('PostgreSQL is not available in this run');
  const pgSchema = `t_${randomBytes(6).toString('hex')}`;
  const templateSql = inject('pgTemplateSql');
  await onRunDatabase(
    databaseUrl,
    migrated && templateSql ? templateSql.replaceAll(PG_TEMPLATE_SCHEMA, pgSchema) : `CREATE SCHEMA ${pgSchema}`,
  );
  const store = openStore({ dataDir, databaseUrl, pgSchema, pgPoolSize: 4 });
  if (migrated && !templateSql) await migrateToLatest(store.db);
  return {
    ...store,
    dataDir,
    databaseUrl,
    pgSchema,
    close: async () => {
      await store.close();
      await onRunDatabase(databaseUrl, `DROP SCHEMA ${pgSchema} CASCADE`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function onRunDatabase(databaseUrl: string, statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}

export interface Credentials {
  apiuser: string;
  apikey: string;
}

export interface Response {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: any;
  text: string;
}

export interface Harness {
  app: TypedApp;
  store: Store;
  site: Site;
  credentials: Credentials;
  clock: Clock;
  /** A request through the whole Fastify stack with this site's key (or `as`). */
  request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH',
    url: string,
    options?: { body?: unknown; rawBody?: string; as?: Credentials | null; headers?: Record<string, string> },
  ): Promise<Response>;
  /** Another site in the same store, with its own key. */
  addSite(name: string, timezone?: string): Promise<{ site: Site; credentials: Credentials }>;
  close(): Promise<void>;
}

export async function createHarness(
  dialect: Dialect,
  options: Omit<AppOptions, 'db'> & { timezone?: string } = {},
): Promise<Harness> {
  const store = await openTestStore(dialect);
  const clock = options.clock ?? systemClock;
  const app = await buildApp({ ...options, db: store.db, clock });
  const first = await createSite(store.db, { name: 'Test Site', timezone: options.timezone ?? 'UTC' }, clock);
  const credentials = { apiuser: first.apiuser, apikey: first.apikey };
  return {
    app,
    store,
    site: first.site,
    credentials,
    clock,
    async request(method, url, { body, rawBody, as, headers = {} } = {}) {
      const auth = as === null ? {} : (as ?? credentials);
      const payload = rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
      const response = await app.inject({
        method,
        url,
        headers: {
          ...auth,
          ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(payload !== undefined ? { payload } : {}),
      });
      let parsed: unknown;
      try {
        parsed = response.json();
      } catch {
        parsed = undefined;
      }
      return { status: response.statusCode, headers: response.headers, body: parsed, text: response.body };
    },
    async addSite(name, timezone) {
      const created = await createSite(store.db, { name, timezone }, clock);
      return { site: created.site, credentials: { apiuser: created.apiuser, apikey: created.apikey } };
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}
