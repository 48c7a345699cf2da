import { type Kysely, sql } from 'kysely';
import { isPostgres } from './columns.ts';

/**
 * The operator console (docs/console.md).
 *
 * Sessions: a console session lives in operator_session beside the panel face's, told apart by `kind`, so
 * the sign-outs that already end an operator's sessions (password, role, disable, remove) end it too, and
 * neither face accepts the other's token.
 *
 * People search: prefix searches of 100,000 people by first name, last name, email and card number, each
 * a range scan of an index. PostgreSQL compares text in the database's collation, where a prefix is not
 * a range; these indexes (and the searches) use the byte order ("C") there, which SQLite uses already.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('operator_session')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('panel'))
    .execute();
  const bytes = isPostgres(db) ? sql` collate "C"` : sql``;
  const index = (name: string, table: string, expression: string) =>
    sql`create index ${sql.id(name)} on ${sql.id(table)} (site_id, (${sql.raw(expression)})${bytes})`.execute(db);
  await index('user_first_name_search_idx', 'user', 'lower(first_name)');
  await index('user_last_name_search_idx', 'user', 'lower(last_name)');
  if (isPostgres(db)) {
    await index('user_email_search_idx', 'user', 'email_key');
    await index('credential_card_search_idx', 'credential', 'card_num');
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of ['user_first_name_search_idx', 'user_last_name_search_idx', 'user_email_search_idx', 'credential_card_search_idx']) {
    await db.schema.dropIndex(name).ifExists().execute();
  }
  await db.schema.alterTable('operator_session').dropColumn('kind').execute();
}
