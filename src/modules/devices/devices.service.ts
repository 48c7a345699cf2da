import type { Actor } from '../../audit/audit-log.ts';
import { writeTransaction } from '../../db/change-feed.ts';
import { isStorableId, isUniqueViolation, storableIds } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import { nameKey } from '../../domain/names.ts';
import type { Clock } from '../../lib/clock.ts';
import { UNMATCHABLE_HASH, hashSecret, randomToken, secretMatches } from '../../lib/secrets.ts';
import type { Site } from '../../domain/site.ts';
import { siteFromRow } from '../sites/site.ts';
import * as repo from './devices.repository.ts';
import { identifyingTextProblem } from '../../domain/text-limits.ts';

/** The device registry: devices, the doors they drive, and their keys. */

/** 40 characters from 36: about 206 bits, beyond any guessing; only the hash is stored. */
const DEVICE_KEY_LENGTH = 40;
/** How often last_seen_at is written at most, so a polling device does not write on every call. */
const SEEN_RESOLUTION_MS = 60_000;
/** Records one device call may carry (events, acknowledgements); devices have no API key to set it. */
export const DEVICE_MAX_BATCH = 100;
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
  const doors = await repo.listDeviceDoors(
    db,
    siteId,
    rows.map((r) => r.id),
  );
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

/**
 * Notes that the device called, at most once a minute. The time is kept on the principal too, which
 * later requests of the device may share (a remembered caller), so they do not write it again.
 */
export async function noteDeviceSeen(db: Queryable, device: DevicePrincipal, now: number): Promise<void> {
  if (device.lastSeenAt !== null && now - device.lastSeenAt < SEEN_RESOLUTION_MS) return;
  await repo.touchDevice(db, device.site.id, device.id, now);
  device.lastSeenAt = now;
}
