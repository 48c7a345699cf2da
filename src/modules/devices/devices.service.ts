import { EventEmitter } from 'node:events';
import type { Actor } from '../../audit/audit-log.ts';
import { type AccessQuestion, type Answer, decideAndRecord } from '../../access/access.service.ts';
import type { FactSource } from '../../access/facts.ts';
import { type PresentedFields, readPresented } from '../../access/presented.ts';
import { changeFeedOf, writeTransaction } from '../../db/change-feed.ts';
import { isStorableId, isUniqueViolation, storableIds, toFlag } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { repeatedInBatch } from '../../domain/batch-checks.ts';
import { ERRORS, type RecordFailure } from '../../domain/errors.ts';
import { nameKey } from '../../domain/names.ts';
import { EVENT_CATEGORIES, EVENT_CODES } from '../../event-log/catalogue.ts';
import { type NewEvent, appendEvents } from '../../event-log/event-log.ts';
import type { RecordCheck, WriteCounts } from '../../domain/batch.ts';
import { showValue } from '../../lib/show-value.ts';
import type { Clock } from '../../lib/clock.ts';
import { UNMATCHABLE_HASH, hashSecret, randomToken, secretMatches } from '../../lib/secrets.ts';
import { isFourDigitYearUtc, parseWireTime } from '../../lib/site-time.ts';
import { type Site, siteFromRow } from '../sites/site.ts';
import type { DeviceEventType } from './devices.schema.ts';
import * as repo from './devices.repository.ts';
import { identifyingTextProblem } from '../../domain/text-limits.ts';

/** 40 characters from 36: about 206 bits, beyond any guessing; only the hash is stored. */
const DEVICE_KEY_LENGTH = 40;
/** How often last_seen_at is written at most, so a polling device does not write on every call. */
const SEEN_RESOLUTION_MS = 60_000;
/** Records one device call may carry (events, acknowledgements); devices have no API key to set it. */
export const DEVICE_MAX_BATCH = 100;
/**
 * A remote unlock not collected within this long is never delivered: a door opening minutes after
 * someone asked, when the device comes back, would surprise whoever stands there by then.
 */
export const COMMAND_TTL_MS = 2 * 60_000;
/** Commands one poll hands over at most. */
const COMMANDS_PER_POLL = 50;

const UNLOCK = 'unlock';
const CONTROLLER = 'Portcullis';

/** A caller authenticated with a device key. */
export interface DevicePrincipal {
  id: number;
  name: string;
  site: Site;
  lastSeenAt: number | null;
  /** How the audit trail names this caller. */
  actor: Actor;
}

/** A device as the CLI lists it: never its key. */
export interface DeviceInfo {
  id: number;
  name: string;
  site_id: number;
  revoked: boolean;
  last_seen_at: number | null;
  doors: { door_id: number; name: string; lock_number: number }[];
}

export interface IssuedDevice {
  device: { id: number; name: string };
  /** The secret, shown once: only its hash is kept. */
  deviceKey: string;
}

async function infoOf(db: Queryable, rows: repo.DeviceRow[], siteId: number): Promise<DeviceInfo[]> {
  const doors = await repo.listDeviceDoors(db, siteId, rows.map((r) => r.id));
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    site_id: row.site_id,
    revoked: row.revoked_at !== null,
    last_seen_at: row.last_seen_at,
    doors: doors.filter((d) => d.device_id === row.id).map((d) => ({ door_id: d.door_id, name: d.door_name, lock_number: d.lock_number })),
  }));
}

async function requireDevice(db: Queryable, deviceId: number): Promise<repo.DeviceRow> {
  const row = isStorableId(deviceId) ? await repo.findDevice(db, deviceId) : undefined;
  if (!row) throw ERRORS.notFound(`No device with id ${deviceId}.`);
  return row;
}

