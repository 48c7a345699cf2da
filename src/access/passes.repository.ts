import { sql } from 'kysely';
import type { Queryable } from '../db/queryable.ts';

/**
 * Spends one pass of a pass-limited credential, only while one is left: two concurrent grants can
 * never both spend the last pass, and the count never goes below zero. True when a pass was spent.
 */
export async function spendPass(trx: Queryable, siteId: number, credentialId: number): Promise<boolean> {
  const result = await trx
    .updateTable('credential')
    .set({ passes_left: sql<number>`passes_left - 1` })
    .where('site_id', '=', siteId)
    .where('id', '=', credentialId)
    .where('passes_left', '>', 0)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
