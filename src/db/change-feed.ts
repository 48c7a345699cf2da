import { sql } from 'kysely';
import { dialectOf } from './dialect.ts';
import { type AuditEntry, appendAudit } from '../audit/audit-log.ts';
import type { Queryable } from './queryable.ts';

/** A site whose data changed, or `null` for "something, somewhere" (another process, site unknown). */
export type ChangedSite = number | null;
type Listener = (site: ChangedSite) => void;

const CHANNEL = 'portcullis_changes';

/**
 * Tells whoever caches a store's data (the access index) that a write committed. One feed per store
 * handle, so two stores in one process (tests) never hear each other.
 * - In this process: writers call `committed()` after their transaction commits.
 * - Other processes on PostgreSQL: writers `announce()` inside the transaction (NOTIFY is delivered at
 *   commit, and never for a rolled-back one); `watchPostgres` LISTENs.
 * - Other processes on SQLite: `PRAGMA data_version` changes when another connection commits;
 *   `watchSqlite` polls it.
 */
export class ChangeFeed {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A write to `site` committed (or, with null, an unknown change happened). */
  committed(site: ChangedSite): void {
    for (const listener of this.listeners) listener(site);
  }
}

const feeds = new WeakMap<Queryable, ChangeFeed>();

/** The feed of a store handle (not of a transaction: pass the handle the transaction came from). */
export function changeFeedOf(db: Queryable): ChangeFeed {
  let feed = feeds.get(db);
  if (!feed) {
    feed = new ChangeFeed();
    feeds.set(db, feed);
  }
  return feed;
}

/** Inside a writing transaction: let other processes know, once it commits, that `siteId` changed. */
export async function announceChange(trx: Queryable, siteId: number): Promise<void> {
  if (dialectOf(trx) === 'postgres') await sql`select pg_notify(${CHANNEL}, ${String(siteId)})`.execute(trx);
}

/** Polls SQLite's data_version (changed by other connections' commits) and reports changes; returns a stop function. */
export function watchSqlite(db: Queryable, feed: ChangeFeed, intervalMs = 200): () => void {
  let last: number | undefined;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const { rows } = await sql<{ data_version: number }>`pragma data_version`.execute(db);
      const version = rows[0]?.data_version;
      if (last !== undefined && version !== last) feed.committed(null);
      last = version;
    } catch {
      // The store is closing, or busy for a moment: the next tick tries again.
    } finally {
      busy = false;
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** What a LISTEN connection needs from the PostgreSQL driver. */
export interface NotificationClient {
  query(text: string): Promise<unknown>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  end(): Promise<void>;
}

/** LISTENs on a dedicated connection and reports the sites other processes changed; returns a stop function. */
export async function watchPostgres(client: NotificationClient, feed: ChangeFeed): Promise<() => Promise<void>> {
  client.on('notification', (message) => {
    if (message.channel !== CHANNEL) return;
    const site = Number(message.payload);
    feed.committed(Number.isInteger(site) ? site : null);
  });
  // A lost connection may have lost notifications: forget everything rather than serve stale facts.
  client.on('error', () => feed.committed(null));
  await client.query(`LISTEN ${CHANNEL}`);
  return () => client.end();
}

/** The audit record of a write, made from what the write returned; undefined when it changed nothing. */
export type AuditOf<T> = (result: T) => AuditEntry | undefined;

/**
 * Runs `work` in a transaction that changes `siteId`'s data, appends its audit record in the same
 * transaction, and tells every cache once it has committed: other processes through the store, this
 * one directly. Every write path goes through here.
 */
export function writeTransaction<T>(
  db: Queryable,
  siteId: number,
  work: (trx: Queryable) => Promise<T>,
  audit?: { of: AuditOf<T>; at: number },
): Promise<T> {
  return transactionChanging(db, [siteId], async (trx) => {
    const value = await work(trx);
    const entry = audit?.of(value);
    if (entry && audit) await appendAudit(trx, siteId, entry, audit.at);
    return value;
  });
}

/**
 * Runs `work` in one transaction that changes the data of `siteIds` (none, one, or several sites whose
 * writes share a commit), and tells every cache about each once it has committed.
 */
export async function transactionChanging<T>(db: Queryable, siteIds: readonly number[], work: (trx: Queryable) => Promise<T>): Promise<T> {
  const result = await db.transaction().execute(async (trx) => {
    const value = await work(trx);
    for (const siteId of siteIds) await announceChange(trx, siteId);
    return value;
  });
  for (const siteId of siteIds) changeFeedOf(db).committed(siteId);
  return result;
}
