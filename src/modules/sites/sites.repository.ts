import type { Queryable } from '../../db/queryable.ts';
import type { NewSiteRow, SiteRow, SiteRowUpdate } from '../../db/schema.ts';

export function insertSite(db: Queryable, row: NewSiteRow): Promise<SiteRow> {
  return db.insertInto('site').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findSite(db: Queryable, id: number): Promise<SiteRow | undefined> {
  return db.selectFrom('site').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listSites(db: Queryable): Promise<SiteRow[]> {
  return db.selectFrom('site').selectAll().orderBy('id').execute();
}

export async function updateSite(db: Queryable, id: number, changes: SiteRowUpdate): Promise<SiteRow | undefined> {
  return db.updateTable('site').set(changes).where('id', '=', id).returningAll().executeTakeFirst();
}
