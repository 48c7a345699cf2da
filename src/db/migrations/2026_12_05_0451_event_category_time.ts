import type { Kysely } from 'kysely';

/**
 * The console's dashboard and door states on a busy site (docs/performance.md, "Console pages"): the
 * decisions per hour of the last day are counted from this index alone (category and time are in it), and
 * the forced and held-open alarms of the last day are a short range of it (category 3), where each read
 * every event of the day from the table (87 and 41 ms on the 100,000-event bench site, SQLite).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('event_category_time_idx').on('event').columns(['site_id', 'category', 'hw_time', 'code']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('event_category_time_idx').ifExists().execute();
}
