import type { Queryable } from './queryable.ts';

/**
 * The lookups every batch check makes of a named, site-scoped table (which of these ids exist, which of
 * these names are taken), and the plain list page of one, written once. Each repository calls them with its own table, so the queries
 * stay in the repositories' hands and scoped by site.
 */

/** The tables these lookups serve: each has `id`, `site_id`, `name` and a unique `name_key`. */
export type NamedSiteTable = 'location_type' | 'location' | 'door' | 'schedule' | 'access_level' | 'holiday' | 'lockdown_plan';

/** The site's rows (id and name) with id > afterId, ascending, at most `limit`: a Lockt list page. */
export function namedRowsAfter(
  db: Queryable,
  table: NamedSiteTable,
  siteId: number,
  afterId: number,
  limit: number,
): Promise<{ id: number; name: string }[]> {
  return db.selectFrom(table).select(['id', 'name']).where('site_id', '=', siteId).where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

/** Of these ids, the ones that exist in the site. */
export async function existingIdsIn(db: Queryable, table: NamedSiteTable, siteId: number, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom(table).select('id').where('site_id', '=', siteId).where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

/** Of these ids, the ones that exist in the site, with their names. */
export async function namesByIdIn(db: Queryable, table: NamedSiteTable, siteId: number, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom(table).select(['id', 'name']).where('site_id', '=', siteId).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Of these name keys, the ones taken in the site, with the id of the row holding each. */
export async function nameKeyOwnersIn(db: Queryable, table: NamedSiteTable, siteId: number, keys: string[]): Promise<Map<string, number>> {
  if (keys.length === 0) return new Map();
  const rows = await db.selectFrom(table).select(['name_key', 'id']).where('site_id', '=', siteId).where('name_key', 'in', keys).execute();
  return new Map(rows.map((r) => [r.name_key, r.id]));
}
