import { reserveLogIds } from '../db/log-ids.ts';
import type { Queryable } from '../db/queryable.ts';
import { type EventRow, MOST_EVENTS_PER_STATEMENT, eventInsert } from './event-log.statements.ts';
import { queueWebhookDeliveries } from './webhook-outbox.ts';

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
 * Appends events inside the caller's transaction, with the webhook deliveries they call for; returns their
 * ids in order (src/db/log-ids.ts says how they are numbered).
 */
export async function appendEvents(trx: Queryable, events: readonly NewEvent[]): Promise<number[]> {
  if (events.length === 0) return [];
  const first = reserveLogIds(trx, events.length) ?? 0;
  const rows = events.map(
    (e): EventRow => ({
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
    }),
  );
  const ids: number[] = [];
  // In order, in statements of at most MOST_EVENTS_PER_STATEMENT rows, so the ids still come out in order.
  for (let at = 0; at < rows.length; at += MOST_EVENTS_PER_STATEMENT) {
    const part = rows.slice(at, at + MOST_EVENTS_PER_STATEMENT);
    for (const { id } of await eventInsert(part.length).rows(trx, { rows: part, first: first + at })) ids.push(id);
  }
  await queueWebhookDeliveries(trx, ids);
  return ids;
}
