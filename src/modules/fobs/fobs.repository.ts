import { idsBy } from '../../lib/group-by.ts';
import type { Updateable } from 'kysely';
import { isStorableId } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import type { Columns, CredentialTable } from '../../db/schema.ts';
import { valuesById } from '../../db/values-by-id.ts';

/** Fobs are the credentials tagged `is_fob`; these queries read and write only those. */
export type FobRow = Columns<
  'credential',
  'id' | 'user_id' | 'id_num' | 'name' | 'card_num' | 'credential_key' | 'enabled' | 'access_effective' | 'access_expires'
>;

export interface FobFilter {
  id?: number | undefined;
  idNum?: string | undefined;
  nameKey?: string | undefined;
  cardNum?: string | undefined;
}

export async function listFobs(db: Queryable, siteId: number, filter: FobFilter, afterId: number, limit: number): Promise<FobRow[]> {
  // An id no row can hold matches nothing (and PostgreSQL would refuse to compare it).
  if (filter.id !== undefined && !isStorableId(filter.id)) return [];
  let query = db
    .selectFrom('credential')
    .select(['id', 'user_id', 'id_num', 'name', 'card_num', 'credential_key', 'enabled', 'access_effective', 'access_expires'])
    .where('site_id', '=', siteId)
    .where('is_fob', '=', 1);
  if (filter.id !== undefined) query = query.where('id', '=', filter.id);
  if (filter.idNum !== undefined) query = query.where('id_num', '=', filter.idNum);
  if (filter.nameKey !== undefined) query = query.where('name_key', '=', filter.nameKey);
  if (filter.cardNum !== undefined) query = query.where('card_num', '=', filter.cardNum);
  return query.where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

/** The site's fobs carrying these name keys, by key. */
export async function fobIdsByNameKey(db: Queryable, siteId: number, keys: string[]): Promise<Map<string, number>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('credential')
    .select(['id', 'name_key'])
    .where('site_id', '=', siteId)
    .where('is_fob', '=', 1)
    .where('name_key', 'in', keys)
    .execute();
  return idsBy(rows, 'name_key');
}

export type FobChanges = Pick<
  Updateable<CredentialTable>,
  'user_id' | 'name' | 'name_key' | 'id_num' | 'card_num' | 'access_effective' | 'access_expires'
>;

/** Applies each fob's own changes, all in one statement. */
export async function updateFobs(db: Queryable, siteId: number, updates: { id: number; changes: FobChanges }[]): Promise<void> {
  const changed = updates.filter((u) => Object.keys(u.changes).length > 0);
  if (changed.length === 0) return;
  await db
    .updateTable('credential')
    .set(valuesById(changed))
    .where('site_id', '=', siteId)
    .where('is_fob', '=', 1)
    .where(
      'id',
      'in',
      changed.map((u) => u.id),
    )
    .execute();
}

export async function deleteFobs(db: Queryable, siteId: number, ids: number[]): Promise<number> {
  const result = await db.deleteFrom('credential').where('site_id', '=', siteId).where('is_fob', '=', 1).where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}
