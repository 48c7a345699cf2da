import type { Site } from '../../domain/site.ts';
import { formatSiteTime } from '../../lib/site-time.ts';
import type { DoorOverrideRow } from './door-overrides.repository.ts';

/** An override on the wire: times zone-less in the site's zone, as Lockt lists show them. */
export function presentOverride(row: DoorOverrideRow, site: Site) {
  return {
    id: row.id,
    door_name: row.door_name,
    mode: row.mode,
    since: formatSiteTime(row.since, site.timezone),
    until: row.until === null ? null : formatSiteTime(row.until, site.timezone),
    actor: row.actor,
  };
}
