import { storableIds, toFlag } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { repeatedInBatch } from '../../domain/batch-checks.ts';
import { claimedKeys, nameConflicts } from '../../domain/name-conflicts.ts';
import { nameKey } from '../../domain/names.ts';
import type { RecordCheck, SiteCall, WriteCounts } from '../../domain/batch.ts';
import * as repo from './schedules.repository.ts';

/** A schedule's fields as sent; undefined: not supplied (or refused by the record's schema). */
export interface ScheduleFields {
  name?: string | undefined;
  /** Indexed like the columns: 0 is Monday. */
  days: (boolean | undefined)[];
  /** `HH:MM:SS`, already checked by the schema. */
  start?: string | undefined;
  stop?: string | undefined;
  /** Extension: inactive on the site's holidays. */
  observesHolidays?: boolean | undefined;
}

/** A selective update of the schedule `id`. */
export interface ScheduleChange extends ScheduleFields {
  id?: number | undefined;
}

/** What a passing create writes. */
export type ScheduleInsertPlan = { name: string; key: string; days: boolean[]; start: string; stop: string; observesHolidays: boolean };
/** What a passing update writes. */
export type ScheduleUpdatePlan = { id: number; changes: repo.ScheduleChanges };

const idKey = (id: number | undefined) => (id === undefined ? undefined : String(id));

/**
 * Name present and unique in the site and the batch; start and stop present. Any start and stop pair
 * is valid: a stop before the start spans midnight.
 */
export async function checkNewSchedules(trx: Queryable, inputs: ScheduleFields[], { site }: SiteCall): Promise<RecordCheck<ScheduleInsertPlan>[]> {
  const claims = inputs.map((i) => ({ name: i.name }));
  const owners = await repo.nameKeyOwners(trx, site.id, claimedKeys(claims));
  const names = nameConflicts('Schedule', claims, owners);
  return inputs.map((input, index) => {
    const nameProblem = names[index];
    if (nameProblem) return { messages: [nameProblem] };
    // A missing field has already been reported by the record's schema.
    if (input.name === undefined || input.start === undefined || input.stop === undefined) return { messages: [] };
    return {
      plan: {
        name: input.name.trim(),
        key: nameKey(input.name),
        days: repo.DAY_COLUMNS.map((_column, day) => input.days[day] ?? false),
        start: input.start,
        stop: input.stop,
        observesHolidays: input.observesHolidays ?? false,
      },
    };
  });
}

/** Inserts the passing new schedules in one statement. */
export async function insertSchedules(trx: Queryable, plans: ScheduleInsertPlan[], { site, clock }: SiteCall): Promise<WriteCounts> {
  const now = clock.now();
  await repo.insertSchedules(
    trx,
    plans.map((p) => ({
      site_id: site.id,
      name: p.name,
      name_key: p.key,
      ...dayColumns(p.days),
      start_time: p.start,
      stop_time: p.stop,
      observes_holidays: toFlag(p.observesHolidays),
      created_at: now,
    })),
  );
  return { inserted: plans.length };
}

/** The day columns for the days given; days left undefined are left out. */
function dayColumns(days: (boolean | undefined)[]): Partial<Record<repo.DayColumn, number>> {
  const columns: Partial<Record<repo.DayColumn, number>> = {};
  repo.DAY_COLUMNS.forEach((column, day) => {
    const value = days[day];
    if (value !== undefined) columns[column] = toFlag(value);
  });
  return columns;
}

/** The id names a schedule of the site once in the batch; a new name passes as on create. */
export async function checkScheduleChanges(trx: Queryable, inputs: ScheduleChange[], { site }: SiteCall): Promise<RecordCheck<ScheduleUpdatePlan>[]> {
  const claims = inputs.map((i) => ({ name: i.name, id: i.id }));
  const [existing, owners] = await Promise.all([
    repo.namesById(trx, site.id, storableIds(inputs.map((i) => i.id))),
    repo.nameKeyOwners(trx, site.id, claimedKeys(claims)),
  ]);
  const names = nameConflicts('Schedule', claims, owners);
  const repeated = repeatedInBatch(inputs, (i) => idKey(i.id));
  return inputs.map((input, index) => {
    const messages: string[] = [];
    if (input.id !== undefined && !existing.has(input.id)) messages.push(`Invalid schedule id: ${input.id}`);
    else if (repeated[index]) messages.push(`Schedule id Duplicated In Batch: ${input.id}`);
    const nameProblem = names[index];
    if (nameProblem) messages.push(nameProblem);
    if (messages.length > 0 || input.id === undefined) return { messages };
    const changes: repo.ScheduleChanges = { ...dayColumns(input.days) };
    if (input.name !== undefined) {
      changes.name = input.name.trim();
      changes.name_key = nameKey(input.name);
    }
    if (input.start !== undefined) changes.start_time = input.start;
    if (input.stop !== undefined) changes.stop_time = input.stop;
    if (input.observesHolidays !== undefined) changes.observes_holidays = toFlag(input.observesHolidays);
    return { plan: { id: input.id, changes } };
  });
}

/** Applies each passing update; a record that changes nothing still counts as updated. */
export async function updateSchedules(trx: Queryable, plans: ScheduleUpdatePlan[], { site }: SiteCall): Promise<WriteCounts> {
  for (const plan of plans) {
    if (Object.keys(plan.changes).length > 0) await repo.updateSchedule(trx, site.id, plan.id, plan.changes);
  }
  return { updated: plans.length };
}

/**
 * The id exists in the site, no access level opens a door on it (deleting it would leave the level
 * without hours) and no door's unlock schedule holds a mode on it.
 */
export async function checkScheduleDeletions(trx: Queryable, ids: (number | undefined)[], { site }: SiteCall): Promise<RecordCheck<number>[]> {
  const known = storableIds(ids);
  const [names, usage, doorUsage] = await Promise.all([
    repo.namesById(trx, site.id, known),
    repo.accessLevelUsage(trx, site.id, known),
    repo.unlockScheduleUsage(trx, site.id, known),
  ]);
  const repeated = repeatedInBatch(ids, idKey);
  return ids.map((id, index) => {
    if (id === undefined) return { messages: [] };
    const name = names.get(id);
    if (name === undefined) return { messages: [`Invalid schedule id: ${id}`] };
    const use = usage.get(id);
    if (use) {
      const others = use.levels - 1;
      const more = others === 0 ? '' : ` and ${others} other access level${others === 1 ? '' : 's'}`;
      return { messages: [`Schedule ${name} (id ${id}) is used by access level ${use.level}${more}`] };
    }
    const door = doorUsage.get(id);
    if (door !== undefined) return { messages: [`Schedule ${name} (id ${id}) is used by the unlock schedule of door ${door}`] };
    if (repeated[index]) return { ignored: true };
    return { plan: id };
  });
}

/** Deletes the passing schedules in one statement. */
export async function deleteSchedules(trx: Queryable, ids: number[], { site }: SiteCall): Promise<WriteCounts> {
  return { deleted: await repo.deleteSchedules(trx, site.id, ids) };
}
