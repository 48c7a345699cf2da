import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { createHash } from 'node:crypto';
import {
  Kysely,
  type PostgresCursor,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
  SqliteDialect,
  type SqliteDatabase,
} from 'kysely';
import { LRUCache } from 'lru-cache';
import pg from 'pg';
import { type FeedProblem, changeFeedOf, watchPostgres, watchSqlite } from './change-feed.ts';
import type { Dialect } from './dialect.ts';
import { errorFields } from './error-fields.ts';
import { isHotStatement } from './prepared.ts';
import { SchemaScopedPostgresDialect } from './schema-introspector.ts';
import type { Database } from './schema.ts';

export type { Dialect };

export interface StoreOptions {
  /** Directory of the embedded store; used when no `databaseUrl` is given. */
  dataDir: string;
  /** `postgres://…`: selects PostgreSQL. */
  databaseUrl?: string | undefined;
  /** PostgreSQL only: the schema every connection works in (tests use a fresh one each). */
  pgSchema?: string | undefined;
  /** PostgreSQL pool size. */
  pgPoolSize?: number | undefined;
}

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Where the data lives, for messages: a file path or the URL without its password. */
  location: string;
  /**
   * Starts reporting, on the store's change feed, what other processes commit (SQLite: `PRAGMA
   * data_version` and the `site_change` table; PostgreSQL: LISTEN on a dedicated connection that
   * reconnects by itself). Returns a stop function.
   */
  watchOtherProcesses(): Promise<() => Promise<void>>;
  /** Where lost connections are reported (the server logs them); they are survived either way. */
  onProblem(listener: FeedProblem): void;
  /** PostgreSQL: the pool's connections and waiting queries right now, for /metrics. */
  poolUse?: () => { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

/** Lost connections are told to every listener; with none they are survived silently. */
function problemReporter(): { report: FeedProblem; listen: (listener: FeedProblem) => void } {
  const listeners: FeedProblem[] = [];
  return {
    report: (what, error) => {
      for (const listener of listeners) listener(what, error);
    },
    listen: (listener) => listeners.push(listener),
  };
}

// int8 (bigint, our epoch-ms columns and counts) arrives as a string by default; every value we keep
// there is far below 2^53, so a JS number is exact.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

/** The one place that chooses and opens a dialect. */
export function openStore(options: StoreOptions): Store {
  if (options.databaseUrl) {
    return openPostgres(options.databaseUrl, options.pgSchema, options.pgPoolSize ?? 10);
  }
  return openSqlite(options.dataDir);
}

/** The embedded store's file in its data directory. */
export function sqliteFileOf(dataDir: string): string {
  return join(dataDir, 'portcullis.sqlite');
}

function openSqlite(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true });
  const file = sqliteFileOf(dataDir);
  const database = new SQLite(file);
  // WAL lets readers run beside the writer; FULL makes every acknowledged commit survive power loss.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  // The CLI and a running server may share the file: wait for the other's write instead of failing.
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: reusingStatements(database) }) });
  return {
    db,
    dialect: 'sqlite',
    location: file,
    watchOtherProcesses: async () => {
      const dataVersion = database.prepare<[], number>('pragma data_version').pluck();
      const changed = database.prepare<[number], { site_id: number; version: number }>(
        'select site_id, version from site_change where version > ? order by version',
      );
      const stop = watchSqlite(
        {
          dataVersion: () => dataVersion.get() ?? 0,
          sitesChangedAfter: (version) => changed.all(version),
        },
        changeFeedOf(db),
      );
      return async () => stop();
    },
    onProblem: () => undefined,
    close: () => db.destroy(),
  };
}

/**
 * Statements compiled by SQLite kept for reuse: Kysely prepares every query afresh, and preparing cost
 * about a tenth of a decision's or a `?id=` lookup's time (docs/performance.md). Keyed by SQL text; an
 * `IN (…)` list of another length is another statement, so the cache is bounded.
 */
const STATEMENT_CACHE_SIZE = 1000;

