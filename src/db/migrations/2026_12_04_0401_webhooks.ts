import type { Kysely } from 'kysely';
import { ID_TYPE, TIME_TYPE, idColumn, isPostgres } from './columns.ts';

/**
 * Webhooks (docs/webhooks.md): subscriptions, the outbox of deliveries written in each event's own
 * transaction, and one row per delivery attempt.
 *
 * Filters are stored as ",48,49," (empty: everything) so that the outbox insert can match them in SQL
 * with one LIKE on both stores, inside the commit that writes the events.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Event ids are bigint on PostgreSQL (transaction id × 65,536), and so is anything pointing at one.
  const logId = isPostgres(db) ? 'bigint' : ID_TYPE;
  await db.schema
    .createTable('webhook')
    .addColumn('id', ID_TYPE, idColumn(db))
    .addColumn('site_id', ID_TYPE, (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('codes', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('categories', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('doors', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('disabled_reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('previous_secret', 'text')
    .addColumn('previous_until', TIME_TYPE)
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', TIME_TYPE)
    .addColumn('created_at', TIME_TYPE, (c) => c.notNull())
    .addColumn('updated_at', TIME_TYPE, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_site_idx').on('webhook').columns(['site_id', 'enabled']).execute();

  await db.schema
    .createTable('webhook_delivery')
    .addColumn('id', ID_TYPE, idColumn(db))
    .addColumn('site_id', ID_TYPE, (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addColumn('webhook_id', ID_TYPE, (c) => c.notNull().references('webhook.id').onDelete('cascade'))
    .addColumn('event_id', logId, (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_at', TIME_TYPE, (c) => c.notNull())
    .addColumn('created_at', TIME_TYPE, (c) => c.notNull())
    .addColumn('done_at', TIME_TYPE)
    .execute();
  // The worker reads a subscription's pending deliveries in event order; the log lists them by id.
  await db.schema.createIndex('webhook_delivery_queue_idx').on('webhook_delivery').columns(['webhook_id', 'state', 'event_id']).execute();
  await db.schema.createIndex('webhook_delivery_site_idx').on('webhook_delivery').columns(['site_id', 'webhook_id', 'created_at']).execute();

  await db.schema
    .createTable('webhook_attempt')
    .addColumn('id', ID_TYPE, idColumn(db))
    .addColumn('site_id', ID_TYPE, (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addColumn('webhook_id', ID_TYPE, (c) => c.notNull().references('webhook.id').onDelete('cascade'))
    .addColumn('delivery_id', ID_TYPE, (c) => c.notNull().references('webhook_delivery.id').onDelete('cascade'))
    .addColumn('at', TIME_TYPE, (c) => c.notNull())
    .addColumn('status', 'integer')
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .addColumn('error', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('response_head', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('webhook_attempt_site_idx').on('webhook_attempt').columns(['site_id', 'webhook_id', 'id']).execute();
  await db.schema.createIndex('webhook_attempt_delivery_idx').on('webhook_attempt').column('delivery_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhook_attempt').execute();
  await db.schema.dropTable('webhook_delivery').execute();
  await db.schema.dropTable('webhook').execute();
}
