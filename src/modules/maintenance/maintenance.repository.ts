import type { Insertable } from 'kysely';
import type { Queryable } from '../../db/queryable.ts';
import type { MaintenanceWindowRow, MaintenanceWindowTable } from '../../db/schema.ts';

export function insertMaintenanceWindow(db: Queryable, row: Insertable<MaintenanceWindowTable>): Promise<MaintenanceWindowRow> {
  return db.insertInto('maintenance_window').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The site's windows that have not ended by `now`, soonest first. */
export function listOpenMaintenanceWindows(db: Queryable, siteId: number, now: number): Promise<MaintenanceWindowRow[]> {
  return db
    .selectFrom('maintenance_window')
    .selectAll()
    .where('site_id', '=', siteId)
    .where('end_at', '>=', now)
    .orderBy('start_at')
    .orderBy('id')
    .execute();
}

export async function deleteMaintenanceWindow(db: Queryable, siteId: number, id: number): Promise<boolean> {
  const result = await db.deleteFrom('maintenance_window').where('site_id', '=', siteId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
