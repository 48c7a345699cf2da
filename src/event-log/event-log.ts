import type { RawBuilder } from 'kysely';
import { nextLogIds } from '../db/log-ids.ts';
import type { Queryable } from '../db/queryable.ts';
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
  const numbered = nextLogIds(trx, events.length);
  const rows = await trx
    .insertInto('event')
    .values(
      events.map((e, i) => ({
        ...(numbered ? { id: numbered[i] as RawBuilder<number> } : {}),
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
  const ids = rows.map((r) => r.id);
  await queueWebhookDeliveries(trx, ids);
  return ids;
}
