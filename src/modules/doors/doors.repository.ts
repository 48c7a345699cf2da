import type { Columns } from '../../db/schema.ts';
import type { Queryable } from '../../db/queryable.ts';
import { existingIdsIn, nameKeyOwnersIn } from '../../db/site-lookups.ts';

/** A door as the lists read it. */
export type DoorRow = Columns<'door', 'id' | 'name' | 'enabled'> & {
  /** The name of the door's location; null when it has none. */
  location: string | null;
};

/**
 * Doors of the site in id order; with `holderId`, only those the user reaches through any assigned access
 * level (delegate levels included). The `in` subquery lists each door once however many levels grant it.
 */
export function listDoors(db: Queryable, siteId: number, afterId: number, limit: number, holderId?: number): Promise<DoorRow[]> {
  let query = db
    .selectFrom('door')
    .leftJoin('location', (join) => join.onRef('location.id', '=', 'door.location_id').onRef('location.site_id', '=', 'door.site_id'))
    .select(['door.id', 'door.name', 'location.name as location', 'door.enabled'])
    .where('door.site_id', '=', siteId)
    .where('door.id', '>', afterId);
  if (holderId !== undefined) {
    query = query.where('door.id', 'in', (eb) =>
      eb
        .selectFrom('user_access_level')
        .innerJoin('access_level', (join) =>
          join.onRef('access_level.id', '=', 'user_access_level.access_level_id').onRef('access_level.site_id', '=', 'user_access_level.site_id'),
        )
        .innerJoin('access_level_door', (join) =>
          join.onRef('access_level_door.access_level_id', '=', 'access_level.id').onRef('access_level_door.site_id', '=', 'access_level.site_id'),
        )
        .select('access_level_door.door_id')
        .where('user_access_level.site_id', '=', siteId)
        .where('user_access_level.user_id', '=', holderId),
    );
  }
  return query.orderBy('door.id').limit(limit).execute();
}

/** The id of the site's cardholder with this system id or ID number, if there is one. */
export async function findCardholderId(db: Queryable, siteId: number, by: { id: number } | { idNum: string }): Promise<number | undefined> {
  const cardholders = db.selectFrom('user').select('id').where('site_id', '=', siteId).where('role', '=', 'cardholder');
  const query = 'id' in by ? cardholders.where('id', '=', by.id) : cardholders.where('id_num', '=', by.idNum);
  const row = await query.executeTakeFirst();
  return row?.id;
}

/** Of these name keys, the ones taken in the site, with the id of the door holding each. */
export function nameKeyOwners(db: Queryable, siteId: number, keys: string[]): Promise<Map<string, number>> {
  return nameKeyOwnersIn(db, 'door', siteId, keys);
}

/** Of these ids, the ones that exist in the site. */
export function existingIds(db: Queryable, siteId: number, ids: number[]): Promise<Set<number>> {
  return existingIdsIn(db, 'door', siteId, ids);
}

/** Inserts the rows in one statement. */
export async function insertDoors(
  db: Queryable,
  rows: { site_id: number; name: string; name_key: string; location_id: number | null; enabled: number; created_at: number }[],
): Promise<void> {
  await db.insertInto('door').values(rows).execute();
}

/** The columns an update may change. */
export interface DoorChanges {
  name?: string;
  name_key?: string;
  location_id?: number | null;
  enabled?: number;
}

/** Applies one door's changes. */
export async function updateDoor(db: Queryable, siteId: number, id: number, changes: DoorChanges): Promise<void> {
  await db.updateTable('door').set(changes).where('site_id', '=', siteId).where('id', '=', id).execute();
}

/** Deletes the doors; the store's cascades take them out of every access level and drop their state. */
export async function deleteDoors(db: Queryable, siteId: number, ids: number[]): Promise<number> {
  const result = await db.deleteFrom('door').where('site_id', '=', siteId).where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}
