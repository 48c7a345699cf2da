import type { Queryable } from '../../db/queryable.ts';
import type { EventTable } from '../../db/schema.ts';
import { type Expression, type Selectable, type SqlBool, sql } from 'kysely';
import type { ListQuery, ListSpec } from '../../http/basip/list-query.ts';

export type EventRow = Selectable<EventTable>;

/** What `/events` shows of an event: the names copied in, not the ids they came from. */
const LOCKT_EVENT_COLUMNS = [
  'id',
  'device_name',
  'code',
  'subcode',
  'schedule_name',
  'controller',
  'location_name',
  'door_name',
  'card_num',
  'user_name',
  'category',
  'detail',
  'hw_time',
  'db_time',
] as const;

export type LocktEventRow = Pick<EventRow, (typeof LOCKT_EVENT_COLUMNS)[number]>;

/** The site's newest events, newest first. */
export function listNewestEvents(db: Queryable, siteId: number, limit: number): Promise<LocktEventRow[]> {
  return db.selectFrom('event').select(LOCKT_EVENT_COLUMNS).where('site_id', '=', siteId).orderBy('id', 'desc').limit(limit).execute();
}

/** The site's events after `afterId`, oldest first: what a poller that has seen `afterId` is missing. */
export function listEventsAfter(db: Queryable, siteId: number, afterId: number, limit: number): Promise<LocktEventRow[]> {
  return db
    .selectFrom('event')
    .select(LOCKT_EVENT_COLUMNS)
    .where('site_id', '=', siteId)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** The panel log sorts and filters on the device time only; within one millisecond the event ids decide. */
export const LOG_LIST: ListSpec = { fields: { timestamp: { expr: sql.ref('hw_time'), type: 'integer' } }, defaultSort: 'timestamp' };

/** An inclusive window of device times (epoch ms); either end may be open. */
export interface TimeWindow {
  from: number | null;
  to: number | null;
}

function eventsInWindow(db: Queryable, siteId: number, window: TimeWindow, where: Expression<SqlBool>) {
  let query = db.selectFrom('event').where('site_id', '=', siteId).where(where);
  if (window.from !== null) query = query.where('hw_time', '>=', window.from);
  if (window.to !== null) query = query.where('hw_time', '<=', window.to);
  return query;
}

/** One page of the site's events in the window, in the list's order (ties by id, the same way). */
export function listEventPage(db: Queryable, siteId: number, window: TimeWindow, list: ListQuery): Promise<EventRow[]> {
  return eventsInWindow(db, siteId, window, list.where)
    .selectAll()
    .orderBy(list.orderBy, list.direction)
    .orderBy('id', list.direction)
    .limit(list.limit)
    .offset(list.offset)
    .execute();
}

export async function countEvents(db: Queryable, siteId: number, window: TimeWindow, list: ListQuery): Promise<number> {
  const row = await eventsInWindow(db, siteId, window, list.where)
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}
