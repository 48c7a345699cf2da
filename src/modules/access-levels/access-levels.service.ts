import { storableIds, toFlag } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { repeatedInBatch } from '../../domain/batch-checks.ts';
import { claimedKeys, nameConflicts } from '../../domain/name-conflicts.ts';
import { nameKey } from '../../domain/names.ts';
import type { BatchOptions, RecordCheck, SiteCall, WriteCounts } from '../../domain/batch.ts';
import * as repo from './access-levels.repository.ts';

/** A door a level opens, and on which schedule. */
export interface DoorAssignment {
  doorId: number;
  scheduleId: number;
}

export interface NewAccessLevel {
  /** Undefined when absent or refused by the schema (which then has its message). */
  name: string | undefined;
  doors: DoorAssignment[];
  /** Extension: its holders may be a door's first person in (docs/door-modes.md). */
  firstPersonIn: boolean | undefined;
}

/** A PUT record: only what is supplied changes. */
export interface AccessLevelChange {
  id: number | undefined;
  name: string | undefined;
  doors: DoorAssignment[] | undefined;
  firstPersonIn: boolean | undefined;
}

/** A level with its doors, as lists show it. */
export type WithDoors<Row> = Row & { doors: repo.LevelDoorRow[] };

/** Adds each level's doors with one query for the whole page. */
export async function attachDoors<Row extends { id: number }>(db: Queryable, siteId: number, levels: Row[]): Promise<WithDoors<Row>[]> {
  const doors = await repo.doorsOfLevels(
    db,
    siteId,
    levels.map((l) => l.id),
  );
  const byLevel = new Map<number, repo.LevelDoorRow[]>();
  for (const door of doors) {
    const list = byLevel.get(door.access_level_id) ?? [];
    list.push(door);
    byLevel.set(door.access_level_id, list);
  }
  return levels.map((level) => ({ ...level, doors: byLevel.get(level.id) ?? [] }));
}

/** One page of the site's levels, delegate levels included, with their doors. */
export async function listAccessLevels(db: Queryable, siteId: number, afterId: number, limit: number): Promise<WithDoors<repo.AccessLevelRow>[]> {
  return attachDoors(db, siteId, await repo.listAccessLevels(db, siteId, afterId, limit));
}

/** The level with this name (compared as name keys), if any. */
export async function findAccessLevelsByName(db: Queryable, siteId: number, name: string): Promise<WithDoors<repo.AccessLevelRow>[]> {
  return attachDoors(db, siteId, await repo.findAccessLevelByNameKey(db, siteId, nameKey(name)));
}

interface KnownReferences {
  doors: Set<number>;
  schedules: Set<number>;
}

/** Which of the batch's door and schedule ids exist in the site: two queries for the whole batch. */
async function lookUpReferences(trx: Queryable, siteId: number, records: { doors?: DoorAssignment[] | undefined }[]): Promise<KnownReferences> {
  const all = records.flatMap((record) => record.doors ?? []);
  const [doors, schedules] = await Promise.all([
    repo.existingDoorIds(trx, siteId, storableIds([...new Set(all.map((d) => d.doorId))])),
    repo.existingScheduleIds(trx, siteId, storableIds([...new Set(all.map((d) => d.scheduleId))])),
  ]);
  return { doors, schedules };
}

/**
 * Every problem with one level's doors. The duplicate check looks only within this level: the vendor's
 * check spanned the whole batch (a known issue), which wrongly refused two levels sharing a door.
 */
function doorMessages(doors: DoorAssignment[], known: KnownReferences, levelName: string | undefined): string[] {
  const messages = new Set<string>();
  const seen = new Set<number>();
  const where = levelName === undefined ? '' : ` in access level ${levelName}`;
  for (const { doorId, scheduleId } of doors) {
    if (!known.doors.has(doorId)) messages.add(`Invalid door id: ${doorId}`);
    if (!known.schedules.has(scheduleId)) messages.add(`Invalid schedule_id: ${scheduleId}`);
    if (seen.has(doorId)) messages.add(`Duplicate door id ${doorId}${where}`);
    seen.add(doorId);
  }
  return [...messages];
}

/** A name as stored, with the key it is unique on. */
export interface NameChange {
  name: string;
  key: string;
}

/** A level that passed its checks, ready to insert. */
export type InsertPlan = NameChange & { doors: DoorAssignment[]; firstPersonIn: boolean };

/** Name present and unique in the site and the batch; every door and schedule valid; no door twice in a level. */
export async function checkNewAccessLevels(trx: Queryable, inputs: NewAccessLevel[], { site }: SiteCall): Promise<RecordCheck<InsertPlan>[]> {
  const [owners, known] = await Promise.all([repo.levelIdsByNameKey(trx, site.id, claimedKeys(inputs)), lookUpReferences(trx, site.id, inputs)]);
  const names = nameConflicts('Access Level', inputs, owners);
  return inputs.map((input, index) => {
    const messages = [names[index], ...doorMessages(input.doors, known, input.name)].filter((m) => m !== undefined);
    if (messages.length > 0 || input.name === undefined) return { messages };
    return { plan: { name: input.name.trim(), key: nameKey(input.name), doors: input.doors, firstPersonIn: input.firstPersonIn ?? false } };
  });
}

