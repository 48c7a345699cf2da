import { sql } from 'kysely';
import { dialectOf } from '../db/dialect.ts';
import type { Queryable } from '../db/queryable.ts';

/** An event to record; names are copied in so the log keeps what was true when it happened. */
export interface NewEvent {
  siteId: number;
  code: number;
  subcode?: number | null;
  category: number;
  deviceId?: number | null;
  deviceName?: string;
  controller?: string;
  doorId?: number | null;
  doorName?: string;
  locationName?: string;
  scheduleName?: string;
  credentialId?: number | null;
  cardNum?: string;
  userId?: number | null;
  userName?: string;
  detail?: string;
  /** When the device says it happened. */
  hwTime: number;
  /** When Portcullis recorded it. */
  dbTime: number;
}

/**
 * Keeps one site's event ids committing in the order they were handed out, so a client paging with
 * `/events?id=<last seen>` can never miss one. SQLite has one writer at a time, so ids already commit
 * in order; PostgreSQL sequences do not, so writers of one site take a transaction-scoped advisory lock
 * (released at commit) before inserting.
 */
export async function serializeSiteEvents(trx: Queryable, siteId: number): Promise<void> {
  if (dialectOf(trx) === 'postgres') {
    await sql`select pg_advisory_xact_lock(${EVENT_LOCK_CLASS}, ${siteId})`.execute(trx);
  }
}

/** First key of the two-key advisory lock: a constant naming "event log of a site". */
const EVENT_LOCK_CLASS = 0x5043;

/** Appends events inside the caller's transaction; returns their ids in order. */
export async function appendEvents(trx: Queryable, events: readonly NewEvent[]): Promise<number[]> {
  if (events.length === 0) return [];
  for (const siteId of new Set(events.map((e) => e.siteId))) await serializeSiteEvents(trx, siteId);
  const rows = await trx
    .insertInto('event')
    .values(
      events.map((e) => ({
        site_id: e.siteId,
        code: e.code,
        subcode: e.subcode ?? null,
        category: e.category,
        device_id: e.deviceId ?? null,
        device_name: e.deviceName ?? '',
        controller: e.controller ?? '',
        door_id: e.doorId ?? null,
        door_name: e.doorName ?? '',
        location_name: e.locationName ?? '',
        schedule_name: e.scheduleName ?? '',
        credential_id: e.credentialId ?? null,
        card_num: e.cardNum ?? '',
        user_id: e.userId ?? null,
        user_name: e.userName ?? '',
        detail: e.detail ?? '',
        hw_time: e.hwTime,
        db_time: e.dbTime,
      })),
    )
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}
