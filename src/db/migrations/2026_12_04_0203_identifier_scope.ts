import type { Kysely } from 'kysely';

/**
 * Which operator made an identifier, and whether an operator sees only its own: a BAS-IP client syncing
 * "its" identifiers deletes every one it did not create, so a client given an account of scope `own`
 * cannot delete another client's cards (nor the site's Lockt cards) by syncing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('credential')
    .addColumn('created_by', 'integer', (c) => c.references('user.id').onDelete('set null'))
    .execute();
  await db.schema.createIndex('credential_created_by_idx').on('credential').columns(['site_id', 'created_by']).execute();
  // site: every identifier of the site; own: only those this operator created.
  await db.schema
    .alterTable('user')
    .addColumn('identifier_scope', 'text', (c) => c.notNull().defaultTo('site'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('user').dropColumn('identifier_scope').execute();
  await db.schema.dropIndex('credential_created_by_idx').execute();
  await db.schema.alterTable('credential').dropColumn('created_by').execute();
}
