import { storableIds, toFlag } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { repeatedInBatch } from '../../domain/batch-checks.ts';
import { claimedKeys, nameConflicts } from '../../domain/name-conflicts.ts';
import { nameKey } from '../../domain/names.ts';
import type { RecordCheck, SiteCall, WriteCounts } from '../../domain/batch.ts';
import * as locationTypes from '../location-types/location-types.repository.ts';
import * as repo from './locations.repository.ts';

/** A location to create, as sent. */
export interface NewLocation {
  name?: string | undefined;
  locationType?: number | undefined;
}

/** A selective update: undefined properties stay as they are. */
export interface LocationChange {
  id?: number | undefined;
  name?: string | undefined;
  locationType?: number | undefined;
  enabled?: boolean | undefined;
}

/** What a passing create writes. */
export type LocationInsertPlan = { name: string; key: string; locationType: number };
/** What a passing update writes. */
export type LocationUpdatePlan = { id: number; changes: repo.LocationChanges };

const idKey = (id: number | undefined) => (id === undefined ? undefined : String(id));

/** The location types these records name that exist in the site. */
function knownLocationTypes(trx: Queryable, siteId: number, records: { locationType?: number | undefined }[]): Promise<Set<number>> {
  return locationTypes.existingIds(trx, siteId, storableIds(records.map((r) => r.locationType)));
}

function locationTypeProblem(id: number | undefined, known: Set<number>): string[] {
  return id === undefined || known.has(id) ? [] : [`Invalid locationtype id: ${id}`];
}

/** Name present and unique in the site and the batch; location type present and of this site. */
export async function checkNewLocations(trx: Queryable, inputs: NewLocation[], { site }: SiteCall): Promise<RecordCheck<LocationInsertPlan>[]> {
  const claims = inputs.map((i) => ({ name: i.name }));
  const [owners, types] = await Promise.all([repo.nameKeyOwners(trx, site.id, claimedKeys(claims)), knownLocationTypes(trx, site.id, inputs)]);
  const names = nameConflicts('Location', claims, owners);
  return inputs.map((input, index) => {
    const nameProblem = names[index];
    const messages = [...(nameProblem ? [nameProblem] : []), ...locationTypeProblem(input.locationType, types)];
    if (messages.length > 0) return { messages };
    // A missing field has already been reported by the record's schema.
    if (input.name === undefined || input.locationType === undefined) return { messages: [] };
    return { plan: { name: input.name.trim(), key: nameKey(input.name), locationType: input.locationType } };
  });
}

/** Inserts the passing new locations in one statement. */
export async function insertLocations(trx: Queryable, plans: LocationInsertPlan[], { site, clock }: SiteCall): Promise<WriteCounts> {
  const now = clock.now();
  await repo.insertLocations(
    trx,
    plans.map((p) => ({ site_id: site.id, name: p.name, name_key: p.key, location_type_id: p.locationType, created_at: now })),
  );
  return { inserted: plans.length };
}

/** The id names a location of the site once in the batch; a new name or type passes as on create. */
export async function checkLocationChanges(trx: Queryable, inputs: LocationChange[], { site }: SiteCall): Promise<RecordCheck<LocationUpdatePlan>[]> {
  const claims = inputs.map((i) => ({ name: i.name, id: i.id }));
  const [existing, owners, types] = await Promise.all([
    repo.namesById(trx, site.id, storableIds(inputs.map((i) => i.id))),
    repo.nameKeyOwners(trx, site.id, claimedKeys(claims)),
    knownLocationTypes(trx, site.id, inputs),
  ]);
  const names = nameConflicts('Location', claims, owners);
  const repeated = repeatedInBatch(inputs, (i) => idKey(i.id));
  return inputs.map((input, index) => {
    const messages: string[] = [];
    if (input.id !== undefined && !existing.has(input.id)) messages.push(`Invalid location id: ${input.id}`);
    else if (repeated[index]) messages.push(`Location id Duplicated In Batch: ${input.id}`);
    const nameProblem = names[index];
    if (nameProblem) messages.push(nameProblem);
    messages.push(...locationTypeProblem(input.locationType, types));
    if (messages.length > 0 || input.id === undefined) return { messages };
    const changes: repo.LocationChanges = {};
    if (input.name !== undefined) {
      changes.name = input.name.trim();
      changes.name_key = nameKey(input.name);
    }
    if (input.locationType !== undefined) changes.location_type_id = input.locationType;
    if (input.enabled !== undefined) changes.enabled = toFlag(input.enabled);
    return { plan: { id: input.id, changes } };
  });
}

/** Applies each passing update; a record that changes nothing still counts as updated. */
export async function updateLocations(trx: Queryable, plans: LocationUpdatePlan[], { site }: SiteCall): Promise<WriteCounts> {
  for (const plan of plans) {
    if (Object.keys(plan.changes).length > 0) await repo.updateLocation(trx, site.id, plan.id, plan.changes);
  }
  return { updated: plans.length };
}

/** The id exists in the site and no door stands in the location: deleting it would leave doors nowhere. */
export async function checkLocationDeletions(trx: Queryable, ids: (number | undefined)[], { site }: SiteCall): Promise<RecordCheck<number>[]> {
  const known = storableIds(ids);
  const [names, usage] = await Promise.all([repo.namesById(trx, site.id, known), repo.doorUsage(trx, site.id, known)]);
  const repeated = repeatedInBatch(ids, idKey);
  return ids.map((id, index) => {
    if (id === undefined) return { messages: [] };
    const name = names.get(id);
    if (name === undefined) return { messages: [`Invalid location id: ${id}`] };
    const use = usage.get(id);
    if (use) {
      const others = use.doors - 1;
      const more = others === 0 ? '' : ` and ${others} other door${others === 1 ? '' : 's'}`;
      return { messages: [`Location ${name} (id ${id}) is used by door ${use.door}${more}`] };
    }
    if (repeated[index]) return { ignored: true };
    return { plan: id };
  });
}

/** Deletes the passing locations in one statement. */
export async function deleteLocations(trx: Queryable, ids: number[], { site }: SiteCall): Promise<WriteCounts> {
  return { deleted: await repo.deleteLocations(trx, site.id, ids) };
}
