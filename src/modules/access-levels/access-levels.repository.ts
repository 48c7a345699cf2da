import type { Columns, AccessLevelTable } from '../../db/schema.ts';
import type { Insertable, Updateable } from 'kysely';
import type { Queryable } from '../../db/queryable.ts';
import { existingIdsIn, nameKeyOwnersIn } from '../../db/site-lookups.ts';

/** An access level without its doors. */
export type AccessLevelRow = Columns<'access_level', 'id' | 'name' | 'first_person_in'>;

/** One door of an access level, with the door's name for display. */
export type LevelDoorRow = Columns<'access_level_door', 'access_level_id' | 'door_id' | 'schedule_id'> & { door_name: string };

/** What PUT needs to know of a level it is asked to change. */
export type LevelSummaryRow = Columns<'access_level', 'id' | 'name' | 'is_delegate'>;

/** Every level of the site, delegate levels included, in id order. */
export function listAccessLevels(db: Queryable, siteId: number, afterId: number, limit: number): Promise<AccessLevelRow[]> {
  return db
    .selectFrom('access_level')
    .select(['id', 'name', 'first_person_in'])
    .where('site_id', '=', siteId)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

export function findAccessLevelByNameKey(db: Queryable, siteId: number, key: string): Promise<AccessLevelRow[]> {
  return db.selectFrom('access_level').select(['id', 'name', 'first_person_in']).where('site_id', '=', siteId).where('name_key', '=', key).execute();
}

/** The doors of these levels, each level's in door id order. */
export async function doorsOfLevels(db: Queryable, siteId: number, levelIds: number[]): Promise<LevelDoorRow[]> {
  if (levelIds.length === 0) return [];
  return db
    .selectFrom('access_level_door as ald')
    .innerJoin('door as d', (join) => join.onRef('d.id', '=', 'ald.door_id').on('d.site_id', '=', siteId))
    .select(['ald.access_level_id', 'ald.door_id', 'd.name as door_name', 'ald.schedule_id'])
    .where('ald.site_id', '=', siteId)
    .where('ald.access_level_id', 'in', levelIds)
    .orderBy('ald.access_level_id')
    .orderBy('ald.door_id')
    .execute();
}

/** Which of these name keys are taken in the site, and by which level. */
export function levelIdsByNameKey(db: Queryable, siteId: number, keys: string[]): Promise<Map<string, number>> {
  return nameKeyOwnersIn(db, 'access_level', siteId, keys);
}

/** Of these level ids, the ones in the site, with whether each is a delegate level. */
export async function levelsByIds(db: Queryable, siteId: number, ids: number[]): Promise<Map<number, LevelSummaryRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('access_level')
    .select(['id', 'name', 'is_delegate'])
    .where('site_id', '=', siteId)
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * Of these door ids, the ones in the site. Read here rather than through the doors module because an
 * access level only needs to know that the door exists.
 */
export function existingDoorIds(db: Queryable, siteId: number, ids: number[]): Promise<Set<number>> {
  return existingIdsIn(db, 'door', siteId, ids);
}

/** Of these schedule ids, the ones in the site. */
export function existingScheduleIds(db: Queryable, siteId: number, ids: number[]): Promise<Set<number>> {
  return existingIdsIn(db, 'schedule', siteId, ids);
}

export type NewAccessLevelRow = Insertable<AccessLevelTable>;

/** Inserts levels and returns each one's id by its name key (unique in the site, so unambiguous). */
export async function insertAccessLevels(db: Queryable, rows: NewAccessLevelRow[]): Promise<Map<string, number>> {
  if (rows.length === 0) return new Map();
  const inserted = await db.insertInto('access_level').values(rows).returning(['id', 'name_key']).execute();
  return new Map(inserted.map((r) => [r.name_key, r.id]));
}

export async function insertLevelDoors(
  db: Queryable,
  rows: { site_id: number; access_level_id: number; door_id: number; schedule_id: number | null }[],
): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('access_level_door').values(rows).execute();
}

/** Removes doors from a level: all of them, or only those listed. */
export async function removeLevelDoors(db: Queryable, siteId: number, levelId: number, doorIds?: number[]): Promise<void> {
  if (doorIds?.length === 0) return;
  let query = db.deleteFrom('access_level_door').where('site_id', '=', siteId).where('access_level_id', '=', levelId);
  if (doorIds) query = query.where('door_id', 'in', doorIds);
  await query.execute();
}

/** The columns a PUT may change on the level itself. */
export type AccessLevelChanges = Pick<Updateable<AccessLevelTable>, 'name' | 'name_key' | 'first_person_in'>;

export async function updateAccessLevel(db: Queryable, siteId: number, id: number, changes: AccessLevelChanges): Promise<void> {
  await db.updateTable('access_level').set(changes).where('site_id', '=', siteId).where('id', '=', id).execute();
}

/** Gives these users the level. */
export async function assignAccessLevel(db: Queryable, siteId: number, levelId: number, userIds: number[]): Promise<void> {
  if (userIds.length === 0) return;
  await db
    .insertInto('user_access_level')
    .values(userIds.map((userId) => ({ site_id: siteId, user_id: userId, access_level_id: levelId })))
    .execute();
}

/** Deletes levels; their doors and user assignments go with them (foreign keys cascade). */
export async function deleteAccessLevels(db: Queryable, siteId: number, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db.deleteFrom('access_level').where('site_id', '=', siteId).where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}
