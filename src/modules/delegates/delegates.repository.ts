import type { Columns } from '../../db/schema.ts';
import type { Queryable } from '../../db/queryable.ts';

/** A delegate level without its doors. */
export type DelegateLevelRow = Columns<'access_level', 'id' | 'name' | 'access_effective' | 'access_expires'>;

export function listDelegateLevels(db: Queryable, siteId: number, afterId: number, limit: number): Promise<DelegateLevelRow[]> {
  return db
    .selectFrom('access_level')
    .select(['id', 'name', 'access_effective', 'access_expires'])
    .where('site_id', '=', siteId)
    .where('is_delegate', '=', 1)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Of these user ids, the cardholders of the site (operator accounts neither give nor receive delegations). */
export async function cardholderIds(db: Queryable, siteId: number, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('user')
    .select('id')
    .where('site_id', '=', siteId)
    .where('role', '=', 'cardholder')
    .where('id', 'in', ids)
    .execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * Which of these doors each of these users holds through levels of their own. Delegate levels are left
 * out: a door received by delegation cannot be passed on.
 */
export function delegableDoors(db: Queryable, siteId: number, userIds: number[], doorIds: number[]): Promise<{ user_id: number; door_id: number }[]> {
  if (userIds.length === 0 || doorIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('user_access_level as ual')
    .innerJoin('access_level as al', (join) =>
      join.onRef('al.id', '=', 'ual.access_level_id').on('al.site_id', '=', siteId).on('al.is_delegate', '=', 0),
    )
    .innerJoin('access_level_door as ald', (join) => join.onRef('ald.access_level_id', '=', 'al.id').on('ald.site_id', '=', siteId))
    .select(['ual.user_id', 'ald.door_id'])
    .distinct()
    .where('ual.site_id', '=', siteId)
    .where('ual.user_id', 'in', userIds)
    .where('ald.door_id', 'in', doorIds)
    .execute();
}

export async function countDelegateLevels(db: Queryable, siteId: number): Promise<number> {
  const row = await db
    .selectFrom('access_level')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('site_id', '=', siteId)
    .where('is_delegate', '=', 1)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deletes the delegate levels that expired before `now`; receivers lose them by cascade. */
export async function deleteExpiredDelegateLevels(db: Queryable, siteId: number, now: number): Promise<number> {
  const result = await db
    .deleteFrom('access_level')
    .where('site_id', '=', siteId)
    .where('is_delegate', '=', 1)
    .where('access_expires', '<', now)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
