import { sql } from 'kysely';
import { type Param, hotStatement } from '../db/prepared.ts';
import type { Queryable } from '../db/queryable.ts';

/** `,<value>,` found in a stored ",a,b," filter: how the outbox matches filters in SQL on both stores. */
function listed(filter: 'webhook.codes' | 'webhook.categories' | 'webhook.doors', value: 'event.code' | 'event.category' | 'event.door_id') {
  return sql<boolean>`${sql.ref(filter)} like '%,' || ${sql.ref(value)} || ',%'`;
}

/**
 * The outbox's insert, compiled once (src/db/prepared.ts): it runs in every shared commit of decisions,
 * and Kysely building it afresh each time cost more than running it (docs/performance.md). The events
 * are named by the first and last id of a run of consecutive ids rather than listed, so the statement
 * has one shape whatever their number.
 */
export const outboxInsert = hotStatement((db, param: Param<{ first: number; last: number }>) =>
  db
    .insertInto('webhook_delivery')
    .columns(['site_id', 'webhook_id', 'event_id', 'state', 'next_at', 'created_at'])
    .expression(
      db
        .selectFrom('event')
        .innerJoin('webhook', 'webhook.site_id', 'event.site_id')
        .select(['event.site_id', 'webhook.id', 'event.id', sql<'pending'>`'pending'`.as('state'), sql<number>`0`.as('next_at'), 'event.db_time'])
        .where(
          'event.id',
          '>=',
          param((v) => v.first),
        )
        .where(
          'event.id',
          '<=',
          param((v) => v.last),
        )
        .where('webhook.enabled', '=', 1)
        .where((eb) =>
          eb.and([
            eb.or([
              eb.and([eb('webhook.codes', '=', ''), eb('webhook.categories', '=', '')]),
              listed('webhook.codes', 'event.code'),
              listed('webhook.categories', 'event.category'),
            ]),
            // An event without a door has a null here, which no door filter matches.
            eb.or([eb('webhook.doors', '=', ''), listed('webhook.doors', 'event.door_id')]),
          ]),
        )
        .orderBy('event.id'),
    ),
);

/**
 * Queues a delivery for each of these events (one append's, in id order) and each enabled webhook of its
 * site that wants it, in the caller's transaction: one statement per commit however many events it
 * holds, so an event that commits always has its deliveries, and a site without webhooks pays one
 * indexed lookup per commit.
 */
export async function queueWebhookDeliveries(trx: Queryable, eventIds: readonly number[]): Promise<void> {
  for (const [first, last] of consecutiveRuns(eventIds)) await outboxInsert.run(trx, { first, last });
}

/**
 * Ascending ids as runs of consecutive ids, [first, last] each. A run's range then holds these events and
 * no other (ids are unique). An append in a transaction is one run (SQLite numbers a writer's rows one
 * after another; PostgreSQL numbers them by their place in the transaction, src/db/log-ids.ts); outside
 * one, each statement of a long append on PostgreSQL is a transaction and a run of its own.
 */
export function consecutiveRuns(ids: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const id of ids) {
    const run = runs.at(-1);
    if (run && id === run[1] + 1) run[1] = id;
    else runs.push([id, id]);
  }
  return runs;
}
