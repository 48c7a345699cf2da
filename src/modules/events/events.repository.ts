import type { Queryable } from '../../db/queryable.ts';
import type { EventTable } from '../../db/schema.ts';
import type { Selectable } from 'kysely';

export type EventRow = Selectable<EventTable>;

/** The site's newest events, newest first. */
export function listNewestEvents(db: Queryable, siteId: number, limit: number): Promise<EventRow[]> {
  return db.selectFrom('event').selectAll().where('site_id', '=', siteId).orderBy('id', 'desc').limit(limit).execute();
}

/** The site's events after `afterId`, oldest first: what a poller that has seen `afterId` is missing. */
export function listEventsAfter(db: Queryable, siteId: number, afterId: number, limit: number): Promise<EventRow[]> {
  return db
    .selectFrom('event')
    .selectAll()
    .where('site_id', '=', siteId)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}
