import type { Insertable, Updateable } from 'kysely';
import type { Queryable } from '../../db/queryable.ts';
import type { Columns, DoorModeScheduleTable } from '../../db/schema.ts';

export type DoorScheduleRow = Columns<'door_mode_schedule', 'id' | 'door_id' | 'schedule_id' | 'mode' | 'first_person_in'> & {
  door_name: string;
  schedule_name: string;
};

function selectRows(db: Queryable, siteId: number) {
  return db
    .selectFrom('door_mode_schedule as m')
    .innerJoin('door as d', 'd.id', 'm.door_id')
    .innerJoin('schedule as s', 's.id', 'm.schedule_id')
    .select(['m.id', 'm.door_id', 'd.name as door_name', 'm.schedule_id', 's.name as schedule_name', 'm.mode', 'm.first_person_in'])
    .where('m.site_id', '=', siteId);
}

/** The site's door unlock schedules in id order. */
export function listDoorSchedules(db: Queryable, siteId: number, afterId: number, limit: number): Promise<DoorScheduleRow[]> {
  return selectRows(db, siteId).where('m.id', '>', afterId).orderBy('m.id').limit(limit).execute();
}

/** Of these ids, the site's door unlock schedules, by id. */
export async function findDoorSchedules(db: Queryable, siteId: number, ids: number[]): Promise<Map<number, DoorScheduleRow>> {
  if (ids.length === 0) return new Map();
  const rows = await selectRows(db, siteId).where('m.id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** Of these doors, the `door:schedule` pairs they already have. */
export async function takenPairs(db: Queryable, siteId: number, doorIds: number[]): Promise<Set<string>> {
  if (doorIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('door_mode_schedule')
    .select(['door_id', 'schedule_id'])
    .where('site_id', '=', siteId)
    .where('door_id', 'in', doorIds)
    .execute();
  return new Set(rows.map((r) => `${r.door_id}:${r.schedule_id}`));
}

export async function insertDoorSchedules(db: Queryable, rows: Insertable<DoorModeScheduleTable>[]): Promise<number[]> {
  const inserted = await db.insertInto('door_mode_schedule').values(rows).returning('id').execute();
  return inserted.map((r) => r.id);
}

export type DoorScheduleChanges = Pick<Updateable<DoorModeScheduleTable>, 'mode' | 'first_person_in'>;

export async function updateDoorSchedule(db: Queryable, siteId: number, id: number, changes: DoorScheduleChanges): Promise<void> {
  await db.updateTable('door_mode_schedule').set(changes).where('site_id', '=', siteId).where('id', '=', id).execute();
}

export async function deleteDoorSchedules(db: Queryable, siteId: number, ids: number[]): Promise<number> {
  const result = await db.deleteFrom('door_mode_schedule').where('site_id', '=', siteId).where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}
