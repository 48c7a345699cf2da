import { type Kysely, sql } from 'kysely';
import { isPostgres } from './columns.ts';

/**
 * PostgreSQL: event and audit ids become the writing transaction's id × 65,536 + the row's place in it
 * (src/db/log-ids.ts), so readers can page them in order without a lock held across commits; the columns
 * grow to bigint and lose their identity default, so no row can be numbered any other way. Ids already
 * stored stay as they are, below every new one (checked: this fails rather than number a row out of order).
 *
 * SQLite: `site_change`, one row per site with the version of its last change, bumped by every write in
 * its transaction, so another process that sees the file change can tell which sites to drop.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) {
    for (const table of ['event', 'audit']) {
      const { rows } = await sql<{
        clash: boolean;
      }>`select coalesce(max(id), 0) >= pg_current_xact_id()::text::bigint * 65536 as clash from ${sql.table(table)}`.execute(db);
      if (rows[0]?.clash) throw new Error(`${table} ids already reach the transaction-ordered range; renumbering them is not supported`);
      await sql`alter table ${sql.table(table)} alter column id drop identity`.execute(db);
      await sql`alter table ${sql.table(table)} alter column id type bigint`.execute(db);
    }
    return;
  }
  await db.schema
    .createTable('site_change')
    .addColumn('site_id', 'integer', (c) => c.primaryKey().references('site.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('site_change_version_idx').on('site_change').column('version').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Ids numbered by transaction do not fit the old integer columns, nor follow their sequence.
  if (isPostgres(db)) throw new Error('2026_12_04_0101 cannot be undone on PostgreSQL');
  await db.schema.dropTable('site_change').execute();
}
