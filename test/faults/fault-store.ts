import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { expect } from 'vitest';
import { CHANGE_FEED_APPLICATION, type Dialect, openStore } from '../../src/db/open.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { cliOnStore } from '../cli-runner.ts';
import { requirePgUrl } from '../harness.ts';
import type { ChildStore, Client } from '../crash/child-server.ts';

/**
 * A store of its own for one fault test: a new SQLite directory, or a new PostgreSQL database (not a
 * schema of the run's database), so that terminating every backend of it, or giving it an
 * `idle_session_timeout`, touches no other suite.
 */
export interface FaultStore extends ChildStore {
  /** PostgreSQL: the database's name, for pg_terminate_backend and ALTER DATABASE. */
  database?: string;
  /** PostgreSQL: a URL of the same server, for the test's own administrative connection. */
  adminUrl?: string;
  cleanup(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function prepareFaultStore(dialect: Dialect): Promise<FaultStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-faults-'));
  const removeDir = async () => rmSync(dataDir, { recursive: true, force: true });
  if (dialect === 'sqlite') return { dataDir, cleanup: removeDir };
  const adminUrl = requirePgUrl();
  const database = `portcullis_fault_${randomBytes(5).toString('hex')}`;
  await admin(adminUrl, `CREATE DATABASE ${database}`);
  const databaseUrl = withDatabase(adminUrl, database);
  const store = openStore({ dataDir, databaseUrl });
  await migrateToLatest(store.db);
  await store.close();
  return {
    dataDir,
    databaseUrl,
    database,
    adminUrl,
    cleanup: async () => {
      await admin(adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await removeDir();
    },
  };
}

/** Runs one statement on its own short-lived connection; returns the rows. */
export async function admin(url: string, statement: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(statement)).rows;
  } finally {
    await client.end();
  }
}

/** Ends backends of the store's database: every one, or only the change feeds' LISTEN connections. Returns how many. */
export async function terminateBackends(store: FaultStore, which: 'all' | 'change_feed'): Promise<number> {
  const only = which === 'change_feed' ? ` AND application_name = '${CHANGE_FEED_APPLICATION}'` : '';
  const rows = await admin(
    store.adminUrl as string,
    `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = '${store.database}' AND pid <> pg_backend_pid()${only}`,
  );
  return rows.filter((row) => row.ended === true).length;
}

/** A site whose one user's card opens one door around the clock, and a device to ask at that door. */
export interface AccessWorld {
  siteId: number;
  lockt: Record<string, string>;
  device: Record<string, string>;
  deviceId: number;
  doorId: number;
  userId: number;
  cardNum: string;
}

/** Seeds an AccessWorld through the CLI and the Lockt API of a running server (`client`'s key is the world's). */
export async function seedAccessWorld(store: ChildStore, lockt: Record<string, string>, siteId: number, client: Client): Promise<AccessWorld> {
  const created = await cliOnStore(store, ['device', 'create', '--site', String(siteId), '--name', 'Fault Reader']);
  const ok = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const answer = await client.call(method, path, body);
    expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBe(200);
    return answer.body;
  };
  await ok('POST', '/api/v1/door', { doors: [{ name: 'Fault Door' }] });
  const doorId = (await ok('GET', '/api/v1/door')).data[0].id as number;
  await ok('POST', '/api/v1/schedule', {
    schedules: [{ name: 'Always', d0: 1, d1: 1, d2: 1, d3: 1, d4: 1, d5: 1, d6: 1, start: '00:00:00', stop: '23:59:59' }],
  });
  const scheduleId = (await ok('GET', '/api/v1/schedule')).data[0].id as number;
  await ok('POST', '/api/v1/accesslevel', { accesslevels: [{ name: 'Fault Door', doors: [{ id: doorId, schedule_id: scheduleId }] }] });
  const levelId = (await ok('GET', '/api/v1/accesslevel')).data[0].id as number;
  const cardNum = '4242';
  const user = {
    id: -1,
    id_num: 'fault-1',
    first_name: 'Fay',
    last_name: 'Ult',
    email: 'fay@example.com',
    phone: '5550000000',
    pin: '9876',
    card_num: cardNum,
    accesslevels: [{ id: levelId }],
  };
  await ok('POST', '/api/v1/user', { users: [user] });
  const userId = (await ok('GET', '/api/v1/user')).data[0].id as number;
  return {
    siteId,
    lockt,
    device: { authorization: `Bearer ${created.device_key as string}` },
    deviceId: created.device.id as number,
    doorId,
    userId,
    cardNum,
  };
}

/** A site and its first key, made with the CLI. */
export async function createSite(store: ChildStore, name: string): Promise<{ siteId: number; lockt: Record<string, string> }> {
  const site = await cliOnStore(store, ['site', 'create', '--name', name]);
  return { siteId: site.site.id as number, lockt: { apiuser: site.apiuser as string, apikey: site.apikey as string } };
}

/** Turns the world's user on or off through a node's Lockt API; resolves once that node has answered. */
export async function setUserEnabled(client: Client, world: AccessWorld, enabled: boolean): Promise<void> {
  const answer = await client.call('PUT', '/api/v1/user', { users: [{ id: world.userId, enabled }] });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

/** One access question at the world's door with its card: the HTTP status and the decision. */
export async function ask(client: Client, world: AccessWorld): Promise<{ status: number; granted: boolean; subcode: number }> {
  const answer = await client.call('POST', '/api/v1/device/access', { door_id: world.doorId, card_num: world.cardNum });
  return { status: answer.status, granted: answer.body?.data?.granted === true, subcode: answer.body?.data?.subcode };
}

/** Polls `holds` every 10 ms until it is true; returns the time that took, or throws after `limitMs`. */
export async function timeUntil(what: string, holds: () => Promise<boolean>, limitMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await holds()) return Date.now() - started;
    if (Date.now() - started > limitMs) throw new Error(`${what}: still not so after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Median, 95th percentile and largest of some durations, for the test's report. */
export function distribution(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return `n=${sorted.length} median ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${sorted[sorted.length - 1] ?? 0} ms`;
}
