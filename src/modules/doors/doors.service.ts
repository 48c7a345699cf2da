import { isStorableId, storableIds, toFlag } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { repeatedInBatch } from '../../domain/batch-checks.ts';
import { ERRORS } from '../../domain/errors.ts';
import { claimedKeys, nameConflicts } from '../../domain/name-conflicts.ts';
import { nameKey } from '../../domain/names.ts';
import type { RecordCheck, SiteCall, WriteCounts } from '../../domain/batch.ts';
import * as locations from '../locations/locations.repository.ts';
import * as repo from './doors.repository.ts';

/** A door to create, as sent. */
export interface NewDoor {
  name?: string | undefined;
  /** Null: no location. */
  location?: number | null | undefined;
  enabled?: boolean | undefined;
}

/** A selective update: undefined properties stay as they are; a null location clears it. */
export interface DoorChange {
  id?: number | undefined;
  name?: string | undefined;
  location?: number | null | undefined;
  enabled?: boolean | undefined;
}

/** What a passing create writes. */
export type DoorInsertPlan = { name: string; key: string; location: number | null; enabled: boolean };
/** What a passing update writes. */
export type DoorUpdatePlan = { id: number; changes: repo.DoorChanges };

const idKey = (id: number | undefined) => (id === undefined ? undefined : String(id));

/**
 * The cardholder whose doors `GET /door?user_id=` or `?id_num=` asks for, or undefined for the whole
 * list. A value naming no cardholder of the site is refused: answering with no doors would hide the typo.
 */
export async function resolveDoorHolder(
  db: Queryable,
  siteId: number,
  query: { user_id?: string | undefined; id_num?: string | undefined },
): Promise<number | undefined> {
  const { user_id: userId, id_num: idNum } = query;
  if (userId !== undefined && idNum !== undefined) throw ERRORS.badRequest('Supply either user_id or id_num, not both.');
  if (userId !== undefined) {
    const id = Number(userId);
    const found = isStorableId(id) ? await repo.findCardholderId(db, siteId, { id }) : undefined;
    if (found === undefined) throw ERRORS.badRequest(`Invalid user_id: ${userId}`);
    return found;
  }
  if (idNum !== undefined) {
    const found = await repo.findCardholderId(db, siteId, { idNum: idNum.trim() });
    if (found === undefined) throw ERRORS.badRequest(`Invalid id_num: ${idNum}`);
    return found;
  }
  return undefined;
}

/** The locations these records name that exist in the site. */
async function knownLocations(trx: Queryable, siteId: number, records: { location?: number | null | undefined }[]): Promise<Set<number>> {
  const names = await locations.namesById(trx, siteId, storableIds(records.map((r) => r.location ?? undefined)));
  return new Set(names.keys());
}

function locationProblem(id: number | null | undefined, known: Set<number>): string[] {
  return id === undefined || id === null || known.has(id) ? [] : [`Invalid location id: ${id}`];
}

/**
 * Name present and unique in the site and, unlike the vendor's (a known issue), within the batch too;
 * a location, when given, of this site.
 */
export async function checkNewDoors(trx: Queryable, inputs: NewDoor[], { site }: SiteCall): Promise<RecordCheck<DoorInsertPlan>[]> {
  const claims = inputs.map((i) => ({ name: i.name }));
  const [owners, known] = await Promise.all([repo.nameKeyOwners(trx, site.id, claimedKeys(claims)), knownLocations(trx, site.id, inputs)]);
  const names = nameConflicts('Door', claims, owners);
  return inputs.map((input, index) => {
    const nameProblem = names[index];
    const messages = [...(nameProblem ? [nameProblem] : []), ...locationProblem(input.location, known)];
    if (messages.length > 0 || input.name === undefined) return { messages };
    return {
      plan: { name: input.name.trim(), key: nameKey(input.name), location: input.location ?? null, enabled: input.enabled ?? true },
    };
  });
}

/** Inserts the passing new doors in one statement. */
export async function insertDoors(trx: Queryable, plans: DoorInsertPlan[], { site, clock }: SiteCall): Promise<WriteCounts> {
  const now = clock.now();
  await repo.insertDoors(
    trx,
    plans.map((p) => ({
      site_id: site.id,
      name: p.name,
      name_key: p.key,
      location_id: p.location,
      enabled: toFlag(p.enabled),
      created_at: now,
    })),
  );
  return { inserted: plans.length };
}

/** The id names a door of the site once in the batch; a new name or location passes as on create. */
export async function checkDoorChanges(trx: Queryable, inputs: DoorChange[], { site }: SiteCall): Promise<RecordCheck<DoorUpdatePlan>[]> {
  const claims = inputs.map((i) => ({ name: i.name, id: i.id }));
  const [existing, owners, known] = await Promise.all([
    repo.existingIds(trx, site.id, storableIds(inputs.map((i) => i.id))),
    repo.nameKeyOwners(trx, site.id, claimedKeys(claims)),
    knownLocations(trx, site.id, inputs),
  ]);
  const names = nameConflicts('Door', claims, owners);
  const repeated = repeatedInBatch(inputs, (i) => idKey(i.id));
  return inputs.map((input, index) => {
    const messages: string[] = [];
    if (input.id !== undefined && !existing.has(input.id)) messages.push(`Invalid door id: ${input.id}`);
    else if (repeated[index]) messages.push(`Door id Duplicated In Batch: ${input.id}`);
    const nameProblem = names[index];
    if (nameProblem) messages.push(nameProblem);
    messages.push(...locationProblem(input.location, known));
    if (messages.length > 0 || input.id === undefined) return { messages };
    const changes: repo.DoorChanges = {};
    if (input.name !== undefined) {
      changes.name = input.name.trim();
      changes.name_key = nameKey(input.name);
    }
    if (input.location !== undefined) changes.location_id = input.location;
    if (input.enabled !== undefined) changes.enabled = toFlag(input.enabled);
    return { plan: { id: input.id, changes } };
  });
}

/** Applies each passing update; a record that changes nothing still counts as updated. */
export async function updateDoors(trx: Queryable, plans: DoorUpdatePlan[], { site }: SiteCall): Promise<WriteCounts> {
  for (const plan of plans) {
    if (Object.keys(plan.changes).length > 0) await repo.updateDoor(trx, site.id, plan.id, plan.changes);
  }
  return { updated: plans.length };
}

/**
 * The id exists in the site. Every such id deletes (the vendor sometimes refused valid ids, a known
 * issue); a door granted by access levels leaves them with it.
 */
export async function checkDoorDeletions(trx: Queryable, ids: (number | undefined)[], { site }: SiteCall): Promise<RecordCheck<number>[]> {
  const existing = await repo.existingIds(trx, site.id, storableIds(ids));
  const repeated = repeatedInBatch(ids, idKey);
  return ids.map((id, index) => {
    if (id === undefined) return { messages: [] };
    if (!existing.has(id)) return { messages: [`Invalid door id: ${id}`] };
    if (repeated[index]) return { ignored: true };
    return { plan: id };
  });
}

/** Deletes the passing doors in one statement. */
export async function deleteDoors(trx: Queryable, ids: number[], { site }: SiteCall): Promise<WriteCounts> {
  return { deleted: await repo.deleteDoors(trx, site.id, ids) };
}
