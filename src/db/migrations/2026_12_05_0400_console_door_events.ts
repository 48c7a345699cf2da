import type { Kysely } from 'kysely';

/**
 * The console's door pages and event filters (docs/console.md): a door's newest events, newest first, as a
 * range of one index, so a quiet door on a site with millions of events does not walk the whole log.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('event_door_idx').on('event').columns(['site_id', 'door_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('event_door_idx').ifExists().execute();
}
