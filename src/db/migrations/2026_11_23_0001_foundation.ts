import type { Kysely } from 'kysely';
import { ID_TYPE, TIME_TYPE, idColumn } from './columns.ts';

/** Sites, their API keys and their maintenance windows. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('site')
    .addColumn('id', ID_TYPE, idColumn(db))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('UTC'))
    .addColumn('card_num_max_length', 'integer', (c) => c.notNull().defaultTo(10))
    .addColumn('pin_min_length', 'integer', (c) => c.notNull().defaultTo(4))
    .addColumn('pin_max_length', 'integer', (c) => c.notNull().defaultTo(8))
    .addColumn('unique_pins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('events_limit', 'integer', (c) => c.notNull().defaultTo(5000))
    .addColumn('pin_secret', 'text', (c) => c.notNull())
    .addColumn('created_at', TIME_TYPE, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_key')
    .addColumn('id', ID_TYPE, idColumn(db))
    .addColumn('site_id', 'integer', (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addColumn('apiuser', 'text', (c) => c.notNull().unique())
    .addColumn('key_hash', 'text', (c) => c.notNull())
    .addColumn('max_batch_size', 'integer', (c) => c.notNull().defaultTo(100))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('revoked_at', TIME_TYPE)
    .addColumn('created_at', TIME_TYPE, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('api_key_site_idx').on('api_key').column('site_id').execute();

  await db.schema
    .createTable('maintenance_window')
    .addColumn('id', ID_TYPE, idColumn(db))
    .addColumn('site_id', 'integer', (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('notice', 'text', (c) => c.notNull())
    .addColumn('notification_only', 'integer', (c) => c.notNull())
    .addColumn('start_at', TIME_TYPE, (c) => c.notNull())
    .addColumn('end_at', TIME_TYPE, (c) => c.notNull())
    .addColumn('created_at', TIME_TYPE, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('maintenance_window_site_idx').on('maintenance_window').columns(['site_id', 'end_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('maintenance_window').execute();
  await db.schema.dropTable('api_key').execute();
  await db.schema.dropTable('site').execute();
}