/** Creates a device, drives `doorIds` on locks 1, 2, … in order, and issues its key. */
export async function createDevice(db: Queryable, site: Site, input: { name: string; doorIds: number[] }, clock: Clock): Promise<IssuedDevice> {
  const name = input.name.trim();
  if (name === '') throw ERRORS.badRequest('Missing or blank name');
  // Device names are uniquely indexed, so limited as identifying text is on the wire.
  const tooLong = identifyingTextProblem('name', name);
  if (tooLong !== undefined) throw ERRORS.badRequest(tooLong);
  const key = nameKey(name);
  const repeated = input.doorIds.filter((id, index) => input.doorIds.indexOf(id) !== index);
  if (repeated.length > 0) throw ERRORS.badRequest(`Door id Duplicated: ${repeated.join(', ')}`);
  const deviceKey = randomToken(DEVICE_KEY_LENGTH);
  try {
    const device = await writeTransaction(db, site.id, async (trx) => {
      if (await repo.isDeviceNameTaken(trx, site.id, key)) throw ERRORS.badRequest(`Device Name Already Exists: ${name}`);
      const known = new Set((await repo.findDoors(trx, site.id, storableIds(input.doorIds))).map((d) => d.id));
      const unknown = input.doorIds.filter((id) => !known.has(id));
      if (unknown.length > 0) throw ERRORS.badRequest(`Invalid door id: ${unknown.join(', ')}`);
      const row = await repo.insertDevice(trx, { site_id: site.id, name, name_key: key, key_hash: hashSecret(deviceKey), created_at: clock.now() });
      await repo.insertDeviceDoors(
        trx,
        input.doorIds.map((doorId, index) => ({ device_id: row.id, door_id: doorId, lock_number: index + 1, site_id: site.id })),
      );
      return row;
    });
    return { device: { id: device.id, name: device.name }, deviceKey };
  } catch (error) {
    // A concurrent create took the name between the check and the insert.
    if (isUniqueViolation(error)) throw ERRORS.badRequest(`Device Name Already Exists: ${name}`);
    throw error;
  }
}

export async function listDevices(db: Queryable, siteId: number): Promise<DeviceInfo[]> {
  return infoOf(db, await repo.listDevices(db, siteId), siteId);
}

/** Revokes a device's key for good; its calls are refused from then on. */
export async function revokeDevice(db: Queryable, deviceId: number, clock: Clock): Promise<DeviceInfo> {
  const device = await requireDevice(db, deviceId);
  await writeTransaction(db, device.site_id, (trx) => repo.revokeDevice(trx, device.site_id, device.id, clock.now()));
  const [info] = await infoOf(db, [await requireDevice(db, deviceId)], device.site_id);
  return info as DeviceInfo;
}

/** Maps a door of the device's site to the device, under `lock` or else the lowest free lock number. */
export async function attachDoor(
  db: Queryable,
  deviceId: number,
  doorId: number,
  lock: number | undefined,
): Promise<{ device_id: number; door_id: number; lock_number: number }> {
  if (lock !== undefined && !(Number.isInteger(lock) && lock >= 1)) throw ERRORS.badRequest(`Lock number must be 1 or more, got ${lock}.`);
  const device = await requireDevice(db, deviceId);
  if (device.revoked_at !== null) throw ERRORS.badRequest(`Device ${deviceId} is revoked.`);
  const siteId = device.site_id;
  try {
    return await writeTransaction(db, siteId, async (trx) => {
      const [door] = isStorableId(doorId) ? await repo.findDoors(trx, siteId, [doorId]) : [];
      if (!door) throw ERRORS.badRequest(`No door with id ${doorId} in site ${siteId}.`);
      const mapped = await repo.listDeviceDoors(trx, siteId, [device.id]);
      const existing = mapped.find((m) => m.door_id === doorId);
      if (existing) throw ERRORS.badRequest(`Door ${doorId} is already attached to device ${deviceId} on lock ${existing.lock_number}.`);
      const used = new Set(mapped.map((m) => m.lock_number));
      let lockNumber = lock ?? 1;
      if (lock === undefined) while (used.has(lockNumber)) lockNumber++;
      const holder = mapped.find((m) => m.lock_number === lockNumber);
      if (holder) throw ERRORS.badRequest(`Lock ${lockNumber} of device ${deviceId} already drives door ${holder.door_id}.`);
      await repo.insertDeviceDoors(trx, [{ device_id: device.id, door_id: doorId, lock_number: lockNumber, site_id: siteId }]);
      return { device_id: device.id, door_id: doorId, lock_number: lockNumber };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw ERRORS.badRequest(`Door ${doorId} or its lock was attached to device ${deviceId} meanwhile; try again.`);
    throw error;
  }
}

export async function detachDoor(db: Queryable, deviceId: number, doorId: number): Promise<{ device_id: number; door_id: number }> {
  const device = await requireDevice(db, deviceId);
  const removed = isStorableId(doorId)
    ? await writeTransaction(db, device.site_id, (trx) => repo.deleteDeviceDoor(trx, device.site_id, device.id, doorId))
    : 0;
  if (removed === 0) throw ERRORS.notFound(`Door ${doorId} is not attached to device ${deviceId}.`);
  return { device_id: device.id, door_id: doorId };
}

/**
 * Checks a presented device key. The key is found by its hash and compared again in constant time; an
 * unknown key is compared against a hash no key has, and unknown and revoked keys read the same.
 */
export async function authenticateDevice(db: Queryable, deviceKey: string): Promise<DevicePrincipal> {
  const found = await repo.findDeviceByKeyHash(db, hashSecret(deviceKey));
  const matches = secretMatches(deviceKey, found?.device.key_hash ?? UNMATCHABLE_HASH);
  if (!found || !matches || found.device.revoked_at !== null) throw ERRORS.unauthorized('Invalid device credentials.');
  const { id, name, last_seen_at: lastSeenAt } = found.device;
  return { id, name, site: siteFromRow(found.site), lastSeenAt, actor: { kind: 'device', name } };
}

/** Whether an authenticated device still holds: not revoked, still of its site. */
export async function deviceStillValid(db: Queryable, device: DevicePrincipal): Promise<boolean> {
  const row = await repo.findDevice(db, device.id);
  return row !== undefined && row.revoked_at === null && row.site_id === device.site.id;
}

/** Notes that the device called, at most once a minute. */
export async function noteDeviceSeen(db: Queryable, device: DevicePrincipal, now: number): Promise<void> {
  if (device.lastSeenAt !== null && now - device.lastSeenAt < SEEN_RESOLUTION_MS) return;
  await repo.touchDevice(db, device.site.id, device.id, now);
}

/** The credential fields of an access question, as sent (already checked against the schema). */
/**
 * Decides whether what was presented opens the door, and records the decision. Any door of the device's
 * site is decided, attached to this device or not: the decision is about the credential and the door, and
 * a door of another site (or none) is answered `unknown_door` like any other denial.
 */
export async function decideAtDoor(
  db: Queryable,
  source: FactSource,
  device: DevicePrincipal,
  input: PresentedFields & { doorId: number | undefined },
  now: number,
): Promise<Answer & { eventId: number | null }> {
  const presented = readPresented(input);
  const doorId = input.doorId;
  if (doorId === undefined) throw ERRORS.badRequest('Missing or blank door_id');
  if (!isStorableId(doorId)) throw ERRORS.badRequest(`Invalid door_id found: ${doorId}`);
  const question: AccessQuestion = { site: device.site, doorId, presented, at: now, deviceId: device.id };
  return decideAndRecord(db, source, question, { id: device.id, name: device.name }, now);
}

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
    reported_at: now,
  });
}

