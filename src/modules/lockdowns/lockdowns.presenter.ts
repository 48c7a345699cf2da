import type { Site } from '../../domain/site.ts';
import { formatSiteTime } from '../../lib/site-time.ts';
import type { LockdownRow } from './lockdowns.repository.ts';

const siteTime = (ms: number | null, site: Site) => (ms === null ? null : formatSiteTime(ms, site.timezone));

/** A lockdown plan on the wire. */
export function presentLockdown(row: LockdownRow, site: Site) {
  return {
    id: row.id,
    name: row.name,
    mode: row.mode,
    priority: row.priority,
    scope: row.scope,
    location_id: row.location_id,
    door_ids: row.door_ids,
    responders: row.responders,
    auto_revert_seconds: row.auto_revert_ms === null ? null : Math.round(row.auto_revert_ms / 1000),
    active: row.active_since !== null,
    active_since: siteTime(row.active_since, site),
    active_until: siteTime(row.active_until, site),
    active_by: row.active_by,
  };
}
