import type { Columns } from '../../db/schema.ts';
import type { Queryable } from '../../db/queryable.ts';
import { existingIdsIn, nameKeyOwnersIn, namedRowsAfter } from '../../db/site-lookups.ts';

export type LocationTypeRow = Columns<'location_type', 'id' | 'name'>;

export function listLocationTypes(db: Queryable, siteId: number, afterId: number, limit: number): Promise<LocationTypeRow[]> {
  return namedRowsAfter(db, 'location_type', siteId, afterId, limit);
}

/** Which of these name keys are taken in the site. */
export async function takenNameKeys(db: Queryable, siteId: number, keys: string[]): Promise<Set<string>> {
  return new Set((await nameKeyOwnersIn(db, 'location_type', siteId, keys)).keys());
}

export async function insertLocationTypes(
  db: Queryable,
  rows: { site_id: number; name: string; name_key: string; created_at: number }[],
): Promise<void> {
  await db.insertInto('location_type').values(rows).execute();
}

/** Of these ids, the ones that exist in the site. */
export function existingIds(db: Queryable, siteId: number, ids: number[]): Promise<Set<number>> {
  return existingIdsIn(db, 'location_type', siteId, ids);
}

/** Of these ids, the ones some location still uses. */
export async function idsInUse(db: Queryable, siteId: number, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('location')
    .select('location_type_id')
    .distinct()
    .where('site_id', '=', siteId)
    .where('location_type_id', 'in', ids)
    .execute();
  return new Set(rows.map((r) => r.location_type_id));
}

export async function deleteLocationTypes(db: Queryable, siteId: number, ids: number[]): Promise<number> {
  const result = await db.deleteFrom('location_type').where('site_id', '=', siteId).where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}
