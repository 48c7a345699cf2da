import type { Selectable } from 'kysely';
import type { Queryable } from '../../db/queryable.ts';
import type { AuditTable } from '../../db/schema.ts';

export type AuditRow = Selectable<AuditTable>;

export function listNewestAudit(db: Queryable, siteId: number, limit: number): Promise<AuditRow[]> {
  return db.selectFrom('audit').selectAll().where('site_id', '=', siteId).orderBy('id', 'desc').limit(limit).execute();
}

export function listAuditAfter(db: Queryable, siteId: number, afterId: number, limit: number): Promise<AuditRow[]> {
  return db.selectFrom('audit').selectAll().where('site_id', '=', siteId).where('id', '>', afterId).orderBy('id').limit(limit).execute();
}
