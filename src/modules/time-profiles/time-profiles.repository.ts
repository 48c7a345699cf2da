import { type Insertable, type Updateable, sql } from 'kysely';
import type { Queryable } from '../../db/queryable.ts';
import type { ScheduleTable } from '../../db/schema.ts';
import { type ListColumns, type ListRequest, listQueryOf, pageOf } from '../../db/list-query.ts';
import type { DayColumn } from '../schedules/schedules.repository.ts';

/**
 * Time profiles are the site's schedules that carry a BAS-IP rule (`rule` not null); every query here
 * sees only those, so a Lockt weekly schedule is never read, changed or deleted as a time profile.
 */

/** A time profile row as the presenter reads it. */
export interface TimeProfileRow {
  id: number;
  name: string;
  rule: string;
  link_id: string | null;
}

const columns = ['id', 'name', 'rule', 'link_id'] as const;

/** What a list of time profiles filters and sorts on. */
export const TIME_PROFILE_LIST_COLUMNS: ListColumns<'id' | 'name'> = {
  id: { expr: sql.ref('id'), type: 'integer' },
  name: { expr: sql.ref('name'), type: 'text' },
};

const profiles = (db: Queryable, siteId: number) => db.selectFrom('schedule').where('site_id', '=', siteId).where('rule', 'is not', null);

export async function findTimeProfile(db: Queryable, siteId: number, id: number): Promise<TimeProfileRow | undefined> {
  return profiles(db, siteId).select(columns).$narrowType<{ rule: string }>().where('id', '=', id).executeTakeFirst();
}

export async function listTimeProfiles(db: Queryable, siteId: number, request: ListRequest): Promise<TimeProfileRow[]> {
  const list = listQueryOf(request, TIME_PROFILE_LIST_COLUMNS);
  return pageOf(profiles(db, siteId).select(columns).$narrowType<{ rule: string }>(), list, 'id').execute();
}

export async function countTimeProfiles(db: Queryable, siteId: number, request: ListRequest): Promise<number> {
  const list = listQueryOf(request, TIME_PROFILE_LIST_COLUMNS);
  const row = await profiles(db, siteId)
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .where(list.where)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/** The id of the schedule (time profile or Lockt schedule: they share names) holding this name key. */
export async function nameKeyOwner(db: Queryable, siteId: number, key: string): Promise<number | undefined> {
  const row = await db.selectFrom('schedule').select('id').where('site_id', '=', siteId).where('name_key', '=', key).executeTakeFirst();
  return row?.id;
}

export async function insertTimeProfile(db: Queryable, row: Insertable<ScheduleTable>): Promise<number> {
  const inserted = await db.insertInto('schedule').values(row).returning('id').executeTakeFirstOrThrow();
  return inserted.id;
}

/** The columns a time profile's update writes. */
export type TimeProfileChanges = Partial<Pick<Updateable<ScheduleTable>, 'name' | 'name_key' | 'start_time' | 'stop_time' | 'rule' | DayColumn>>;

export async function updateTimeProfile(db: Queryable, siteId: number, id: number, changes: TimeProfileChanges): Promise<void> {
  await db.updateTable('schedule').set(changes).where('site_id', '=', siteId).where('id', '=', id).where('rule', 'is not', null).execute();
}

/** Deletes the profile; its attachments to identifiers and users go with it (foreign keys cascade). */
export async function deleteTimeProfile(db: Queryable, siteId: number, id: number): Promise<number> {
  const result = await db.deleteFrom('schedule').where('site_id', '=', siteId).where('id', '=', id).where('rule', 'is not', null).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The time profiles of the site with these link_ids, by link_id. */
export async function timeProfileIdsByLinkId(db: Queryable, siteId: number, linkIds: string[]): Promise<Map<string, number>> {
  if (linkIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('schedule')
    .select(['id', 'link_id'])
    .where('site_id', '=', siteId)
    .where('rule', 'is not', null)
    .where('link_id', 'in', linkIds)
    .execute();
  return new Map(rows.flatMap((r): [string, number][] => (r.link_id === null ? [] : [[r.link_id, r.id]])));
}

export async function attachUserTimeProfile(db: Queryable, siteId: number, userId: number, scheduleId: number): Promise<void> {
  await db
    .insertInto('user_time_profile')
    .values({ site_id: siteId, user_id: userId, schedule_id: scheduleId })
    .onConflict((oc) => oc.columns(['user_id', 'schedule_id']).doNothing())
    .execute();
}

/** The time profiles attached to each of these users, in profile id order. */
export async function timeProfilesOfUsers(
  db: Queryable,
  siteId: number,
  userIds: number[],
): Promise<{ user_id: number; id: number; name: string; rule: string | null; link_id: string | null }[]> {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('user_time_profile as utp')
    .innerJoin('schedule as s', 's.id', 'utp.schedule_id')
    .select(['utp.user_id', 's.id', 's.name', 's.rule', 's.link_id'])
    .where('utp.site_id', '=', siteId)
    .where('utp.user_id', 'in', userIds)
    .orderBy('s.id')
    .execute();
}