/**
 * Wakes the long polls of devices in this process when a command is queued for them. One per store
 * handle, like the change feed, so two stores in one process never hear each other.
 */
const signals = new WeakMap<Queryable, EventEmitter>();

export function commandSignalsOf(db: Queryable): EventEmitter {
  let emitter = signals.get(db);
  if (!emitter) {
    emitter = new EventEmitter();
    // One listener per waiting poll, and a site may have many devices polling at once.
    emitter.setMaxListeners(0);
    signals.set(db, emitter);
  }
  return emitter;
}

/** After a commit: tell these devices' polls to look again. */
export function signalDevices(db: Queryable, deviceIds: Iterable<number>): void {
  const emitter = commandSignalsOf(db);
  for (const id of new Set(deviceIds)) emitter.emit(String(id));
}

/** What the unlock rules need; `queued` collects the devices to wake once the transaction commits. */
export interface UnlockContext {
  site: Site;
  requestedBy: string;
  now: number;
  queued: Set<number>;
}

export interface UnlockPlan {
  door: repo.DoorRow;
  devices: { id: number; name: string }[];
}

/** A door of the site, driven by at least one device whose key is not revoked; each door once. */
export async function checkUnlockRequests(trx: Queryable, ids: (number | undefined)[], { site }: UnlockContext): Promise<RecordCheck<UnlockPlan>[]> {
  const known = storableIds(ids);
  const [doors, devices] = await Promise.all([repo.findDoors(trx, site.id, known), repo.activeDevicesOfDoors(trx, site.id, known)]);
  const doorById = new Map(doors.map((d) => [d.id, d]));
  const repeated = repeatedInBatch(ids, (id) => (id === undefined ? undefined : String(id)));
  return ids.map((id, index) => {
    if (id === undefined) return { messages: [] };
    const door = doorById.get(id);
    if (!door) return { messages: [`Invalid door id: ${id}`] };
    if (repeated[index]) return { messages: [`Door id Duplicated In Batch: ${id}`] };
    const drivers = devices.filter((d) => d.door_id === id).map((d) => ({ id: d.device_id, name: d.device_name }));
    if (drivers.length === 0) return { messages: [`No Device Attached To Door: ${id}`] };
    return { plan: { door, devices: drivers } };
  });
}

