import type { Insertable } from 'kysely';
import type { Queryable } from '../../db/queryable.ts';
import type { Columns, DoorOverrideTable } from '../../db/schema.ts';

export type DoorOverrideRow = Columns<'door_override', 'mode' | 'since' | 'until' | 'actor'> & { id: number; door_name: string };

/** The site's overrides in door id order. */
export function listOverrides(db: Queryable, siteId: number, afterId: number, limit: number): Promise<DoorOverrideRow[]> {
  return db
    .selectFrom('door_override as o')
    .innerJoin('door as d', 'd.id', 'o.door_id')
    .select(['o.door_id as id', 'd.name as door_name', 'o.mode', 'o.since', 'o.until', 'o.actor'])
    .where('o.site_id', '=', siteId)
    .where('o.door_id', '>', afterId)
    .orderBy('o.door_id')
    .limit(limit)
    .execute();
}

/** A door as an override's event names it. */
export type OverrideDoorRow = Columns<'door', 'id' | 'name' | 'location_id'> & { location_name: string | null; overridden: number | null };

/** Of these doors, or of the doors of these locations, the site's, with whether each has an override. */
export function doorsFor(db: Queryable, siteId: number, doorIds: number[], locationIds: number[]): Promise<OverrideDoorRow[]> {
  if (doorIds.length === 0 && locationIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('door')
    .leftJoin('location', 'location.id', 'door.location_id')
    .leftJoin('door_override', 'door_override.door_id', 'door.id')
    .select(['door.id', 'door.name', 'door.location_id', 'location.name as location_name', 'door_override.door_id as overridden'])
    .where('door.site_id', '=', siteId)
    .where((eb) =>
      eb.or([
        ...(doorIds.length > 0 ? [eb('door.id', 'in', doorIds)] : []),
        ...(locationIds.length > 0 ? [eb('door.location_id', 'in', locationIds)] : []),
      ]),
    )
    .orderBy('door.id')
    .execute();
}

/** Sets these doors' overrides, replacing any they had. */
export async function upsertOverrides(db: Queryable, rows: Insertable<DoorOverrideTable>[]): Promise<void> {
  for (const row of rows) {
    await db
      .insertInto('door_override')
      .values(row)
      .onConflict((oc) => oc.column('door_id').doUpdateSet({ mode: row.mode, since: row.since, until: row.until ?? null, actor: row.actor }))
      .execute();
  }
}

/** Removes these doors' overrides: they follow their schedules again. */
export async function deleteOverrides(db: Queryable, siteId: number, doorIds: number[]): Promise<number> {
  if (doorIds.length === 0) return 0;
  const result = await db.deleteFrom('door_override').where('site_id', '=', siteId).where('door_id', 'in', doorIds).executeTakeFirst();
  return Number(result.numDeletedRows);
}
