import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { dialectOf } from './dialect.ts';
import { type AuditEntry, appendAudit } from '../audit/audit-log.ts';
import { NOBODY_LISTENING, type Signals, signalsOf } from '../metrics/signals.ts';
import type { Queryable } from './queryable.ts';

/** A site whose data changed, or `null` for "something, somewhere" (another process, site unknown). */
export type ChangedSite = number | null;
type Listener = (site: ChangedSite) => void;

const CHANNEL = 'portcullis_changes';

/**
 * Tells whoever caches a store's data (the access index, a device's long poll) that a write committed.
 * One feed per store handle, so two stores in one process (tests) never hear each other.
 * - In this process: writers call `committed()` after their transaction commits.
 * - Other processes on PostgreSQL: writers `announceChange()` inside the transaction (NOTIFY is delivered
 *   at commit, and never for a rolled-back one); `watchPostgres` LISTENs, and reconnects when it loses
 *   its connection.
 * - Other processes on SQLite: writers bump their site's row of `site_change` inside the transaction;
 *   `watchSqlite` reads the rows that moved whenever `PRAGMA data_version` says another connection
 *   committed, before every cached answer (`catchUp`) and a few times a second.
 *
 * A feed is `connected` while it hears every commit. Until a watcher is started it hears this process's
 * own, which is all there is (tests, the CLI); a watcher that loses its connection makes it disconnected,
 * and no cache may answer from memory until it is back (docs/faults.md).
 */
export class ChangeFeed {
  private readonly listeners = new Set<Listener>();
  private catchUpWith: () => Promise<void> = async () => undefined;
  private hearing = true;
  /** Whether a watcher reports other processes' commits (`serve` starts one; tests and the CLI may not). */
  private watched = false;
  /** Until when the watcher's last proof of life holds (see `confirmedAt`); for ever without a watcher. */
  private provenUntil = Number.POSITIVE_INFINITY;

  /** `signals`: where the watcher reports its reconnects (the store handle's, looked up when it happens). */
  constructor(readonly signals: () => Signals = () => NOBODY_LISTENING) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A write to `site` committed (or, with null, an unknown change happened). */
  committed(site: ChangedSite): void {
    for (const listener of this.listeners) listener(site);
  }

  /** Whether every commit, in any process, reaches the listeners: caches may answer only while it does. */
  get connected(): boolean {
    return this.hearing && Date.now() < this.provenUntil;
  }

  /**
   * Whether a watcher is reporting other processes' commits and is connected: a cache that only other
   * processes' writes can make wrong (who may call, src/http/plugins/caller-cache.ts) may answer only
   * then, since a store handle without a watcher cannot tell that other processes exist.
   */
  get hearsEveryProcess(): boolean {
    return this.watched && this.connected;
  }

  /** A watcher of other processes started (true) or stopped (false). */
  watchedBy(running: boolean): void {
    this.watched = running;
  }

  /**
   * The watcher of other processes lost (false) or regained (true) its connection. Either way anything
   * may have changed unheard, so every listener is told "something, somewhere".
   */
  setConnected(connected: boolean): void {
    this.hearing = connected;
    this.committed(null);
  }

  /**
   * Everything committed before `sentAt` has been heard (a ping sent then came back on the connection
   * that carries the notifications, which arrive in order). The feed stays connected for `trustMs` after
   * that, so a connection that goes silent without an error is distrusted within that time.
   */
  confirmedAt(sentAt: number, trustMs: number): void {
    this.provenUntil = sentAt + trustMs;
  }

  /**
   * Before a cache answers: resolves once every commit made before the call, in any process, has been
   * reported (or the feed is found disconnected, when no cache may answer anyway).
   */
  catchUp(): Promise<void> {
    return this.catchUpWith();
  }

  /** Installs the watcher's way of catching up; none: this process's commits are reported as they happen. */
  catchUpBy(catchUp: (() => Promise<void>) | undefined): void {
    this.catchUpWith = catchUp ?? (async () => undefined);
  }
}

const feeds = new WeakMap<Queryable, ChangeFeed>();

/** The feed of a store handle (not of a transaction: pass the handle the transaction came from). */
export function changeFeedOf(db: Queryable): ChangeFeed {
  let feed = feeds.get(db);
  if (!feed) {
    feed = new ChangeFeed(() => signalsOf(db));
    feeds.set(db, feed);
  }
  return feed;
}

