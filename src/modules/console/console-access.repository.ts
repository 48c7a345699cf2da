import type { Queryable } from '../../db/queryable.ts';
import type { Columns } from '../../db/schema.ts';
import { DAY_COLUMNS, type ScheduleRow } from '../schedules/schedules.repository.ts';

export type LevelListRow = Columns<'access_level', 'id' | 'name' | 'is_delegate'> & { doors: number };

/** The site's access levels by name, delegate levels included, with how many doors each opens. */
export async function levelSummaries(db: Queryable, siteId: number, limit: number): Promise<LevelListRow[]> {
  const rows = await db
    .selectFrom('access_level as al')
    .leftJoin('access_level_door as ald', (join) => join.onRef('ald.access_level_id', '=', 'al.id').onRef('ald.site_id', '=', 'al.site_id'))
    .select((eb) => ['al.id', 'al.name', 'al.is_delegate', eb.fn.count<number>('ald.door_id').as('doors')])
    .where('al.site_id', '=', siteId)
    .groupBy(['al.id', 'al.name', 'al.is_delegate'])
    .orderBy('al.name')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ ...row, doors: Number(row.doors) }));
}

const schedules = (db: Queryable, siteId: number) =>
  db
    .selectFrom('schedule')
    .select(['id', 'name', ...DAY_COLUMNS, 'start_time', 'stop_time', 'rule', 'observes_holidays'])
    .where('site_id', '=', siteId);

/** The site's schedules and time profiles by name. */
export function schedulesByName(db: Queryable, siteId: number, limit: number): Promise<ScheduleRow[]> {
  return schedules(db, siteId).orderBy('name').limit(limit).execute();
}

/** One schedule or time profile of the site. */
export function scheduleById(db: Queryable, siteId: number, id: number): Promise<ScheduleRow | undefined> {
  return schedules(db, siteId).where('id', '=', id).executeTakeFirst();
}
