import { isStorableId, storableIds, toFlag } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import { EVENT_CATEGORIES, EVENT_CODES } from '../../event-log/catalogue.ts';
import { type NewEvent, appendEvents } from '../../event-log/event-log.ts';
import type { RecordCheck, WriteCounts } from '../../domain/batch.ts';
import { showValue } from '../../lib/show-value.ts';
import { isFourDigitYearUtc, parseWireTime } from '../../lib/site-time.ts';
import type { DeviceEventType } from './devices.schema.ts';
import * as repo from './devices.repository.ts';
import type { DevicePrincipal } from './devices.service.ts';

/** What devices report: alarms and device events, and the state of their doors. */

/** What the device-event rules need to know about the call; `eventIds` is filled by the write. */
export interface DeviceEventContext {
  device: DevicePrincipal;
  now: number;
  eventIds: number[];
}

export interface DeviceEventInput {
  type: DeviceEventType | undefined;
  doorId: number | undefined;
  hwTime: unknown;
  detail: string | undefined;
}

const EVENT_OF: Record<DeviceEventType, { code: number; category: number; needsDoor: boolean }> = {
  door_forced: { code: EVENT_CODES.DOOR_FORCED, category: EVENT_CATEGORIES.DOOR_ALARM, needsDoor: true },
  door_held_open: { code: EVENT_CODES.DOOR_HELD_OPEN, category: EVENT_CATEGORIES.DOOR_ALARM, needsDoor: true },
  tamper: { code: EVENT_CODES.TAMPER, category: EVENT_CATEGORIES.DEVICE, needsDoor: false },
  battery_low: { code: EVENT_CODES.BATTERY_LOW, category: EVENT_CATEGORIES.DEVICE, needsDoor: false },
  device_offline: { code: EVENT_CODES.DEVICE_OFFLINE, category: EVENT_CATEGORIES.DEVICE, needsDoor: false },
  device_online: { code: EVENT_CODES.DEVICE_ONLINE, category: EVENT_CATEGORIES.DEVICE, needsDoor: false },
};

/** Door of the device's site, a readable hw_time, and a door for the door alarms. */
export async function checkDeviceEvents(
  trx: Queryable,
  inputs: DeviceEventInput[],
  { device, now }: DeviceEventContext,
): Promise<RecordCheck<NewEvent>[]> {
  const doors = new Map((await repo.findDoors(trx, device.site.id, storableIds(inputs.map((i) => i.doorId)))).map((d) => [d.id, d]));
  return inputs.map((input) => {
    const messages: string[] = [];
    const door = input.doorId === undefined ? undefined : doors.get(input.doorId);
    if (input.doorId !== undefined && !door) messages.push(`Invalid door id: ${input.doorId}`);
    const parsed = parseWireTime(input.hwTime, device.site.timezone);
    if (!parsed.ok) messages.push(`Invalid hw_time date found: ${showValue(input.hwTime)}`);
    else if (parsed.value === null && input.hwTime !== undefined) messages.push('Missing or blank hw_time');
    else if (parsed.value !== null && !isFourDigitYearUtc(parsed.value)) {
      messages.push(`Invalid hw_time date found: ${showValue(input.hwTime)} (event times run from year 1 to 9999, UTC)`);
    }
    if (input.type === undefined) return { messages };
    const kind = EVENT_OF[input.type];
    if (kind.needsDoor && input.doorId === undefined) messages.push(`Missing or blank door_id (required for ${input.type})`);
    if (messages.length > 0 || !parsed.ok || parsed.value === null) return { messages };
    return {
      plan: {
        siteId: device.site.id,
        code: kind.code,
        category: kind.category,
        deviceId: device.id,
        deviceName: device.name,
        doorId: door?.id ?? null,
        doorName: door?.name ?? '',
        locationName: door?.location_name ?? '',
        detail: input.detail ?? '',
        hwTime: parsed.value,
        dbTime: now,
      },
    };
  });
}

export async function recordDeviceEvents(trx: Queryable, plans: NewEvent[], context: DeviceEventContext): Promise<WriteCounts> {
  context.eventIds = await appendEvents(trx, plans);
  return { inserted: plans.length, ids: context.eventIds };
}

export interface StateInput {
  doorId: number;
  batteryLevel: number | null;
  online: boolean;
  doorOpen: boolean;
  /** Null: the report did not say (each report replaces the last whole). */
  locked: boolean | null;
  /** The door mode the device applied; undefined: not reported, the stored one stays. */
  mode?: string | undefined;
}

/** Keeps what the device sees at one of its doors; GET /doorstate shows the battery level. */
export async function reportDoorState(db: Queryable, device: DevicePrincipal, input: StateInput, now: number): Promise<void> {
  const attached = isStorableId(input.doorId) ? await repo.listDeviceDoors(db, device.site.id, [device.id]) : [];
  if (!attached.some((d) => d.door_id === input.doorId)) throw ERRORS.badRequest(`Door ${input.doorId} is not attached to this device`);
  await repo.upsertDoorState(db, {
    door_id: input.doorId,
    site_id: device.site.id,
    battery_level: input.batteryLevel,
    online: toFlag(input.online),
    door_open: toFlag(input.doorOpen),
    locked: input.locked === null ? null : toFlag(input.locked),
    reported_at: now,
    ...(input.mode === undefined ? {} : { mode: input.mode }),
  });
}
