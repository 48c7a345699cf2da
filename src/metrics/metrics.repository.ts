import type { Queryable } from '../db/queryable.ts';
import { EVENT_CODES } from '../event-log/catalogue.ts';

/** A site's devices that are not revoked, and how many of them were seen since a time. */
export interface DevicesOnline {
  site_id: number;
  devices: number;
  online: number;
}

/** One aggregate over the devices table: a site's few devices, never a row per device. */
export async function devicesOnlineBySite(db: Queryable, seenSince: number): Promise<DevicesOnline[]> {
  const rows = await db
    .selectFrom('device')
    .select((eb) => [
      'site_id',
      eb.fn.countAll<number>().as('devices'),
      eb.fn.count<number>(eb.case().when('last_seen_at', '>=', seenSince).then(1).end()).as('online'),
    ])
    .where('revoked_at', 'is', null)
    .groupBy('site_id')
    .execute();
  return rows.map((r) => ({ site_id: r.site_id, devices: Number(r.devices), online: Number(r.online) }));
}

/** How many distinct doors of a site raised one kind of door alarm since a time. */
export interface DoorsAlarmed {
  site_id: number;
  code: number;
  doors: number;
}

/**
 * Doors with a forced or held-open alarm recorded since `since`, per site and kind. Read through the
 * (site_id, hw_time) index, one site after another, so the cost follows the recent alarms, not the log.
 */
export async function doorsAlarmedBySite(db: Queryable, since: number): Promise<DoorsAlarmed[]> {
  const rows = await db
    .selectFrom('site')
    .innerJoin('event', 'event.site_id', 'site.id')
    .select((eb) => ['event.site_id', 'event.code', eb.fn.count<number>('event.door_id').distinct().as('doors')])
    .where('event.hw_time', '>=', since)
    .where('event.code', 'in', [EVENT_CODES.DOOR_FORCED, EVENT_CODES.DOOR_HELD_OPEN])
    .groupBy(['event.site_id', 'event.code'])
    .execute();
  return rows.map((r) => ({ site_id: r.site_id, code: r.code, doors: Number(r.doors) }));
}
