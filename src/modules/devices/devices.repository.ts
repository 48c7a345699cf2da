import type { Insertable } from 'kysely';
import type { Queryable } from '../../db/queryable.ts';
import { deviceByKeyHash, deviceSeen } from './devices.statements.ts';
import type { Columns, DoorCommandTable, NewRow, SiteRow } from '../../db/schema.ts';

/** The commands a device collects: open a lock now, or apply a door mode (docs/door-modes.md). */
export const UNLOCK_COMMAND = 'unlock';
export const MODE_COMMAND = 'mode';

export type DeviceRow = Columns<'device', 'id' | 'site_id' | 'name' | 'revoked_at' | 'last_seen_at' | 'created_at'>;

const deviceColumns = ['id', 'site_id', 'name', 'revoked_at', 'last_seen_at', 'created_at'] as const;

export async function insertDevice(
  db: Queryable,
  row: { site_id: number; name: string; name_key: string; key_hash: string; created_at: number },
): Promise<DeviceRow> {
  return db.insertInto('device').values(row).returning(deviceColumns).executeTakeFirstOrThrow();
}

export async function isDeviceNameTaken(db: Queryable, siteId: number, nameKey: string): Promise<boolean> {
  const row = await db.selectFrom('device').select('id').where('site_id', '=', siteId).where('name_key', '=', nameKey).executeTakeFirst();
  return row !== undefined;
}

/** A device by id, whatever its site: the CLI names devices by id alone, as it names API keys by apiuser. */
export function findDevice(db: Queryable, deviceId: number): Promise<DeviceRow | undefined> {
  return db.selectFrom('device').select(deviceColumns).where('id', '=', deviceId).executeTakeFirst();
}

export function listDevices(db: Queryable, siteId: number): Promise<DeviceRow[]> {
  return db.selectFrom('device').select(deviceColumns).where('site_id', '=', siteId).orderBy('id').execute();
}

