import type { Selectable } from 'kysely';
import { dialectOf } from '../../db/dialect.ts';
import { settledLogIds } from '../../db/log-ids.ts';
import { type Param, hotStatement } from '../../db/prepared.ts';
import type { WebhookAttemptTable } from '../../db/schema.ts';
import { locktEventJson } from '../events/event-json.ts';

/**
 * The delivery worker's statements, compiled once (src/db/prepared.ts): the claim runs at every poll of
 * every process, the read once per run and the recording of attempts once per commit, all on the thread
 * that answers decisions, and Kysely building them afresh cost more than the store running them
 * (docs/performance.md).
 */

/**
 * Takes one enabled subscription whose next delivery is due and which no live worker holds (the
 * repository's claimWebhook says why).
 */
export const claimStatement = hotStatement((db, param: Param<{ owner: string; now: number; until: number }>) => {
  const now = param((v) => v.now);
  let candidate = db
    .selectFrom('webhook')
    .select('webhook.id')
    .where('webhook.enabled', '=', 1)
    .where((eb) => eb.or([eb('webhook.lease_until', 'is', null), eb('webhook.lease_until', '<', now)]))
    // Due when the head of its queue (the pending delivery with the lowest event id) is.
    .where((eb) =>
      eb(
        eb
          .selectFrom('webhook_delivery as d')
          .select('d.next_at')
          .whereRef('d.webhook_id', '=', 'webhook.id')
          .where('d.state', '=', 'pending')
          .orderBy('d.event_id')
          .limit(1),
        '<=',
        now,
      ),
    )
    .orderBy('webhook.lease_until')
    .limit(1);
  if (dialectOf(db) === 'postgres') candidate = candidate.forUpdate().skipLocked();
  return (
    db
      .updateTable('webhook')
      .set({ lease_owner: param((v) => v.owner), lease_until: param((v) => v.until) })
      .where('id', 'in', candidate)
      // Checked again here: on SQLite another process may have claimed it between the two reads.
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .returningAll()
  );
});

/** A subscription's next pending deliveries with their events (the repository's nextDeliveries says which). */
export const nextDeliveriesStatement = hotStatement((db, param: Param<{ webhookId: number; limit: number; afterEventId: number }>) => {
  const settled = settledLogIds(db);
  let query = db
    .selectFrom('webhook_delivery')
    .innerJoin('event', 'event.id', 'webhook_delivery.event_id')
    .innerJoin('site', 'site.id', 'webhook_delivery.site_id')
    .select([
      'webhook_delivery.id',
      'webhook_delivery.event_id',
      'webhook_delivery.attempts',
      'webhook_delivery.next_at',
      'webhook_delivery.created_at',
      'event.code as event_code',
      'site.name as site_name',
      locktEventJson(dialectOf(db)).as('event_json'),
    ])
    .where(
      'webhook_delivery.webhook_id',
      '=',
      param((v) => v.webhookId),
    )
    .where('webhook_delivery.state', '=', 'pending')
    .where(
      'webhook_delivery.event_id',
      '>',
      param((v) => v.afterEventId),
    );
  if (settled !== undefined) query = query.where('webhook_delivery.event_id', '<', settled);
  return query.orderBy('webhook_delivery.event_id').limit(param((v) => v.limit));
});

/** An attempt to record: a row of webhook_attempt but its id. */
export type NewAttempt = Omit<Selectable<WebhookAttemptTable>, 'id'>;

/**
 * The row counts a statement recording attempts is compiled for: a run's attempts go in chunks of these
 * sizes, largest first (100 → 64, 32, 4), so seven shapes serve any run, each compiled once, instead of
 * Kysely building a statement of every row's values per commit.
 */
const SIZES = [64, 32, 16, 8, 4, 2, 1] as const;
const LARGEST = 64;

/** `items` cut into chunks of SIZES, in order. */
export function chunked<T>(items: readonly T[]): T[][] {
  const chunks: T[][] = [];
  let at = 0;
  for (; items.length - at >= LARGEST; at += LARGEST) chunks.push(items.slice(at, at + LARGEST));
  for (const size of SIZES) {
    if (items.length - at < size) continue;
    chunks.push(items.slice(at, at + size));
    at += size;
  }
  return chunks;
}

function nth<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`A statement for more rows than the ${items.length} given was run`);
  return item;
}

function bySize<S>(build: (size: number) => S): (size: number) => S {
  const statements = new Map(SIZES.map((size) => [size, build(size)] as const));
  return (size) => {
    const statement = statements.get(size as (typeof SIZES)[number]);
    if (!statement) throw new Error(`No statement for ${size} rows (${SIZES.join(', ')})`);
    return statement;
  };
}

/** The insert of `size` attempts (a size of SIZES). */
export const attemptInsert = bySize((size) =>
  hotStatement((db, param: Param<{ rows: readonly NewAttempt[] }>) =>
    db.insertInto('webhook_attempt').values(
      Array.from({ length: size }, (_, index) => {
        const slot = <Column extends keyof NewAttempt>(column: Column) => param((v) => nth(v.rows, index)[column]);
        return {
          site_id: slot('site_id'),
          webhook_id: slot('webhook_id'),
          delivery_id: slot('delivery_id'),
          at: slot('at'),
          status: slot('status'),
          latency_ms: slot('latency_ms'),
          error: slot('error'),
          response_head: slot('response_head'),
        };
      }),
    ),
  ),
);

/** Marks `size` deliveries delivered (a size of SIZES; the repository's markDelivered says which). */
export const deliveredUpdate = bySize((size) =>
  hotStatement((db, param: Param<{ ids: readonly number[]; at: number; attemptedFrom: number }>) =>
    db
      .updateTable('webhook_delivery')
      .set((eb) => ({ state: 'delivered', attempts: eb('attempts', '+', 1), done_at: param((v) => v.at) }))
      .where(
        'id',
        'in',
        Array.from({ length: size }, (_, index) => param((v) => nth(v.ids, index))),
      )
      .where(
        'next_at',
        '<',
        param((v) => v.attemptedFrom),
      ),
  ),
);
