import type { Insertable } from 'kysely';
import type { Queryable } from '../../db/queryable.ts';
import type { ScheduleTable, Columns } from '../../db/schema.ts';
import { nameKeyOwnersIn, namesByIdIn } from '../../db/site-lookups.ts';

/** A day column: d0 is Monday … d6 Sunday. */
export type DayColumn = 'd0' | 'd1' | 'd2' | 'd3' | 'd4' | 'd5' | 'd6';

/** The day columns in the spec's order, Monday first. */
export const DAY_COLUMNS: readonly DayColumn[] = ['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6'];

/** A schedule as the list reads it; `rule` is set for a BAS-IP time profile. */
export type ScheduleRow = Columns<'schedule', 'id' | 'name' | 'start_time' | 'stop_time' | 'rule' | 'observes_holidays' | DayColumn>;

/** Schedules of the site in id order. */
export function listSchedules(db: Queryable, siteId: number, afterId: number, limit: number): Promise<ScheduleRow[]> {
  return db
    .selectFrom('schedule')
    .select(['id', 'name', ...DAY_COLUMNS, 'start_time', 'stop_time', 'rule', 'observes_holidays'])
    .where('site_id', '=', siteId)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Of these name keys, the ones taken in the site, with the id of the schedule holding each. */
export function nameKeyOwners(db: Queryable, siteId: number, keys: string[]): Promise<Map<string, number>> {
  return nameKeyOwnersIn(db, 'schedule', siteId, keys);
}

/** Of these ids, the ones that exist in the site, with their names. */
export function namesById(db: Queryable, siteId: number, ids: number[]): Promise<Map<number, string>> {
  return namesByIdIn(db, 'schedule', siteId, ids);
}

/** Inserts the rows in one statement. */
export async function insertSchedules(db: Queryable, rows: Insertable<ScheduleTable>[]): Promise<void> {
  await db.insertInto('schedule').values(rows).execute();
}

/** The columns an update may change. */
export type ScheduleChanges = Partial<
  Pick<ScheduleTable, 'name' | 'name_key' | 'start_time' | 'stop_time'> & Record<DayColumn | 'observes_holidays', number>
>;

/** Applies one schedule's changes. */
export async function updateSchedule(db: Queryable, siteId: number, id: number, changes: ScheduleChanges): Promise<void> {
  await db.updateTable('schedule').set(changes).where('site_id', '=', siteId).where('id', '=', id).execute();
}

/**
 * For each of these schedules that access levels use: how many levels, and the first level's name
 * (alphabetically).
 */
export async function accessLevelUsage(db: Queryable, siteId: number, ids: number[]): Promise<Map<number, { levels: number; level: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('access_level_door')
    .innerJoin('access_level', (join) =>
      join.onRef('access_level.id', '=', 'access_level_door.access_level_id').onRef('access_level.site_id', '=', 'access_level_door.site_id'),
    )
    .select((eb) => [
      'access_level_door.schedule_id',
      eb.fn.count<number>('access_level.id').distinct().as('levels'),
      eb.fn.min('access_level.name').as('level'),
    ])
    .where('access_level_door.site_id', '=', siteId)
    .where('access_level_door.schedule_id', 'in', ids)
    .groupBy('access_level_door.schedule_id')
    .execute();
  return new Map(rows.flatMap((r) => (r.schedule_id === null ? [] : [[r.schedule_id, { levels: Number(r.levels), level: r.level }]])));
}

/** For each of these schedules that doors' unlock schedules use: the first such door's name (alphabetically). */
export async function unlockScheduleUsage(db: Queryable, siteId: number, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('door_mode_schedule as m')
    .innerJoin('door as d', 'd.id', 'm.door_id')
    .select((eb) => ['m.schedule_id', eb.fn.min('d.name').as('door')])
    .where('m.site_id', '=', siteId)
    .where('m.schedule_id', 'in', ids)
    .groupBy('m.schedule_id')
    .execute();
  return new Map(rows.map((r) => [r.schedule_id, r.door]));
}

/** Deletes these schedules of the site; answers how many went. */
export async function deleteSchedules(db: Queryable, siteId: number, ids: number[]): Promise<number> {
  const result = await db.deleteFrom('schedule').where('site_id', '=', siteId).where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}