export async function revokeDevice(db: Queryable, siteId: number, deviceId: number, at: number): Promise<void> {
  await db
    .updateTable('device')
    .set({ revoked_at: at })
    .where('site_id', '=', siteId)
    .where('id', '=', deviceId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** The device holding this key hash, with its site, in one round trip: what authenticating a call needs. */
export async function findDeviceByKeyHash(
  db: Queryable,
  keyHash: string,
): Promise<{ device: DeviceRow & { key_hash: string }; site: SiteRow } | undefined> {
  const row = await deviceByKeyHash.first(db, { keyHash });
  if (!row) return undefined;
  const { device_id, device_name, device_key_hash, device_revoked_at, device_last_seen_at, device_created_at, ...site } = row;
  return {
    site,
    device: {
      id: device_id,
      site_id: site.id,
      name: device_name,
      key_hash: device_key_hash,
      revoked_at: device_revoked_at,
      last_seen_at: device_last_seen_at,
      created_at: device_created_at,
    },
  };
}

export async function touchDevice(db: Queryable, siteId: number, deviceId: number, at: number): Promise<void> {
  await deviceSeen.run(db, { siteId, deviceId, at });
}

export type DeviceDoorRow = Columns<'device_door', 'device_id' | 'door_id' | 'lock_number'> & { door_name: string };

/** The doors of these devices with their lock numbers, by device then lock. */
export function listDeviceDoors(db: Queryable, siteId: number, deviceIds: number[]): Promise<DeviceDoorRow[]> {
  if (deviceIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('device_door')
    .innerJoin('door', 'door.id', 'device_door.door_id')
    .select(['device_door.device_id', 'device_door.door_id', 'door.name as door_name', 'device_door.lock_number'])
    .where('device_door.site_id', '=', siteId)
    .where('device_door.device_id', 'in', deviceIds)
    .orderBy('device_door.device_id')
    .orderBy('device_door.lock_number')
    .execute();
}

export async function insertDeviceDoors(
  db: Queryable,
  rows: { device_id: number; door_id: number; lock_number: number; site_id: number }[],
): Promise<void> {
  if (rows.length > 0) await db.insertInto('device_door').values(rows).execute();
}

export async function deleteDeviceDoor(db: Queryable, siteId: number, deviceId: number, doorId: number): Promise<number> {
  const result = await db
    .deleteFrom('device_door')
    .where('site_id', '=', siteId)
    .where('device_id', '=', deviceId)
    .where('door_id', '=', doorId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export type DoorRow = Columns<'door', 'id' | 'name'> & { location_name: string | null };

/** Of these ids, the doors of the site, with the names events copy in. */
export function findDoors(db: Queryable, siteId: number, doorIds: number[]): Promise<DoorRow[]> {
  if (doorIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('door')
    .leftJoin('location', 'location.id', 'door.location_id')
    .select(['door.id', 'door.name', 'location.name as location_name'])
    .where('door.site_id', '=', siteId)
    .where('door.id', 'in', doorIds)
    .execute();
}

/** The devices, not revoked, that drive each of these doors. */
export function activeDevicesOfDoors(
  db: Queryable,
  siteId: number,
  doorIds: number[],
): Promise<{ door_id: number; device_id: number; device_name: string }[]> {
  if (doorIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('device_door')
    .innerJoin('device', 'device.id', 'device_door.device_id')
    .select(['device_door.door_id', 'device.id as device_id', 'device.name as device_name'])
    .where('device_door.site_id', '=', siteId)
    .where('device_door.door_id', 'in', doorIds)
    .where('device.revoked_at', 'is', null)
    .orderBy('device.id')
    .execute();
}

/** Each door of the site and each device, not revoked, that drives it: who a mode command reaches. */
export function drivenDoors(db: Queryable, siteId: number): Promise<{ door_id: number; device_id: number }[]> {
  return db
    .selectFrom('device_door')
    .innerJoin('device', 'device.id', 'device_door.device_id')
    .select(['device_door.door_id', 'device_door.device_id'])
    .where('device_door.site_id', '=', siteId)
    .where('device.revoked_at', 'is', null)
    .execute();
}

/** What a device/door pair was last told of the door's mode. */
export type SentMode = Columns<'door_command', 'mode' | 'valid_until'>;

/**
 * The mode and end of the latest mode command (acknowledged or not) of each door and device, keyed
 * `modeCommandKey(door, device)`; a pair never sent one is absent.
 */
export async function latestModeCommands(db: Queryable, siteId: number): Promise<Map<string, SentMode>> {
  const rows = await db
    .selectFrom('door_command')
    .select(['door_id', 'device_id', 'mode', 'valid_until'])
    .where('site_id', '=', siteId)
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('door_command')
        .select((inner) => inner.fn.max('id').as('id'))
        .where('site_id', '=', siteId)
        .where('command', '=', MODE_COMMAND)
        .groupBy(['door_id', 'device_id']),
    )
    .execute();
  return new Map(rows.map((row) => [modeCommandKey(row.door_id, row.device_id), { mode: row.mode, valid_until: row.valid_until }]));
}

export const modeCommandKey = (doorId: number, deviceId: number) => `${doorId}/${deviceId}`;

export async function upsertDoorState(
  db: Queryable,
  row: NewRow<'door_state', 'door_id' | 'site_id' | 'battery_level' | 'online' | 'door_open' | 'locked' | 'reported_at'> & { mode?: string },
): Promise<void> {
  await db
    .insertInto('door_state')
    .values(row)
    .onConflict((oc) =>
      oc.column('door_id').doUpdateSet({
        battery_level: row.battery_level,
        online: row.online,
        door_open: row.door_open,
        locked: row.locked,
        reported_at: row.reported_at,
        ...(row.mode === undefined ? {} : { mode: row.mode }),
      }),
    )
    .execute();
}

export async function insertCommands(
  db: Queryable,
  rows: Insertable<DoorCommandTable>[],
): Promise<{ id: number; door_id: number; device_id: number }[]> {
  if (rows.length === 0) return [];
  return db.insertInto('door_command').values(rows).returning(['id', 'door_id', 'device_id']).execute();
}

/**
 * Ends the mode commands of these doors that no device has acknowledged (`superseded`): a newer one is
 * being queued, and a device must apply the latest mode, never an older one after it.
 */
export async function supersedeModeCommands(db: Queryable, siteId: number, doorIds: number[], at: number): Promise<void> {
  if (doorIds.length === 0) return;
  await db
    .updateTable('door_command')
    .set({ acked_at: at, result: 'superseded' })
    .where('site_id', '=', siteId)
    .where('command', '=', MODE_COMMAND)
    .where('door_id', 'in', doorIds)
    .where('acked_at', 'is', null)
    .execute();
}

/**
 * Deletes the mode commands of these doors that a newer mode command of the same device and door has
 * replaced and that no device can still name: ended (superseded or acknowledged), and either never
 * handed over and superseded before `replacedBefore` (a poll that read it just before hands it over
 * even so), or handed over before `handedBefore` (a device acknowledges what it collected long before
 * that). An acknowledgement naming a deleted command would fail its whole batch. The latest of each
 * pair, and anything still pending, is kept: it is what the device is to apply and what the sync
 * compares with.
 */
export async function pruneModeCommands(
  db: Queryable,
  siteId: number,
  doorIds: number[],
  { replacedBefore, handedBefore }: { replacedBefore: number; handedBefore: number },
): Promise<void> {
  if (doorIds.length === 0) return;
  await db
    .deleteFrom('door_command')
    .where('site_id', '=', siteId)
    .where('command', '=', MODE_COMMAND)
    .where('door_id', 'in', doorIds)
    .where('acked_at', 'is not', null)
    .where((eb) => eb.or([eb.and([eb('delivered_at', 'is', null), eb('acked_at', '<', replacedBefore)]), eb('delivered_at', '<', handedBefore)]))
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('door_command as newer')
          .select('newer.id')
          .where('newer.site_id', '=', siteId)
          .where('newer.command', '=', MODE_COMMAND)
          .whereRef('newer.door_id', '=', 'door_command.door_id')
          .whereRef('newer.device_id', '=', 'door_command.device_id')
          .whereRef('newer.id', '>', 'door_command.id'),
      ),
    )
    .execute();
}

export type PendingCommandRow = Columns<'door_command', 'id' | 'command' | 'mode' | 'valid_until' | 'door_id' | 'requested_at' | 'delivered_at'> &
  Columns<'device_door', 'lock_number'> & { door_name: string; location_name: string | null };

/**
 * A device's commands not yet acknowledged, oldest first: unlocks requested since `since` (a late one
 * would surprise whoever stands there), mode commands whenever they were queued (the mode still holds).
 * Only doors the device still drives: a door detached since has no lock on it to open.
 */
export function pendingCommands(db: Queryable, siteId: number, deviceId: number, since: number, limit: number): Promise<PendingCommandRow[]> {
  return db
    .selectFrom('door_command as c')
    .innerJoin('device_door as dd', (join) => join.onRef('dd.device_id', '=', 'c.device_id').onRef('dd.door_id', '=', 'c.door_id'))
    .innerJoin('door', 'door.id', 'c.door_id')
    .leftJoin('location', 'location.id', 'door.location_id')
    .select([
      'c.id',
      'c.command',
      'c.mode',
      'c.valid_until',
      'c.door_id',
      'door.name as door_name',
      'location.name as location_name',
      'dd.lock_number',
      'c.requested_at',
      'c.delivered_at',
    ])
    .where('c.site_id', '=', siteId)
    .where('c.device_id', '=', deviceId)
    .where('c.acked_at', 'is', null)
    .where((eb) => eb.or([eb('c.command', '=', MODE_COMMAND), eb('c.requested_at', '>=', since)]))
    .orderBy('c.id')
    .limit(limit)
    .execute();
}

/**
 * Sets a step of these commands' lives (delivered, acknowledged) unless it already was; returns the ids
 * this call set, so of two racing polls or acks only one sees a command as its own.
 */
async function markCommandsOnce(
  db: Queryable,
  siteId: number,
  deviceId: number,
  ids: number[],
  step: { delivered_at: number } | { acked_at: number; result: string },
): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .updateTable('door_command')
    .set(step)
    .where('site_id', '=', siteId)
    .where('device_id', '=', deviceId)
    .where('id', 'in', ids)
    .where('delivered_at' in step ? 'delivered_at' : 'acked_at', 'is', null)
    .returning('id')
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Marks these commands delivered, unless they already were; returns the ids this call marked. */
export function markDelivered(db: Queryable, siteId: number, deviceId: number, ids: number[], at: number): Promise<Set<number>> {
  return markCommandsOnce(db, siteId, deviceId, ids, { delivered_at: at });
}

export type CommandRow = Columns<'door_command', 'id' | 'command' | 'door_id' | 'acked_at'> & { door_name: string; location_name: string | null };

/** Of these ids, the commands addressed to this device. */
export function findDeviceCommands(db: Queryable, siteId: number, deviceId: number, ids: number[]): Promise<CommandRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('door_command as c')
    .innerJoin('door', 'door.id', 'c.door_id')
    .leftJoin('location', 'location.id', 'door.location_id')
    .select(['c.id', 'c.command', 'c.door_id', 'door.name as door_name', 'location.name as location_name', 'c.acked_at'])
    .where('c.site_id', '=', siteId)
    .where('c.device_id', '=', deviceId)
    .where('c.id', 'in', ids)
    .execute();
}

/** Records the acknowledgement of these commands unless one already was; returns the ids this call recorded. */
export function markAcked(db: Queryable, siteId: number, deviceId: number, ids: number[], result: string, at: number): Promise<Set<number>> {
  return markCommandsOnce(db, siteId, deviceId, ids, { acked_at: at, result });
}

/**
 * Withdraws the unlock commands for these doors that no device has collected yet (acknowledged with
 * `result`, so no poll hands them over); returns how many. A collected command is the device's already.
 */
export async function withdrawUndelivered(db: Queryable, siteId: number, doorIds: number[], result: string, at: number): Promise<number> {
  if (doorIds.length === 0) return 0;
  const rows = await db
    .updateTable('door_command')
    .set({ acked_at: at, result })
    .where('site_id', '=', siteId)
    .where('door_id', 'in', doorIds)
    .where('command', '=', UNLOCK_COMMAND)
    .where('delivered_at', 'is', null)
    .where('acked_at', 'is', null)
    .returning('id')
    .execute();
  return rows.length;
}
