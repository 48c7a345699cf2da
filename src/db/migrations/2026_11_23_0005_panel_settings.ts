import type { Kysely } from 'kysely';
import { TIME_TYPE } from './columns.ts';

/**
 * The panel face's remote-control settings, one row per site (none until an operator saves them), and an
 * index for reading a site's log by time, as the panel's `/log/items?from=&to=` does.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('panel_settings')
    .addColumn('site_id', 'integer', (c) => c.primaryKey().references('site.id').onDelete('cascade'))
    // 0/1: whether Portcullis answers its panels' remote-access questions at all.
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('custom_server_enabled', 'integer', (c) => c.notNull())
    // Null: the URL template Portcullis derives from the request that reads the settings.
    .addColumn('custom_server_api_url', 'text')
    .addColumn('updated_at', TIME_TYPE, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('event_site_hw_time_idx').on('event').columns(['site_id', 'hw_time']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('event_site_hw_time_idx').execute();
  await db.schema.dropTable('panel_settings').execute();
}
