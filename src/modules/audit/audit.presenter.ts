import { jsonObject } from '../../lib/guards.ts';
import { formatIsoUtc } from '../../lib/site-time.ts';
import type { AuditRow } from './audit.repository.ts';

export function presentAudit(row: AuditRow) {
  return {
    id: row.id,
    actor_kind: row.actor_kind,
    actor: row.actor,
    resource: row.resource,
    action: row.action,
    record_ids: row.record_ids === '' ? [] : row.record_ids.split(',').map(Number),
    detail: row.detail === '' ? {} : jsonObject(row.detail),
    at: formatIsoUtc(row.at),
  };
}
