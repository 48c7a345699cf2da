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

/** The newest records older than `beforeId` (none: from the newest), newest first: the console's pages. */
export function listAuditBefore(db: Queryable, siteId: number, beforeId: number | undefined, limit: number): Promise<AuditRow[]> {
  const query = settledAudit(db, siteId);
  return (beforeId === undefined ? query : query.where('id', '<', beforeId)).orderBy('id', 'desc').limit(limit).execute();
}
