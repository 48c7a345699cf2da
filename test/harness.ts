import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { inject } from 'vitest';
import { type AppOptions, buildApp } from '../src/app.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { type Dialect, type Store, openStore } from '../src/db/open.ts';
import { type Clock, systemClock } from '../src/lib/clock.ts';
import { RESOURCE_MODULES } from '../src/modules/index.ts';
import { createDevice } from '../src/modules/devices/devices.service.ts';
import type { TypedApp } from '../src/modules/module.ts';
import type { Site } from '../src/domain/site.ts';
import { createSite } from '../src/modules/sites/sites.service.ts';
import { type OperatorRole, createOperator } from '../src/modules/users/operators.service.ts';
import { giveBackSchema, onDatabase, takeSchema } from './pg-schemas.ts';
import { responseCheck } from './response-check.ts';

/**
 * This worker's PostgreSQL database (test/global-setup.ts says why each worker has its own), or null when
 * the run has no PostgreSQL.
 */
export const PG_URL: string | null = (() => {
  const urls = inject('pgWorkerUrls');
  if (!urls) return null;
  const poolId = Number(process.env.VITEST_POOL_ID ?? 1);
  return urls[(poolId - 1) % urls.length] ?? null;
})();

/** This worker's PostgreSQL database, for a suite that runs only where DIALECTS has postgres. */
export function requirePgUrl(): string {
  if (!PG_URL) throw new Error('PostgreSQL is not available in this run');
  return PG_URL;
}

