import { fromFlag } from '../../db/conventions.ts';
import type { Site } from '../../domain/site.ts';
import { formatSiteTime } from '../../lib/site-time.ts';
import type { IdentifierRow } from '../credentials/credentials.repository.ts';
import type { PersonExtras } from './console-person.service.ts';

/** A time in the site's zone as the console's forms take it back (`YYYY-MM-DD HH:MM:SS`); "" for none. */
const siteTime = (ms: number | null, site: Site) => (ms === null ? '' : formatSiteTime(ms, site.timezone));

/** How the page names and revokes a credential: a Lockt card or fob, or one of the panel face's identifiers. */
function kindOf(row: IdentifierRow): 'card' | 'fob' | 'identifier' {
  if (fromFlag(row.is_fob)) return 'fob';
  return fromFlag(row.panel_access) ? 'identifier' : 'card';
}

/** A person's credentials, apartments, time profiles and delegations, with times in the site's zone. */
export function presentPersonExtras({ window, panel, delegations, confirmation }: PersonExtras, site: Site) {
  const personName = (first: string | null, last: string | null) => `${first ?? ''} ${last ?? ''}`.trim();
  return {
    access_window: { effective: siteTime(window.access_effective, site), expires: siteTime(window.access_expires, site) },
    credentials: panel.identifiers.map((row) => ({
      id: row.id,
      kind: kindOf(row),
      type: row.identifier_type,
      name: row.name,
      number: row.card_num ?? '',
      lock: row.lock,
      // null: no limit; otherwise what is left of the allowance.
      passes: row.max_passes === null ? null : { max: row.max_passes, left: row.passes_left ?? 0 },
      valid_from: siteTime(row.access_effective, site),
      valid_to: siteTime(row.access_expires, site),
    })),
    apartments: panel.apartments.map((a) => ({ id: a.id, name: a.name, building: a.building, unit: a.unit, floor: a.floor, room: a.room })),
    time_profiles: panel.timeProfiles.map((p) => ({ id: p.id, name: p.name })),
    delegations: delegations.map((d) => ({
      id: d.id,
      from: d.from_user_id === null ? null : { id: d.from_user_id, name: personName(d.from_first_name, d.from_last_name) },
      to: { id: d.to_user_id, name: personName(d.to_first_name, d.to_last_name) },
      effective: siteTime(d.access_effective, site),
      expires: siteTime(d.access_expires, site),
      doors: d.doors.map((door) => ({ id: door.door_id, name: door.door_name })),
    })),
    anonymize_confirmation: confirmation,
  };
}
