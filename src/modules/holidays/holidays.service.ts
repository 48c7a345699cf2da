import { storableIds, toFlag } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { repeatedInBatch } from '../../domain/batch-checks.ts';
import type { RecordCheck, SiteCall, WriteCounts } from '../../domain/batch.ts';
import { claimedKeys, nameConflicts } from '../../domain/name-conflicts.ts';
import { nameKey } from '../../domain/names.ts';
import * as repo from './holidays.repository.ts';

/** A holiday's fields as sent; undefined: not supplied (or refused by the record's schema). */
export interface HolidayFields {
  name?: string | undefined;
  /** `YYYY-MM-DD`, in form already (the schema's pattern); whether the day exists is checked here. */
  startDate?: string | undefined;
  endDate?: string | undefined;
  yearly?: boolean | undefined;
}

export interface HolidayChange extends HolidayFields {
  id?: number | undefined;
}

export type HolidayInsertPlan = { name: string; key: string; startDate: string; endDate: string; yearly: boolean };
export type HolidayUpdatePlan = { id: number; changes: repo.HolidayChanges };

/** Whether `YYYY-MM-DD` names a day of the calendar (not 2026-02-30). */
function isCalendarDay(date: string): boolean {
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === date;
}

/**
 * The problems of one holiday's days: each a real day, and the end not before the start, except that a
 * yearly holiday may run over the new year (its end's month-day before its start's).
 */
function dateProblems(start: string, end: string, yearly: boolean, sent: HolidayFields): string[] {
  const messages: string[] = [];
  if (sent.startDate !== undefined && !isCalendarDay(sent.startDate)) messages.push(`Invalid start_date found: ${sent.startDate}`);
  if (sent.endDate !== undefined && !isCalendarDay(sent.endDate)) messages.push(`Invalid end_date found: ${sent.endDate}`);
  if (messages.length === 0 && !yearly && end < start) messages.push(`end_date ${end} is before start_date ${start}`);
  return messages;
}

/** Name unique in the site and the batch; days that exist, in order. */
export async function checkNewHolidays(trx: Queryable, inputs: HolidayFields[], { site }: SiteCall): Promise<RecordCheck<HolidayInsertPlan>[]> {
  const claims = inputs.map((i) => ({ name: i.name }));
  const names = nameConflicts('Holiday', claims, await repo.nameKeyOwners(trx, site.id, claimedKeys(claims)));
  return inputs.map((input, index) => {
    const nameProblem = names[index];
    const { name, startDate } = input;
    if (name === undefined || startDate === undefined) return { messages: nameProblem ? [nameProblem] : [] };
    const endDate = input.endDate ?? startDate;
    const yearly = input.yearly ?? false;
    const messages = [...(nameProblem ? [nameProblem] : []), ...dateProblems(startDate, endDate, yearly, input)];
    if (messages.length > 0) return { messages };
    return { plan: { name: name.trim(), key: nameKey(name), startDate, endDate, yearly } };
  });
}

export async function insertHolidays(trx: Queryable, plans: HolidayInsertPlan[], { site, clock }: SiteCall): Promise<WriteCounts> {
  const now = clock.now();
  await repo.insertHolidays(
    trx,
    plans.map((p) => ({
      site_id: site.id,
      name: p.name,
      name_key: p.key,
      start_date: p.startDate,
      end_date: p.endDate,
      yearly: toFlag(p.yearly),
      created_at: now,
    })),
  );
  return { inserted: plans.length };
}

/** The id names a holiday of the site once in the batch; the days as they will be after the change are checked. */
export async function checkHolidayChanges(trx: Queryable, inputs: HolidayChange[], { site }: SiteCall): Promise<RecordCheck<HolidayUpdatePlan>[]> {
  const claims = inputs.map((i) => ({ name: i.name, id: i.id }));
  const [stored, owners] = await Promise.all([
    repo.findHolidays(trx, site.id, storableIds(inputs.map((i) => i.id))),
    repo.nameKeyOwners(trx, site.id, claimedKeys(claims)),
  ]);
  const names = nameConflicts('Holiday', claims, owners);
  const repeated = repeatedInBatch(inputs, (i) => (i.id === undefined ? undefined : String(i.id)));
  return inputs.map((input, index) => {
    if (input.id === undefined) return { messages: [] };
    const row = stored.get(input.id);
    if (!row) return { messages: [`Invalid holiday id: ${input.id}`] };
    if (repeated[index]) return { messages: [`Holiday id Duplicated In Batch: ${input.id}`] };
    const nameProblem = names[index];
    const start = input.startDate ?? row.start_date;
    const yearly = input.yearly ?? row.yearly === 1;
    const messages = [...(nameProblem ? [nameProblem] : []), ...dateProblems(start, input.endDate ?? row.end_date, yearly, input)];
    if (messages.length > 0) return { messages };
    const changes: repo.HolidayChanges = {};
    if (input.name !== undefined) {
      changes.name = input.name.trim();
      changes.name_key = nameKey(input.name);
    }
    if (input.startDate !== undefined) changes.start_date = input.startDate;
    if (input.endDate !== undefined) changes.end_date = input.endDate;
    if (input.yearly !== undefined) changes.yearly = toFlag(input.yearly);
    return { plan: { id: input.id, changes } };
  });
}

export async function updateHolidays(trx: Queryable, plans: HolidayUpdatePlan[], { site }: SiteCall): Promise<WriteCounts> {
  for (const plan of plans) {
    if (Object.keys(plan.changes).length > 0) await repo.updateHoliday(trx, site.id, plan.id, plan.changes);
  }
  return { updated: plans.length, ids: plans.map((p) => p.id) };
}

export async function checkHolidayDeletions(trx: Queryable, ids: (number | undefined)[], { site }: SiteCall): Promise<RecordCheck<number>[]> {
  const stored = await repo.findHolidays(trx, site.id, storableIds(ids));
  const repeated = repeatedInBatch(ids, (id) => (id === undefined ? undefined : String(id)));
  return ids.map((id, index) => {
    if (id === undefined) return { messages: [] };
    if (!stored.has(id)) return { messages: [`Invalid holiday id: ${id}`] };
    if (repeated[index]) return { ignored: true };
    return { plan: id };
  });
}

export async function deleteHolidays(trx: Queryable, ids: number[], { site }: SiteCall): Promise<WriteCounts> {
  return { deleted: await repo.deleteHolidays(trx, site.id, ids), ids };
}