/** Queues an unlock for every device of every door, each recorded as REMOTE_UNLOCK_REQUESTED. */
export async function queueUnlocks(trx: Queryable, plans: UnlockPlan[], context: UnlockContext): Promise<WriteCounts> {
  const { site, requestedBy, now } = context;
  const rows = plans.flatMap(({ door, devices }) =>
    devices.map((device) => ({
      site_id: site.id,
      door_id: door.id,
      device_id: device.id,
      command: UNLOCK,
      requested_by: requestedBy,
      requested_at: now,
    })),
  );
  const inserted = await repo.insertCommands(trx, rows);
  const doors = new Map(plans.map((p) => [p.door.id, p]));
  await appendEvents(
    trx,
    inserted.map((command) => {
      const { door, devices } = doors.get(command.door_id) as UnlockPlan;
      const device = { id: command.device_id, name: devices.find((d) => d.id === command.device_id)?.name ?? '' };
      context.queued.add(command.device_id);
      const about = { id: command.id, door_id: door.id, door_name: door.name, location_name: door.location_name };
      return commandEvent(EVENT_CODES.REMOTE_UNLOCK_REQUESTED, `requested by ${requestedBy}`, about, device, site.id, now);
    }),
  );
  return { processed: plans.length, ids: inserted.map((c) => c.id) };
}

/** A command and the door it opens, as the events about it name them. */
type CommandAbout = Pick<repo.CommandRow, 'id' | 'door_id' | 'door_name' | 'location_name'>;

/** One step in a command's life (requested, delivered, acknowledged), as an event. */
function commandEvent(
  code: number,
  what: string,
  command: CommandAbout,
  device: { id: number; name: string },
  siteId: number,
  now: number,
): NewEvent {
  return {
    siteId,
    code,
    category: EVENT_CATEGORIES.REMOTE_COMMAND,
    deviceId: device.id,
    deviceName: device.name,
    controller: CONTROLLER,
    doorId: command.door_id,
    doorName: command.door_name,
    locationName: command.location_name ?? '',
    detail: `Unlock command ${command.id} ${what}.`,
    hwTime: now,
    dbTime: now,
  };
}

/**
 * Remote unlock: queues an unlock for every device attached to each door and records who asked. A door
 * of another site, or with no device to drive it, fails the whole request. Waiting polls are woken once
 * the commands are committed.
 */
export async function requestUnlock(
  db: Queryable,
  site: Site,
  doorIds: number[],
  requestedBy: string,
  now: number,
): Promise<WriteCounts> {
  const context: UnlockContext = { site, requestedBy, now, queued: new Set() };
  const counts = await writeTransaction(db, site.id, async (trx) => {
    const checks = await checkUnlockRequests(trx, doorIds, context);
    const failures: RecordFailure[] = [];
    const plans: UnlockPlan[] = [];
    checks.forEach((check, index) => {
      if ('messages' in check) failures.push({ index, messages: check.messages, input: { id: doorIds[index] } });
      else if ('plan' in check) plans.push(check.plan);
    });
    if (failures.length > 0) throw ERRORS.validationFailed(failures);
    return queueUnlocks(trx, plans, context);
  });
  signalDevices(db, context.queued);
  return counts;
}

/**
 * Withdraws the remote unlocks of these doors that no device has collected yet (an emergency called
 * off); a collected one has already opened, and the device relocks after its own unlock time. Returns
 * how many were withdrawn.
 */
export async function withdrawUnlocks(db: Queryable, site: Site, doorIds: number[], actor: Actor, now: number): Promise<number> {
  return writeTransaction(db, site.id, (trx) => repo.withdrawUndelivered(trx, site.id, doorIds, 'withdrawn', now), {
    of: (withdrawn) => ({ actor, resource: 'door_command', action: 'withdraw', recordIds: doorIds, detail: { withdrawn } }),
    at: now,
  });
}

/**
 * Hands the device its pending commands: those not yet acknowledged (a command whose answer was lost is
 * handed over again) and not expired. The first hand-over of each is marked and recorded as delivered.
 */
