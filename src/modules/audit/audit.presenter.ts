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
    detail: row.detail === '' ? {} : (JSON.parse(row.detail) as Record<string, unknown>),
    at: formatIsoUtc(row.at),
  };
}
