import type { Columns } from '../../db/schema.ts';
import type { Queryable } from '../../db/queryable.ts';
import { nameKeyOwnersIn, namesByIdIn } from '../../db/site-lookups.ts';

/** A location as the list reads it. */
export type LocationRow = Columns<'location', 'id' | 'name' | 'enabled'> & {
  /** The name of the location's type. */
  type: string;
};

/** Locations of the site in id order, with their type's name. */
export function listLocations(db: Queryable, siteId: number, afterId: number, limit: number): Promise<LocationRow[]> {
  return db
    .selectFrom('location')
    .innerJoin('location_type', (join) =>
      join.onRef('location_type.id', '=', 'location.location_type_id').onRef('location_type.site_id', '=', 'location.site_id'),
    )
    .select(['location.id', 'location.name', 'location_type.name as type', 'location.enabled'])
    .where('location.site_id', '=', siteId)
    .where('location.id', '>', afterId)
    .orderBy('location.id')
    .limit(limit)
    .execute();
}

/** Of these name keys, the ones taken in the site, with the id of the location holding each. */
export function nameKeyOwners(db: Queryable, siteId: number, keys: string[]): Promise<Map<string, number>> {
  return nameKeyOwnersIn(db, 'location', siteId, keys);
}

/** Of these ids, the ones that exist in the site, with their names. */
export function namesById(db: Queryable, siteId: number, ids: number[]): Promise<Map<number, string>> {
  return namesByIdIn(db, 'location', siteId, ids);
}

/** Inserts the rows in one statement. */
export async function insertLocations(
  db: Queryable,
  rows: { site_id: number; name: string; name_key: string; location_type_id: number; created_at: number }[],
): Promise<void> {
  await db.insertInto('location').values(rows).execute();
}

/** The columns an update may change. */
export interface LocationChanges {
  name?: string;
  name_key?: string;
  location_type_id?: number;
  enabled?: number;
}

/** Applies one location's changes. */
export async function updateLocation(db: Queryable, siteId: number, id: number, changes: LocationChanges): Promise<void> {
  await db.updateTable('location').set(changes).where('site_id', '=', siteId).where('id', '=', id).execute();
}

/** For each of these locations that doors use: how many doors, and the first door's name (alphabetically). */
export async function doorUsage(db: Queryable, siteId: number, ids: number[]): Promise<Map<number, { doors: number; door: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('door')
    .select((eb) => ['location_id', eb.fn.countAll<number>().as('doors'), eb.fn.min('name').as('door')])
    .where('site_id', '=', siteId)
    .where('location_id', 'in', ids)
    .groupBy('location_id')
    .execute();
  return new Map(rows.flatMap((r) => (r.location_id === null ? [] : [[r.location_id, { doors: Number(r.doors), door: r.door }]])));
}

/** Deletes these locations of the site; answers how many went. */
export async function deleteLocations(db: Queryable, siteId: number, ids: number[]): Promise<number> {
  const result = await db.deleteFrom('location').where('site_id', '=', siteId).where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}