/** Inside a writing transaction: let other processes know, once it commits, that `siteId` changed. */
export async function announceChange(trx: Queryable, siteId: number): Promise<void> {
  if (dialectOf(trx) === 'postgres') {
    await sql`select pg_notify(${CHANNEL}, ${String(siteId)})`.execute(trx);
    return;
  }
  // The writer holds SQLite's one write lock, so versions are handed out in commit order.
  await sql`insert into site_change (site_id, version) values (${siteId}, (select coalesce(max(version), 0) + 1 from site_change))
    on conflict (site_id) do update set version = excluded.version`.execute(trx);
}

/** The two statements a SQLite watcher runs, on the raw connection: one cheap pragma per look. */
export interface SqliteChangeReader {
  dataVersion(): number;
  sitesChangedAfter(version: number): { site_id: number; version: number }[];
}

/** How often a SQLite watcher looks even when no cache asks, for listeners that wait (device long polls). */
const SQLITE_LOOK_EVERY_MS = 200;

/**
 * Reports, per site, what other processes commit to a SQLite file: `PRAGMA data_version` changes only
 * when another connection commits, and then the rows of `site_change` that moved name the sites. A
 * decision's event changes no site, so other processes' decisions cost one pragma and drop nothing.
 * Returns a stop function.
 */
export function watchSqlite(reader: SqliteChangeReader, feed: ChangeFeed): () => void {
  let dataVersion = reader.dataVersion();
  let seen = reader.sitesChangedAfter(0).reduce((most, row) => Math.max(most, row.version), 0);
  const look = () => {
    const now = reader.dataVersion();
    if (now === dataVersion) return;
    dataVersion = now;
    for (const row of reader.sitesChangedAfter(seen)) {
      seen = Math.max(seen, row.version);
      feed.committed(row.site_id);
    }
  };
  feed.catchUpBy(async () => look());
  feed.watchedBy(true);
  const timer = setInterval(() => {
    try {
      look();
    } catch {
      // The store is closing, or busy for a moment: the next look, or the next cached answer, tries again.
    }
  }, SQLITE_LOOK_EVERY_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    feed.catchUpBy(undefined);
    feed.watchedBy(false);
    // A stopped watcher hears no other process: nothing may be answered from memory after it.
    feed.setConnected(false);
  };
}

/** What a LISTEN connection needs from the PostgreSQL driver. */
export interface NotificationClient {
  query(text: string): Promise<unknown>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  end(): Promise<void>;
}

/** How the PostgreSQL watcher keeps its connection honest, and how it comes back. */
export const LISTEN_TIMING = {
  /** A ping on the LISTEN connection at least this often, besides those decisions ask for. */
  pingEveryMs: 250,
  /** How long an answered ping keeps the feed trusted: the most a silent connection can leave a cache stale. */
  trustMs: 1_000,
  /** A ping unanswered this long means the connection is gone: it is dropped and made again. */
  pingTimeoutMs: 2_000,
  /** The first wait before reconnecting, doubled after each failure up to `mostBackoffMs`. */
  firstBackoffMs: 100,
  mostBackoffMs: 5_000,
} as const;

/** A query on the LISTEN connection, failed if it has no answer within `pingTimeoutMs`. */
async function answeredInTime(query: Promise<unknown>): Promise<void> {
  const timeout = new AbortController();
  try {
    await Promise.race([
      query,
      sleep(LISTEN_TIMING.pingTimeoutMs, undefined, { signal: timeout.signal }).then(() => {
        throw new Error(`no answer on the LISTEN connection within ${LISTEN_TIMING.pingTimeoutMs} ms`);
      }),
    ]);
  } finally {
    timeout.abort();
  }
}

/** Something the watcher wants an operator to see: a lost connection, a failed reconnect. */
export type FeedProblem = (what: string, error?: unknown) => void;

/**
 * LISTENs on a dedicated connection and reports the sites other processes changed. The feed is
 * disconnected until the first LISTEN succeeds; when the connection is lost (an error, its end, or a ping
 * that fails or goes unanswered) the feed is disconnected at once, and the watcher reconnects with backoff
 * and LISTENs again before it is connected once more. Between pings, an answered ping keeps the feed
 * trusted for `trustMs`: a connection that falls silent is distrusted within a second even before it is
 * known lost. Returns a stop function.
 */