function levelIdOf(ids: Map<string, number>, key: string): number {
  const id = ids.get(key);
  if (id === undefined) throw new Error(`inserted access level ${key} was not returned`);
  return id;
}

export async function insertAccessLevels(trx: Queryable, plans: InsertPlan[], { site, clock }: SiteCall): Promise<WriteCounts> {
  const now = clock.now();
  const ids = await repo.insertAccessLevels(
    trx,
    plans.map((p) => ({ site_id: site.id, name: p.name, name_key: p.key, first_person_in: toFlag(p.firstPersonIn), created_at: now })),
  );
  await repo.insertLevelDoors(
    trx,
    plans.flatMap((p) => {
      const levelId = levelIdOf(ids, p.key);
      return p.doors.map((d) => ({ site_id: site.id, access_level_id: levelId, door_id: d.doorId, schedule_id: d.scheduleId }));
    }),
  );
  return { inserted: plans.length };
}

/** A change that passed its checks: what to rename, which doors to set. */
export interface UpdatePlan {
  id: number;
  name?: NameChange | undefined;
  doors?: DoorAssignment[] | undefined;
  firstPersonIn?: boolean | undefined;
}

/**
 * The id names a level of the site that is not a delegate level (those keep the doors their giver
 * holds, so only POST /delegate makes them); a new name is unique; doors as for POST.
 */
export async function checkAccessLevelChanges(trx: Queryable, inputs: AccessLevelChange[], { site }: SiteCall): Promise<RecordCheck<UpdatePlan>[]> {
  const [levels, owners, known] = await Promise.all([
    repo.levelsByIds(trx, site.id, storableIds(inputs.map((i) => i.id))),
    repo.levelIdsByNameKey(trx, site.id, claimedKeys(inputs)),
    lookUpReferences(trx, site.id, inputs),
  ]);
  const names = nameConflicts('Access Level', inputs, owners);
  const repeatedIds = repeatedInBatch(inputs, (i) => (i.id === undefined ? undefined : String(i.id)));
  return inputs.map((input, index) => {
    const messages: string[] = [];
    const level = input.id === undefined ? undefined : levels.get(input.id);
    if (input.id !== undefined) {
      if (!level) messages.push(`Invalid Access Level id: ${input.id}`);
      else if (level.is_delegate === 1) messages.push(`Access Level id ${input.id} is a delegate level and cannot be changed`);
      else if (repeatedIds[index]) messages.push(`Access Level id ${input.id} Duplicated In Batch`);
    }
    const nameMessage = names[index];
    if (nameMessage) messages.push(nameMessage);
    if (input.doors) messages.push(...doorMessages(input.doors, known, input.name ?? level?.name));
    if (messages.length > 0 || input.id === undefined) return { messages };
    if (input.name === undefined && input.doors === undefined && input.firstPersonIn === undefined) return { ignored: true };
    const name = input.name === undefined ? undefined : { name: input.name.trim(), key: nameKey(input.name) };
    return { plan: { id: input.id, name, doors: input.doors, firstPersonIn: input.firstPersonIn } };
  });
}

/** Renames, and replaces the doors (`replace_doors`, the default) or adds to them, re-scheduling doors already there. */
export async function updateAccessLevels(trx: Queryable, plans: UpdatePlan[], { site }: SiteCall, options: BatchOptions): Promise<WriteCounts> {
  for (const plan of plans) {
    const changes: repo.AccessLevelChanges = {};
    if (plan.name) {
      changes.name = plan.name.name;
      changes.name_key = plan.name.key;
    }
    if (plan.firstPersonIn !== undefined) changes.first_person_in = toFlag(plan.firstPersonIn);
    if (Object.keys(changes).length > 0) await repo.updateAccessLevel(trx, site.id, plan.id, changes);
    if (plan.doors) {
      await repo.removeLevelDoors(trx, site.id, plan.id, options.replace_doors ? undefined : plan.doors.map((d) => d.doorId));
    }
  }
  await repo.insertLevelDoors(
    trx,
    plans.flatMap((p) => (p.doors ?? []).map((d) => ({ site_id: site.id, access_level_id: p.id, door_id: d.doorId, schedule_id: d.scheduleId }))),
  );
  return { updated: plans.length };
}

/** The id names a level of the site; a level repeated in the batch is deleted once. */
export async function checkAccessLevelDeletions(trx: Queryable, ids: (number | undefined)[], { site }: SiteCall): Promise<RecordCheck<number>[]> {
  const existing = await repo.levelsByIds(trx, site.id, storableIds(ids));
  const repeated = repeatedInBatch(ids, (id) => (id === undefined ? undefined : String(id)));
  return ids.map((id, index) => {
    if (id === undefined) return { messages: [] };
    if (!existing.has(id)) return { messages: [`Invalid Access Level id: ${id}`] };
    if (repeated[index]) return { ignored: true };
    return { plan: id };
  });
}

/** Deleting a level takes away every user's assignment to it (foreign keys cascade). */
export async function deleteAccessLevels(trx: Queryable, ids: number[], { site }: SiteCall): Promise<WriteCounts> {
  return { deleted: await repo.deleteAccessLevels(trx, site.id, ids) };
}