export async function collectCommands(db: Queryable, device: DevicePrincipal, now: number): Promise<repo.PendingCommandRow[]> {
  const siteId = device.site.id;
  const pending = await repo.pendingCommands(db, siteId, device.id, now - COMMAND_TTL_MS, COMMANDS_PER_POLL);
  const fresh = pending.filter((c) => c.delivered_at === null);
  if (fresh.length > 0) {
    await db.transaction().execute(async (trx) => {
      const marked = await repo.markDelivered(trx, siteId, device.id, fresh.map((c) => c.id), now);
      await appendEvents(
        trx,
        fresh.filter((c) => marked.has(c.id)).map((c) => commandEvent(EVENT_CODES.REMOTE_UNLOCK_DELIVERED, 'delivered', c, device, siteId, now)),
      );
    });
  }
  return pending;
}

/**
 * Resolves when the device may have a new command: signalled in this process, a commit to its site
 * reported by the change feed (another process's request, on a store that reports them), the wait over,
 * or the poll abandoned. Listening starts at once, so a signal between a check and the wait is not lost.
 */
function nextChance(db: Queryable, device: DevicePrincipal, ms: number, abandoned: AbortSignal): { ready: Promise<void>; stop: () => void } {
  let stop = () => {};
  const ready = new Promise<void>((resolve) => {
    const wake = () => resolve();
    const emitter = commandSignalsOf(db);
    const event = String(device.id);
    const timer = setTimeout(wake, Math.max(ms, 0));
    const unsubscribe = changeFeedOf(db).subscribe((site) => {
      if (site === null || site === device.site.id) wake();
    });
    emitter.once(event, wake);
    abandoned.addEventListener('abort', wake, { once: true });
    stop = () => {
      clearTimeout(timer);
      unsubscribe();
      emitter.off(event, wake);
      abandoned.removeEventListener('abort', wake);
    };
  });
  return { ready, stop };
}

/**
 * The long poll: the pending commands at once if there are any, else the first to arrive within
 * `waitMs`, else none. The table is checked on every wake-up, so what another process queued is found
 * too; `abandoned` (client gone, server closing) ends the wait with none.
 */
export async function waitForCommands(
  db: Queryable,
  device: DevicePrincipal,
  waitMs: number,
  clock: Clock,
  abandoned: AbortSignal,
): Promise<repo.PendingCommandRow[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (abandoned.aborted) return [];
    const chance = nextChance(db, device, deadline - Date.now(), abandoned);
    try {
      const commands = await collectCommands(db, device, clock.now());
      if (commands.length > 0 || Date.now() >= deadline) return commands;
      await chance.ready;
    } finally {
      chance.stop();
    }
  }
}

/** What the acknowledgement rules need; the device acknowledging and when. */
export interface AckContext {
  device: DevicePrincipal;
  now: number;
}

export interface AckInput {
  id: number | undefined;
  result: 'ok' | 'failed' | undefined;
}

export type AckPlan = { command: repo.CommandRow; result: 'ok' | 'failed' };

/** A command addressed to this device, once per batch; one already acknowledged is left alone. */
export async function checkAcks(trx: Queryable, inputs: AckInput[], { device }: AckContext): Promise<RecordCheck<AckPlan>[]> {
  const ids = inputs.map((i) => i.id);
  const commands = new Map((await repo.findDeviceCommands(trx, device.site.id, device.id, storableIds(ids))).map((c) => [c.id, c]));
  const repeated = repeatedInBatch(ids, (id) => (id === undefined ? undefined : String(id)));
  return inputs.map((input, index): RecordCheck<AckPlan> => {
    if (input.id === undefined) return { messages: [] };
    // Another device's command reads as unknown: a device learns nothing about the others.
    const command = commands.get(input.id);
    if (!command) return { messages: [`Invalid command id: ${input.id}`] };
    if (repeated[index]) return { messages: [`Command id Duplicated In Batch: ${input.id}`] };
    if (command.acked_at !== null) return { ignored: true };
    return { plan: { command, result: input.result ?? 'ok' } };
  });
}

export async function writeAcks(trx: Queryable, plans: AckPlan[], { device, now }: AckContext): Promise<WriteCounts> {
  const siteId = device.site.id;
  const recorded = new Set<number>();
  for (const result of ['ok', 'failed'] as const) {
    const ids = plans.filter((p) => p.result === result).map((p) => p.command.id);
    for (const id of await repo.markAcked(trx, siteId, device.id, ids, result, now)) recorded.add(id);
  }
  const acked = plans.filter((p) => recorded.has(p.command.id));
  await appendEvents(
    trx,
    acked.map(({ command, result }) => commandEvent(EVENT_CODES.REMOTE_UNLOCK_ACKNOWLEDGED, `acknowledged: ${result}`, command, device, siteId, now)),
  );
  return { processed: acked.length, ids: acked.map((p) => p.command.id) };
}
