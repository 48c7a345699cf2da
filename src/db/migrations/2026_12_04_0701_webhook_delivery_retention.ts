import type { Kysely } from 'kysely';

/**
 * Webhook retention (docs/webhooks.md): the worker deletes finished deliveries (delivered or failed) by
 * the time they finished, oldest first; pending ones have no done_at and are not in this index's range.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('webhook_delivery_done_idx').on('webhook_delivery').column('done_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('webhook_delivery_done_idx').execute();
}
