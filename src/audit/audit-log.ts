import { nextLogIds } from '../db/log-ids.ts';
import type { Queryable } from '../db/queryable.ts';

/** Who made a change: an API key (by apiuser), an operator (by username), a device, or the CLI. */
export interface Actor {
  kind: 'api_key' | 'operator' | 'device' | 'cli';
  name: string;
}

/**
 * One audit record: who, what resource, what action, which record ids, and counts. It holds ids and
 * counts only, never personal data, so anonymising a user needs nothing changed here.
 */
export interface AuditEntry {
  actor: Actor;
  resource: string;
  action: string;
  recordIds?: readonly number[];
  detail?: Record<string, unknown>;
}

/** Appends an audit record inside the writing transaction, so a change and its record stand or fall together. */
export async function appendAudit(trx: Queryable, siteId: number, entry: AuditEntry, at: number): Promise<void> {
  const [id] = nextLogIds(trx, 1) ?? [];
  await trx
    .insertInto('audit')
    .values({
      ...(id ? { id } : {}),
      site_id: siteId,
      actor_kind: entry.actor.kind,
      actor: entry.actor.name,
      resource: entry.resource,
      action: entry.action,
      record_ids: (entry.recordIds ?? []).join(','),
      detail: entry.detail === undefined ? '' : JSON.stringify(entry.detail),
      at,
    })
    .execute();
}
