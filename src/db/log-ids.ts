import { setTimeout as sleep } from 'node:timers/promises';
import { type Expression, type RawBuilder, sql } from 'kysely';
import { dialectOf } from './dialect.ts';
import type { Queryable } from './queryable.ts';

/**
 * Ids of the append-only logs (events, audit) that a reader paging with `?id=<last seen>` can trust: no
 * id it has passed may commit later.
 *
 * SQLite has one writer at a time, so its own AUTOINCREMENT ids already commit in order.
 *
 * PostgreSQL runs writers side by side, and a sequence's numbers commit in any order. So an id is the
 * writing transaction's id (xid8) × ROWS_PER_TRANSACTION + the row's place in that transaction, and a
 * reader returns only ids below W × ROWS_PER_TRANSACTION, W being the oldest transaction of this
 * database still running at its snapshot (`settledLogIds`). Why that loses nothing: every transaction of
 * this database with an id below W has ended, so its rows are visible now or never; every row committed
 * later belongs to a transaction whose id is W or above (running at the snapshot, or begun after it), so
 * its log id is above all that was returned. No lock is held across commits;
 * the price is that a committed row waits for every older transaction still running before it is listed
 * (docs/faults.md).
 */
export const ROWS_PER_TRANSACTION = 65_536;

/** Rows already numbered in each open transaction, so two appends in one transaction never clash. */
const numbered = new WeakMap<Queryable, number>();

/**
 * Reserves `count` new log rows in `trx` and returns the place of the first in the transaction on
 * PostgreSQL (`logIdAt` makes its id); undefined on SQLite, whose store numbers them. Outside a transaction
 * each statement is its own, and numbers from 0.
 */
export function reserveLogIds(trx: Queryable, count: number): number | undefined {
  if (dialectOf(trx) !== 'postgres') return undefined;
  const first = trx.isTransaction ? (numbered.get(trx) ?? 0) : 0;
  if (first + count > ROWS_PER_TRANSACTION) {
    throw new Error(`A transaction may append at most ${ROWS_PER_TRANSACTION} rows to one log; this one asked for ${first + count}`);
  }
  if (trx.isTransaction) numbered.set(trx, first + count);
  return first;
}

/** The id of the log row at `place` in the writing transaction (PostgreSQL). */
export function logIdAt(place: number | Expression<number>): RawBuilder<number> {
  return sql<number>`pg_current_xact_id()::text::bigint * ${sql.lit(ROWS_PER_TRANSACTION)} + ${place}`;
}

/** The id expressions of `count` new log rows in `trx` on PostgreSQL; undefined on SQLite (`reserveLogIds`). */
export function nextLogIds(trx: Queryable, count: number): RawBuilder<number>[] | undefined {
  const first = reserveLogIds(trx, count);
  if (first === undefined) return undefined;
  return Array.from({ length: count }, (_, i) => logIdAt(sql.lit(first + i)));
}

/**
 * On PostgreSQL, the bound below which a log's ids are settled for the statement that reads them (see
 * above); undefined on SQLite, where every committed id is.
 *
 * Transaction ids are the cluster's, but only this database's transactions can write its logs: of the
 * transactions running at the statement's snapshot, those seen running now in another database are left
 * out, so a long transaction elsewhere on the server holds nothing back here. Any other (one of this
 * database, or one that has ended since and whose database can no longer be told) still bounds the read.
 * xid8 values are compared with pg_stat_activity's 32-bit xids on their low 32 bits.
 */
export function settledLogIds(db: Queryable): RawBuilder<number> | undefined {
  if (dialectOf(db) !== 'postgres') return undefined;
  return sql<number>`(select least(
      pg_snapshot_xmax(snapshot)::text::bigint,
      (select min(running::text::bigint) from pg_snapshot_xip(snapshot) as running
        where running::text::bigint % 4294967296 not in (
          select backend_xid::text::bigint from pg_stat_activity
          where backend_xid is not null and datname is distinct from current_database()))
    ) * ${sql.lit(ROWS_PER_TRANSACTION)}
    from pg_current_snapshot() as snapshot)`;
}

/** How long a read waits for rows already committed to settle before it answers without them. */
const SETTLE_WAIT_MS = 1_000;

/**
 * Waits (on PostgreSQL, up to a second) until the site's committed rows after `afterId` are all settled,
 * so that a reader sees what was written before it asked (a writer's response, then a read) unless an
 * older transaction runs on for longer than that. Nothing is lost either way: a row left out is listed
 * by a later read.
 */
export async function waitUntilSettled(db: Queryable, table: 'event' | 'audit', siteId: number, afterId: number): Promise<void> {
  const settled = settledLogIds(db);
  if (!settled) return;
  const deadline = Date.now() + SETTLE_WAIT_MS;
  for (;;) {
    const unsettled = await db
      .selectFrom(table)
      .select('id')
      .where('site_id', '=', siteId)
      .where('id', '>', afterId)
      .where('id', '>=', settled)
      .limit(1)
      .executeTakeFirst();
    if (!unsettled || Date.now() >= deadline) return;
    // Older transactions end within milliseconds as a rule; a reader that waits asks a hundred times a second at most.
    await sleep(10);
  }
}

/** The largest id a log may hold and a client may send (ids are JSON numbers: exact up to 2^53). */
export const MAX_LOG_ID = Number.MAX_SAFE_INTEGER;