export function watchPostgres(connect: () => Promise<NotificationClient>, feed: ChangeFeed, problem: FeedProblem): () => Promise<void> {
  feed.setConnected(false);
  feed.watchedBy(true);
  let stopped = false;
  let current: NotificationClient | undefined;
  const wakeStop = new AbortController();

  const run = async () => {
    let backoff: number = LISTEN_TIMING.firstBackoffMs;
    while (!stopped) {
      let reason: unknown;
      try {
        current = await connect();
        reason = await listenUntilLost(current, feed, wakeStop.signal);
        if (!stopped) backoff = LISTEN_TIMING.firstBackoffMs;
      } catch (error) {
        reason = error;
      }
      const client = current;
      current = undefined;
      // Not awaited: ending a connection whose peer vanished waits for TCP to notice.
      client?.end().catch(() => undefined);
      if (stopped) return;
      // Already disconnected: from the start, or by listenUntilLost as its connection went.
      problem('change feed disconnected; reconnecting', reason);
      feed.signals().changeFeedReconnecting();
      await sleep(backoff * (0.5 + Math.random() / 2), undefined, { signal: wakeStop.signal }).catch(() => undefined);
      backoff = Math.min(backoff * 2, LISTEN_TIMING.mostBackoffMs);
    }
  };
  const running = run();

  return async () => {
    stopped = true;
    feed.watchedBy(false);
    wakeStop.abort();
    await current?.end().catch(() => undefined);
    await running;
  };
}

/**
 * LISTENs on `client` and keeps the feed connected until the connection is lost (resolving with why) or
 * `stop` aborts (resolving with undefined). The feed is disconnected again before this returns.
 */
async function listenUntilLost(client: NotificationClient, feed: ChangeFeed, stop: AbortSignal): Promise<unknown> {
  let lose: (reason: unknown) => void = () => undefined;
  const gone = new Promise<unknown>((resolve) => {
    lose = resolve;
  });
  client.on('error', (error) => lose(error));
  client.on('end', () => lose(new Error('the LISTEN connection ended')));
  client.on('notification', (message) => {
    if (message.channel !== CHANNEL) return;
    const site = Number(message.payload);
    feed.committed(Number.isInteger(site) ? site : null);
  });
  const listenSent = Date.now();
  await Promise.race([answeredInTime(client.query(`LISTEN ${CHANNEL}`)), gone.then((reason) => Promise.reject(reason))]);
  feed.confirmedAt(listenSent, LISTEN_TIMING.trustMs);
  feed.setConnected(true);

  const pings = startPinging(client, feed, lose);
  try {
    return await Promise.race([gone, new Promise((resolve) => stop.addEventListener('abort', () => resolve(undefined), { once: true }))]);
  } finally {
    pings.stop();
    // Disconnected before anyone waiting goes on, so that they read the store, not the index.
    feed.setConnected(false);
    pings.releaseWaiting();
  }
}

/**
 * Pings on the LISTEN connection: notifications and query answers arrive in order on it, so the answer
 * to a ping sent after a decision began proves every earlier commit reported. Decisions that wait while
 * a ping is out share the next one. A ping that fails or goes unanswered loses the connection.
 */
function startPinging(client: NotificationClient, feed: ChangeFeed, lose: (reason: unknown) => void) {
  let waiting: (() => void)[] = [];
  let pinging = false;
  const ping = () => {
    if (pinging) return;
    pinging = true;
    const answered = waiting;
    waiting = [];
    const sent = Date.now();
    answeredInTime(client.query('select 1'))
      .then(
        () => feed.confirmedAt(sent, LISTEN_TIMING.trustMs),
        (error: unknown) => lose(error),
      )
      .finally(() => {
        pinging = false;
        for (const resolve of answered) resolve();
        if (waiting.length > 0) ping();
      });
  };
  feed.catchUpBy(
    () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        ping();
      }),
  );
  const heartbeat = setInterval(ping, LISTEN_TIMING.pingEveryMs);
  return {
    stop: () => {
      clearInterval(heartbeat);
      feed.catchUpBy(undefined);
    },
    releaseWaiting: () => {
      for (const resolve of waiting) resolve();
      waiting = [];
    },
  };
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
