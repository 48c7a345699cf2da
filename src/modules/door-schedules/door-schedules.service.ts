import { storableIds, toFlag } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import type { StoredDoorMode } from '../../db/schema.ts';
import { existingIdsIn } from '../../db/site-lookups.ts';
import { repeatedInBatch } from '../../domain/batch-checks.ts';
import type { RecordCheck, SiteCall, WriteCounts } from '../../domain/batch.ts';
import * as repo from './door-schedules.repository.ts';

export interface NewDoorSchedule {
  doorId?: number | undefined;
  scheduleId?: number | undefined;
  mode?: StoredDoorMode | undefined;
  firstPersonIn?: boolean | undefined;
}

export interface DoorScheduleChange {
  id?: number | undefined;
  mode?: StoredDoorMode | undefined;
  firstPersonIn?: boolean | undefined;
}

export type DoorScheduleInsertPlan = { doorId: number; scheduleId: number; mode: StoredDoorMode; firstPersonIn: boolean };
export type DoorScheduleUpdatePlan = { id: number; changes: repo.DoorScheduleChanges };

/** First person in holds back an unlocking only: on any other mode it would mean nothing. */
const firstInProblem = (mode: StoredDoorMode, firstPersonIn: boolean) =>
  firstPersonIn && mode !== 'unlocked' ? [`first_person_in requires mode unlocked: ${mode}`] : [];

/** Door and schedule of the site; each pair once, in the store and the batch. */
export async function checkNewDoorSchedules(
  trx: Queryable,
  inputs: NewDoorSchedule[],
  { site }: SiteCall,
): Promise<RecordCheck<DoorScheduleInsertPlan>[]> {
  const doorIds = storableIds(inputs.map((i) => i.doorId));
  const [doors, schedules, taken] = await Promise.all([
    existingIdsIn(trx, 'door', site.id, doorIds),
    existingIdsIn(trx, 'schedule', site.id, storableIds(inputs.map((i) => i.scheduleId))),
    repo.takenPairs(trx, site.id, doorIds),
  ]);
  const pairOf = (i: NewDoorSchedule) => (i.doorId === undefined || i.scheduleId === undefined ? undefined : `${i.doorId}:${i.scheduleId}`);
  const repeated = repeatedInBatch(inputs, pairOf);
  return inputs.map((input, index) => {
    const messages: string[] = [];
    if (input.doorId !== undefined && !doors.has(input.doorId)) messages.push(`Invalid door_id: ${input.doorId}`);
    if (input.scheduleId !== undefined && !schedules.has(input.scheduleId)) messages.push(`Invalid schedule_id: ${input.scheduleId}`);
    const { doorId, scheduleId, mode } = input;
    if (messages.length > 0 || doorId === undefined || scheduleId === undefined || mode === undefined) return { messages };
    const pair = `${doorId}:${scheduleId}`;
    if (taken.has(pair)) messages.push(`Door Schedule Already Exists: door ${doorId}, schedule ${scheduleId}`);
    else if (repeated[index]) messages.push(`Door Schedule Duplicated In Batch: door ${doorId}, schedule ${scheduleId}`);
    const firstPersonIn = input.firstPersonIn ?? false;
    messages.push(...firstInProblem(mode, firstPersonIn));
    return messages.length > 0 ? { messages } : { plan: { doorId, scheduleId, mode, firstPersonIn } };
  });
}

export async function insertDoorSchedules(trx: Queryable, plans: DoorScheduleInsertPlan[], { site, clock }: SiteCall): Promise<WriteCounts> {
  const now = clock.now();
  const ids = await repo.insertDoorSchedules(
    trx,
    plans.map((p) => ({
      site_id: site.id,
      door_id: p.doorId,
      schedule_id: p.scheduleId,
      mode: p.mode,
      first_person_in: toFlag(p.firstPersonIn),
      created_at: now,
    })),
  );
  return { inserted: plans.length, ids };
}

/** The id names a door unlock schedule of the site once in the batch; mode and first person in agree afterwards. */
export async function checkDoorScheduleChanges(
  trx: Queryable,
  inputs: DoorScheduleChange[],
  { site }: SiteCall,
): Promise<RecordCheck<DoorScheduleUpdatePlan>[]> {
  const stored = await repo.findDoorSchedules(trx, site.id, storableIds(inputs.map((i) => i.id)));
  const repeated = repeatedInBatch(inputs, (i) => (i.id === undefined ? undefined : String(i.id)));
  return inputs.map((input, index) => {
    if (input.id === undefined) return { messages: [] };
    const row = stored.get(input.id);
    if (!row) return { messages: [`Invalid door schedule id: ${input.id}`] };
    if (repeated[index]) return { messages: [`Door Schedule id Duplicated In Batch: ${input.id}`] };
    const mode = input.mode ?? row.mode;
    const messages = firstInProblem(mode, input.firstPersonIn ?? row.first_person_in === 1);
    if (messages.length > 0) return { messages };
    const changes: repo.DoorScheduleChanges = {};
    if (input.mode !== undefined) changes.mode = input.mode;
    if (input.firstPersonIn !== undefined) changes.first_person_in = toFlag(input.firstPersonIn);
    return { plan: { id: input.id, changes } };
  });
}

export async function updateDoorSchedules(trx: Queryable, plans: DoorScheduleUpdatePlan[], { site }: SiteCall): Promise<WriteCounts> {
  for (const plan of plans) {
    if (Object.keys(plan.changes).length > 0) await repo.updateDoorSchedule(trx, site.id, plan.id, plan.changes);
  }
  return { updated: plans.length, ids: plans.map((p) => p.id) };
}

export async function checkDoorScheduleDeletions(trx: Queryable, ids: (number | undefined)[], { site }: SiteCall): Promise<RecordCheck<number>[]> {
  const stored = await repo.findDoorSchedules(trx, site.id, storableIds(ids));
  const repeated = repeatedInBatch(ids, (id) => (id === undefined ? undefined : String(id)));
  return ids.map((id, index) => {
    if (id === undefined) return { messages: [] };
    if (!stored.has(id)) return { messages: [`Invalid door schedule id: ${id}`] };
    if (repeated[index]) return { ignored: true };
    return { plan: id };
  });
}

export async function deleteDoorSchedules(trx: Queryable, ids: number[], { site }: SiteCall): Promise<WriteCounts> {
  return { deleted: await repo.deleteDoorSchedules(trx, site.id, ids), ids };
}
