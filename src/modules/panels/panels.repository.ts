import type { Selectable } from 'kysely';
import type { Queryable } from '../../db/queryable.ts';
import type { PanelSettingsTable } from '../../db/schema.ts';

export type PanelSettingsRow = Selectable<PanelSettingsTable>;

/** The site's saved remote-control settings, if an operator ever saved them. */
export function findPanelSettings(db: Queryable, siteId: number): Promise<PanelSettingsRow | undefined> {
  return db.selectFrom('panel_settings').selectAll().where('site_id', '=', siteId).executeTakeFirst();
}

export async function savePanelSettings(db: Queryable, row: PanelSettingsRow): Promise<void> {
  const { site_id: _site, ...changes } = row;
  await db
    .insertInto('panel_settings')
    .values(row)
    .onConflict((oc) => oc.column('site_id').doUpdateSet(changes))
    .execute();
}

/** A lock of a panel: the door it drives, by lock number. */
export interface PanelLockRow {
  door_id: number;
  lock_number: number;
}

/** The locks of one device, lowest number first. */
export function locksOfDevice(db: Queryable, siteId: number, deviceId: number): Promise<PanelLockRow[]> {
  return db
    .selectFrom('device_door')
    .select(['door_id', 'lock_number'])
    .where('site_id', '=', siteId)
    .where('device_id', '=', deviceId)
    .orderBy('lock_number')
    .execute();
}

/**
 * The doors that devices of the site (not revoked) drive under these lock numbers, or under any lock
 * when `lockNumbers` is null; each door once, by id.
 */
export async function doorsOnLocks(db: Queryable, siteId: number, lockNumbers: readonly number[] | null): Promise<number[]> {
  let query = db
    .selectFrom('device_door')
    .innerJoin('device', 'device.id', 'device_door.device_id')
    .select('device_door.door_id')
    .distinct()
    .where('device_door.site_id', '=', siteId)
    .where('device.revoked_at', 'is', null);
  if (lockNumbers !== null) query = query.where('device_door.lock_number', 'in', [...lockNumbers]);
  const rows = await query.orderBy('device_door.door_id').execute();
  return rows.map((r) => r.door_id);
}
