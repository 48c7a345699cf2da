import { dialectOf } from '../../db/dialect.ts';
import { settledLogIds } from '../../db/log-ids.ts';
import type { Queryable } from '../../db/queryable.ts';
import type { EventTable } from '../../db/schema.ts';
import { type Expression, type Selectable, type SqlBool, sql } from 'kysely';
import { type ListColumns, type ListRequest, listQueryOf } from '../../db/list-query.ts';
import { locktEventJson } from './event-json.ts';

export type EventRow = Selectable<EventTable>;

/** An event as `/events` shows it, already JSON (see event-json.ts), with its id for paging. */
export interface LocktEventJson {
  id: number;
  json: string;
}

/** The site's settled events (src/db/log-ids.ts): those no later commit can precede. */
function locktEvents(db: Queryable, siteId: number) {
  const settled = settledLogIds(db);
  const query = db
    .selectFrom('event')
    .select(['event.id', locktEventJson(dialectOf(db)).as('json')])
    .where('event.site_id', '=', siteId);
  return settled ? query.where('event.id', '<', settled) : query;
}

/** The site's newest settled events, newest first: a poller may go on from the first one's id. */
export function listNewestEvents(db: Queryable, siteId: number, limit: number): Promise<LocktEventJson[]> {
  return locktEvents(db, siteId).orderBy('event.id', 'desc').limit(limit).execute();
}

/** The site's events after `afterId`, oldest first: what a poller that has seen `afterId` is missing. */
export function listEventsAfter(db: Queryable, siteId: number, afterId: number, limit: number): Promise<LocktEventJson[]> {
  return locktEvents(db, siteId).where('event.id', '>', afterId).orderBy('event.id').limit(limit).execute();
}

/** The panel log sorts and filters on the device time only; within one millisecond the event ids decide. */
export const LOG_LIST_COLUMNS: ListColumns<'time'> = { time: { expr: sql.ref('hw_time'), type: 'timestamp' } };

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
export function listEventPage(db: Queryable, siteId: number, window: TimeWindow, request: ListRequest): Promise<EventRow[]> {
  const list = listQueryOf(request, LOG_LIST_COLUMNS);
  return eventsInWindow(db, siteId, window, list.where)
    .selectAll()
    .orderBy(list.orderBy, list.direction)
    .orderBy('id', list.direction)
    .limit(list.limit)
    .offset(list.offset)
    .execute();
}

export async function countEvents(db: Queryable, siteId: number, window: TimeWindow, request: ListRequest): Promise<number> {
  const list = listQueryOf(request, LOG_LIST_COLUMNS);
  const row = await eventsInWindow(db, siteId, window, list.where)
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}
