import { sql } from 'kysely';
import { type Param, hotStatement } from '../db/prepared.ts';
import type { Queryable } from '../db/queryable.ts';

/** `,<value>,` found in a stored ",a,b," filter: how the outbox matches filters in SQL on both stores. */
function listed(filter: 'webhook.codes' | 'webhook.categories' | 'webhook.doors', value: 'event.code' | 'event.category' | 'event.door_id') {
  return sql<boolean>`${sql.ref(filter)} like '%,' || ${sql.ref(value)} || ',%'`;
}

/**
 * The outbox's insert, compiled once (src/db/prepared.ts): it runs in every shared commit of decisions,
 * and Kysely building it afresh each time cost more than running it (docs/performance.md). The events of
 * one append are named by their first and last id rather than listed, so the statement has one shape
 * whatever their number: an append's ids are the only ones in that range (SQLite has one writer; on
 * PostgreSQL a transaction's log ids are its own, src/db/log-ids.ts).
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
  const first = eventIds[0];
  const last = eventIds.at(-1);
  if (first === undefined || last === undefined) return;
  await outboxInsert.run(trx, { first, last });
}
