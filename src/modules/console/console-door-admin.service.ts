import type { Queryable } from '../../db/queryable.ts';
import { nameKey } from '../../domain/names.ts';
import type { ActorCall, Site } from '../../domain/site.ts';
import * as doors from '../doors/doors.repository.ts';
import { listLocations } from '../locations/locations.repository.ts';
import { closeLocks } from '../panels/panels.service.ts';

/** Locations a door can be placed in; a site with more than this names its location by id through the API. */
const LOCATION_CHOICES = 1000;

/** The site's locations by name, for placing a door. */
export async function locationChoices(db: Queryable, site: Site): Promise<{ id: number; name: string }[]> {
  const rows = await listLocations(db, site.id, 0, LOCATION_CHOICES);
  return rows.map((l) => ({ id: l.id, name: l.name })).sort((a, b) => a.name.localeCompare(b.name));
}

/** The id of the site's door of this name (the door write answers counts, not ids). */
export async function doorIdNamed(db: Queryable, site: Site, name: string): Promise<number | undefined> {
  const owners = await doors.nameKeyOwners(db, site.id, [nameKey(name)]);
  return owners.get(nameKey(name));
}

/**
 * Calls off an emergency opening of one lock (0: every lock) as the panel face's close does: the
 * unlocks no device has collected yet are withdrawn, audited as the operator's. Returns how many.
 */
export function callOffEmergency(db: Queryable, call: ActorCall, lockNumber: number): Promise<number> {
  return closeLocks(db, call, [lockNumber]);
}