/** The stores every integration suite runs on: SQLite always, PostgreSQL when the run has one. */
export const DIALECTS: Dialect[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export type TestStore = Store & { dataDir: string; databaseUrl?: string; pgSchema?: string };

/**
 * A store of its own for one test: a copy of the run's migrated template (test/global-setup.ts), a SQLite
 * file or a PostgreSQL schema (made from the template's dump, or an earlier test's emptied back to it:
 * test/pg-schemas.ts), so no test sees another's rows. `migrated: false` gives an empty one.
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
  const databaseUrl = requirePgUrl();
  const templateSql = inject('pgTemplateSql');
  const reused = migrated && templateSql !== null;
  const pgSchema = reused ? await takeSchema(databaseUrl, templateSql) : `t_${randomBytes(6).toString('hex')}`;
  if (!reused) await onDatabase(databaseUrl, `CREATE SCHEMA ${pgSchema}`);
  const store = openStore({ dataDir, databaseUrl, pgSchema, pgPoolSize: 4 });
  if (migrated && !templateSql) await migrateToLatest(store.db);
  let closed = false;
  return {
    ...store,
    dataDir,
    databaseUrl,
    pgSchema,
    close: async () => {
      if (closed) return;
      closed = true;
      await store.close();
      if (reused) await giveBackSchema(databaseUrl, templateSql, pgSchema);
      else await onDatabase(databaseUrl, `DROP SCHEMA ${pgSchema} CASCADE`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The URL a separate client (the CLI, a child process) reaches a test store by: its schema in `search_path`. */
export function storeUrl(store: TestStore): string | undefined {
  if (!store.databaseUrl) return undefined;
  const url = new URL(store.databaseUrl);
  url.searchParams.set('options', `-c search_path=${store.pgSchema}`);
  return url.toString();
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

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

export interface RequestOptions {
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** Someone calling the server: the headers that say who it is, and requests sent with them. */
export interface Caller {
  headers: Record<string, string>;
  request(method: Method, url: string, options?: RequestOptions): Promise<Response>;
}

/** An operator of the panel face, logged in through the MD5 challenge; `basic` sends HTTP Basic instead. */
export interface OperatorCaller extends Caller {
  username: string;
  password: string;
  token: string;
  basic: Caller;
}

/** A device (door controller or panel) with its key, sent as `Authorization: Bearer <key>`. */
export interface DeviceCaller extends Caller {
  id: number;
  key: string;
}

/** The MD5 hex the panel face's login takes in place of the password. */
export const md5 = (text: string) => createHash('md5').update(text).digest('hex');

export interface Harness {
  app: TypedApp;
  store: Store;
  site: Site;
  credentials: Credentials;
  clock: Clock;
  /** A request through the whole Fastify stack with this site's key (or `as`). */
  request(method: Method, url: string, options?: RequestOptions & { as?: Credentials | null }): Promise<Response>;
  /** A caller sending these headers and no API key (`{}`: no credentials at all). */
  caller(headers: Record<string, string>): Caller;
  /** A Lockt client with the site's API key (or these credentials). */
  apiKey(credentials?: Credentials): Caller;
  /** A new operator of the site (or of `siteId`) with this role, logged in. */
  operator(role: OperatorRole, account?: { username?: string; password?: string; siteId?: number }): Promise<OperatorCaller>;
  /** A new device of the site, serving these doors. */
  device(options?: { name?: string; doorIds?: number[] }): Promise<DeviceCaller>;
  /** Another site in the same store, with its own key. */
  addSite(name: string, timezone?: string): Promise<{ site: Site; credentials: Credentials }>;
  close(): Promise<void>;
}

export async function createHarness(dialect: Dialect, options: Omit<AppOptions, 'db'> & { timezone?: string } = {}): Promise<Harness> {
  const store = await openTestStore(dialect);
  const clock = options.clock ?? systemClock;
  const modules = options.modules ?? RESOURCE_MODULES;
  const check = responseCheck(modules);
  const app = await buildApp({ ...options, modules: [check.module, ...modules], db: store.db, clock });
  /** Fails the test that received a response the OpenAPI document does not describe (test/response-check.ts). */
  const failOnUndocumented = () => {
    const violations = check.take();
    if (violations.length > 0) throw new Error(`Responses the OpenAPI document does not describe:\n${violations.join('\n')}`);
  };
  const first = await createSite(store.db, { name: 'Test Site', timezone: options.timezone ?? 'UTC' }, clock);
  const credentials = { apiuser: first.apiuser, apikey: first.apikey };
  let callers = 0;
  const h: Harness = {
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
      failOnUndocumented();
      let parsed: unknown;
      try {
        parsed = response.json();
      } catch {
        parsed = undefined;
      }
      return { status: response.statusCode, headers: response.headers, body: parsed, text: response.body };
    },
    caller(headers) {
      return {
        headers,
        request: (method, url, { headers: extra = {}, ...rest } = {}) =>
          h.request(method, url, { ...rest, as: null, headers: { ...headers, ...extra } }),
      };
    },
    apiKey(as = credentials) {
      return h.caller({ apiuser: as.apiuser, apikey: as.apikey });
    },
    async operator(role, account = {}) {
      callers += 1;
      const username = account.username ?? `${role}-${callers}`;
      const password = account.password ?? `password of ${username}`;
      await createOperator(store.db, account.siteId ?? first.site.id, { username, password, role }, clock);
      const login = await h.request('GET', `/api/v1/login?username=${encodeURIComponent(username)}&password=${md5(password)}`, { as: null });
      if (login.status !== 200) throw new Error(`${username} could not log in: ${login.text}`);
      const token = login.body.token as string;
      const basic = h.caller({ authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` });
      return { ...h.caller({ authorization: `Bearer ${token}` }), username, password, token, basic };
    },
    async device({ name, doorIds = [] } = {}) {
      callers += 1;
      const issued = await createDevice(store.db, first.site, { name: name ?? `Device ${callers}`, doorIds }, clock);
      return { ...h.caller({ authorization: `Bearer ${issued.deviceKey}` }), id: issued.device.id, key: issued.deviceKey };
    },
    async addSite(name, timezone) {
      const created = await createSite(store.db, { name, timezone }, clock);
      return { site: created.site, credentials: { apiuser: created.apiuser, apikey: created.apikey } };
    },
    async close() {
      await app.close();
      await store.close();
      failOnUndocumented();
    },
  };
  return h;
}
