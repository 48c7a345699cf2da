import type { Insertable, Updateable } from 'kysely';
import type { Queryable } from '../../db/queryable.ts';
import type { Columns, HolidayTable } from '../../db/schema.ts';
import { nameKeyOwnersIn } from '../../db/site-lookups.ts';

export type HolidayRow = Columns<'holiday', 'id' | 'name' | 'start_date' | 'end_date' | 'yearly'>;

const COLUMNS = ['id', 'name', 'start_date', 'end_date', 'yearly'] as const;

/** Holidays of the site in id order. */
export function listHolidays(db: Queryable, siteId: number, afterId: number, limit: number): Promise<HolidayRow[]> {
  return db.selectFrom('holiday').select(COLUMNS).where('site_id', '=', siteId).where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

/** Of these ids, the site's holidays, by id. */
export async function findHolidays(db: Queryable, siteId: number, ids: number[]): Promise<Map<number, HolidayRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('holiday').select(COLUMNS).where('site_id', '=', siteId).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** Of these name keys, the ones taken in the site, with the id of the holiday holding each. */
export function nameKeyOwners(db: Queryable, siteId: number, keys: string[]): Promise<Map<string, number>> {
  return nameKeyOwnersIn(db, 'holiday', siteId, keys);
}

export async function insertHolidays(db: Queryable, rows: Insertable<HolidayTable>[]): Promise<void> {
  await db.insertInto('holiday').values(rows).execute();
}

/** The columns an update may change. */
export type HolidayChanges = Pick<Updateable<HolidayTable>, 'name' | 'name_key' | 'start_date' | 'end_date' | 'yearly'>;

export async function updateHoliday(db: Queryable, siteId: number, id: number, changes: HolidayChanges): Promise<void> {
  await db.updateTable('holiday').set(changes).where('site_id', '=', siteId).where('id', '=', id).execute();
}

export async function deleteHolidays(db: Queryable, siteId: number, ids: number[]): Promise<number> {
  const result = await db.deleteFrom('holiday').where('site_id', '=', siteId).where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}