function reusingStatements(database: SQLite.Database): SqliteDatabase {
  const statements = new LRUCache<string, SQLite.Statement>({ max: STATEMENT_CACHE_SIZE });
  return {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare: (requested) => {
      // Every transaction here writes. Begun deferred, it reads first and then asks for the write lock,
      // which another process's commit in between refuses at once (SQLITE_BUSY_SNAPSHOT, no busy wait);
      // begun immediate, it waits its turn for the lock (busy_timeout) before reading anything.
      const text = requested === 'begin' ? 'begin immediate' : requested;
      let statement = statements.get(text);
      if (!statement) {
        statement = database.prepare(text);
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

/**
 * Statements with this many parameters or fewer are sent as named (prepared) statements, which PostgreSQL
 * parses and plans once per connection instead of on every query: that halved the time of a lookup by id.
 * Longer ones are mostly `IN (…)` lists, a new text for each length, and stay unnamed so that what a
 * connection keeps prepared stays bounded by the number of query shapes; the hot statements
 * (src/db/prepared.ts, a fixed few shapes) are named whatever their length.
 */
const MOST_PARAMETERS_TO_NAME = 16;

/** Names by SQL text, so a statement sent again is not hashed again; bounded like the SQLite cache. */
const statementNames = new LRUCache<string, string>({ max: STATEMENT_CACHE_SIZE });

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `portcullis_${createHash('sha1').update(text).digest('hex')}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Whether the server provably did not run the statement that failed: the connection was already known
 * dead (node-postgres refuses to send on it), or the server answered that it was ending or refusing the
 * session (57P01–57P03), which it says before running anything on it. A dead connection taken from the
 * pool before its end was noticed fails this way, and the statement can go to another connection.
 */
function neverRan(error: unknown): boolean {
  const { code, message } = errorFields(error);
  return (code !== undefined && /^57P0[1-3]$/.test(code)) || (message !== undefined && /not queryable/.test(message));
}

/**
 * The pool as Kysely sees it, with two additions: statements named for reuse (above), and a statement
 * the server never ran on a dead connection sent again on another, when nothing else on that
 * connection is lost by it (outside a transaction, or the transaction's `begin`). So a PostgreSQL restart
 * fails only what was in flight, not what happens to pick a dead connection just after (docs/faults.md).
 */
function namingStatements(pool: pg.Pool, problem: FeedProblem): PostgresPool {
  // The pool listens for a connection's errors only while it is idle; one that ends while checked out
  // (between a transaction's statements, say) would otherwise end the process. Its statement fails by
  // itself (503), and the pool drops the connection when it is released. Listened to from the pool's
  // `connect`, not after the checkout's await: when the event loop was busy past the server's
  // idle_session_timeout (a start), the connection's readiness and its end arrive in one read, and the
  // end is emitted before an await resumes.
  pool.on('connect', (client) => {
    client.on('error', (error) => problem('store connection lost; the pool replaces it', error));
  });
  const checkOut = (): Promise<pg.PoolClient> => pool.connect();
  const naming = (checkedOut: pg.PoolClient): PostgresPoolClient => {
    let client = checkedOut;
    let inTransaction = false;
    const send = (text: string, values: unknown[]) => {
      const named = (values.length > 0 && values.length <= MOST_PARAMETERS_TO_NAME) || isHotStatement(text);
      return client.query(named ? { name: statementName(text), text, values } : { text, values }) as Promise<PostgresQueryResult<unknown>>;
    };
    const sendOnce = async (text: string, values: unknown[]) => {
      // Every connection the pool held may have died at once (a restart): each found dead is dropped.
      for (let attempt = 0; ; attempt++) {
        try {
          return await send(text, values);
        } catch (error) {
          if (!neverRan(error) || (inTransaction && text !== 'begin') || attempt >= pool.options.max) throw error;
          const dead = client;
          client = await checkOut();
          dead.release(true);
        }
      }
    };
    function query<R>(text: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>>;
    function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
    function query(
      text: string | PostgresCursor<unknown>,
      parameters?: readonly unknown[],
    ): Promise<PostgresQueryResult<unknown>> | PostgresCursor<unknown> {
      // Kysely passes a cursor only to a dialect configured with one, for .stream(), which nothing here uses.
      if (typeof text !== 'string') throw new Error('Streaming queries are not configured');
      // Kysely begins, commits and rolls back transactions with these statements, on the connection it holds.
      if (text === 'begin') inTransaction = true;
      else if (text === 'commit' || text === 'rollback') inTransaction = false;
      return sendOnce(text, [...(parameters ?? [])]);
    }
    return { query, release: () => client.release() };
  };
  return {
    connect: async () => naming(await checkOut()),
    end: () => pool.end(),
  };
}

/**
 * How connections to PostgreSQL notice a vanished server: TCP keepalive on every connection, and a
 * bound on how long a new connection may take, so a request waits seconds for an unreachable store,
 * not for ever, and is then answered 503.
 */
const PG_CONNECTION = { keepAlive: true, keepAliveInitialDelayMillis: 10_000, connectionTimeoutMillis: 5_000 } as const;

function openPostgres(url: string, schema: string | undefined, max: number): Store {
  const config = { connectionString: url, ...PG_CONNECTION, ...(schema ? { options: `-c search_path=${schema}` } : {}) };
  const problems = problemReporter();
  const pool = new pg.Pool({ ...config, max });
  // An idle connection that the server ended (a restart, pg_terminate_backend, idle_session_timeout) is
  // dropped by the pool, which then emits this; unheard, it would end the process. The connection's own
  // listener (namingStatements) has reported it already.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new SchemaScopedPostgresDialect({ pool: namingStatements(pool, problems.report) }) });
  const location = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  return {
    db,
    dialect: 'postgres',
    location,
    watchOtherProcesses: async () => {
      const connect = async () => {
        const client = new pg.Client({ ...config, application_name: CHANGE_FEED_APPLICATION });
        // Heard from the start for the same reason as the pool's (namingStatements): an end that arrives
        // with the connection's readiness comes before the watcher listens. The client is then not
        // queryable, its LISTEN fails, and the watcher reconnects.
        client.on('error', () => undefined);
        await client.connect();
        return client;
      };
      return watchPostgres(connect, changeFeedOf(db), problems.report);
    },
    onProblem: problems.listen,
    poolUse: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => db.destroy(),
  };
}

/** The LISTEN connection's application_name, so an operator (or the fault tests) can tell it apart. */
export const CHANGE_FEED_APPLICATION = 'portcullis-change-feed';
