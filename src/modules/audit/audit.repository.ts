import type { Selectable } from 'kysely';
import { settledLogIds } from '../../db/log-ids.ts';
import type { Queryable } from '../../db/queryable.ts';
import type { AuditTable } from '../../db/schema.ts';

export type AuditRow = Selectable<AuditTable>;

/** The site's settled audit records (src/db/log-ids.ts): those no later commit can precede. */
function settledAudit(db: Queryable, siteId: number) {
  const settled = settledLogIds(db);
  const query = db.selectFrom('audit').selectAll().where('site_id', '=', siteId);
  return settled ? query.where('id', '<', settled) : query;
}

export function listNewestAudit(db: Queryable, siteId: number, limit: number): Promise<AuditRow[]> {
  return listAuditBefore(db, siteId, undefined, limit);
}

export function listAuditAfter(db: Queryable, siteId: number, afterId: number, limit: number): Promise<AuditRow[]> {
  return settledAudit(db, siteId).where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

/** What the console's audit screen narrows to; each part left undefined keeps every record. */
export interface AuditFilter {
  actor?: string | undefined;
  resource?: string | undefined;
  /** Epoch ms, included. */
  from?: number | undefined;
  /** Epoch ms, not included. */
  to?: number | undefined;
}

/** The newest records older than `beforeId` (none: from the newest) that the filter keeps, newest first: the console's pages. */
export function listAuditBefore(
  db: Queryable,
  siteId: number,
  beforeId: number | undefined,
  limit: number,
  filter: AuditFilter = {},
): Promise<AuditRow[]> {
  let query = settledAudit(db, siteId);
  if (beforeId !== undefined) query = query.where('id', '<', beforeId);
  if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
  if (filter.resource !== undefined) query = query.where('resource', '=', filter.resource);
  if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('at', '<', filter.to);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

/** The actors (with their kind) and resources the site's audit log names, for the console's filters. */
export async function auditNames(db: Queryable, siteId: number): Promise<{ actors: { actor: string; actor_kind: string }[]; resources: string[] }> {
  const [actors, resources] = await Promise.all([
    db.selectFrom('audit').select(['actor', 'actor_kind']).distinct().where('site_id', '=', siteId).orderBy('actor').orderBy('actor_kind').execute(),
    db.selectFrom('audit').select('resource').distinct().where('site_id', '=', siteId).orderBy('resource').execute(),
  ]);
  return { actors, resources: resources.map((row) => row.resource) };
}
