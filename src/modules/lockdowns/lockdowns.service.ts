import type { Actor } from '../../audit/audit-log.ts';
import { writeTransaction } from '../../db/change-feed.ts';
import { storableIds } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import type { Insertable } from 'kysely';
import type { LockdownMode, LockdownPlanTable, LockdownScope } from '../../db/schema.ts';
import { existingIdsIn } from '../../db/site-lookups.ts';
import { repeatedInBatch } from '../../domain/batch-checks.ts';
import type { RecordCheck, SiteCall, WriteCounts } from '../../domain/batch.ts';
import { claimedKeys, nameConflicts } from '../../domain/name-conflicts.ts';
import { nameKey } from '../../domain/names.ts';
import type { Site } from '../../domain/site.ts';
import { signalDevices } from '../devices/device-commands.service.ts';
import { EVENT_CATEGORIES, EVENT_CODES } from '../../event-log/catalogue.ts';
import { type NewEvent, appendEvents } from '../../event-log/event-log.ts';
import { formatSiteTime } from '../../lib/site-time.ts';
import { type ModeChangeCall, sendDoorModes } from '../door-modes/mode-changes.service.ts';
import * as repo from './lockdowns.repository.ts';

export interface NewLockdown {
  name?: string | undefined;
  mode?: LockdownMode | undefined;
  priority?: number | undefined;
  locationId?: number | undefined;
  /** Undefined: not given; ids the schema refused are left out. */
  doorIds?: number[] | undefined;
  responders?: number[] | undefined;
  autoRevertSeconds?: number | undefined;
}

export type LockdownInsertPlan = {
  name: string;
  key: string;
  mode: LockdownMode;
  priority: number;
  locationId: number | null;
  doorIds: number[];
  responders: number[];
  autoRevertMs: number | null;
};

/** Every id of `ids` not in `known`, as "Invalid <field>: …" messages. */
const unknownIds = (field: string, ids: number[] | undefined, known: Set<number>) =>
  (ids ?? []).filter((id) => !known.has(id)).map((id) => `Invalid ${field}: ${id}`);

/** Name unique; at most one of location_id and door_ids, naming the site's; responders the site's levels. */
export async function checkNewLockdowns(trx: Queryable, inputs: NewLockdown[], { site }: SiteCall): Promise<RecordCheck<LockdownInsertPlan>[]> {
  const claims = inputs.map((i) => ({ name: i.name }));
  const [owners, locations, doors, levels] = await Promise.all([
    repo.nameKeyOwners(trx, site.id, claimedKeys(claims)),
    existingIdsIn(trx, 'location', site.id, storableIds(inputs.map((i) => i.locationId))),
    existingIdsIn(trx, 'door', site.id, storableIds(inputs.flatMap((i) => i.doorIds ?? []))),
    existingIdsIn(trx, 'access_level', site.id, storableIds(inputs.flatMap((i) => i.responders ?? []))),
  ]);
  const names = nameConflicts('Lockdown Plan', claims, owners);
  return inputs.map((input, index) => {
    const messages = [names[index]].filter((m) => m !== undefined);
    if (input.locationId !== undefined && input.doorIds !== undefined) messages.push('Only one of location_id and door_ids may be given');
    if (input.locationId !== undefined && !locations.has(input.locationId)) messages.push(`Invalid location_id: ${input.locationId}`);
    if (input.doorIds?.length === 0) messages.push('door_ids cannot be empty');
    messages.push(...unknownIds('door id', input.doorIds, doors), ...unknownIds('responder access level id', input.responders, levels));
    if (messages.length > 0 || input.name === undefined) return { messages };
    return {
      plan: {
        name: input.name.trim(),
        key: nameKey(input.name),
        mode: input.mode ?? 'lockdown',
        priority: input.priority ?? 0,
        locationId: input.locationId ?? null,
        doorIds: [...new Set(input.doorIds ?? [])],
        responders: [...new Set(input.responders ?? [])],
        autoRevertMs: input.autoRevertSeconds === undefined ? null : input.autoRevertSeconds * 1000,
      },
    };
  });
}

export async function insertLockdowns(trx: Queryable, plans: LockdownInsertPlan[], { site, clock }: SiteCall): Promise<WriteCounts> {
  const ids: number[] = [];
  for (const p of plans) {
    const scope: LockdownScope = p.locationId !== null ? 'location' : p.doorIds.length > 0 ? 'doors' : 'site';
    const row = {
      site_id: site.id,
      name: p.name,
      name_key: p.key,
      mode: p.mode,
      priority: p.priority,
      scope,
      location_id: p.locationId,
      auto_revert_ms: p.autoRevertMs,
      created_at: clock.now(),
    };
    ids.push(await repo.insertLockdown(trx, row, p.doorIds, p.responders));
  }
  return { inserted: plans.length, ids };
}

/** The id names a plan of the site that is not started. */
export async function checkLockdownDeletions(trx: Queryable, ids: (number | undefined)[], { site }: SiteCall): Promise<RecordCheck<number>[]> {
  const plans = new Map((await repo.findLockdowns(trx, site.id, storableIds(ids), [])).map((p) => [p.id, p]));
  const repeated = repeatedInBatch(ids, (id) => (id === undefined ? undefined : String(id)));
  return ids.map((id, index) => {
    if (id === undefined) return { messages: [] };
    const plan = plans.get(id);
    if (!plan) return { messages: [`Invalid lockdown plan id: ${id}`] };
    if (plan.active_since !== null) return { messages: [`Lockdown plan ${plan.name} is started; clear it first`] };
    if (repeated[index]) return { ignored: true };
    return { plan: id };
  });
}

export async function deleteLockdowns(trx: Queryable, ids: number[], { site }: SiteCall): Promise<WriteCounts> {
  return { deleted: await repo.deleteLockdowns(trx, site.id, ids), ids };
}

/** A plan named by id or name. */
export interface PlanReference {
  id?: number | undefined;
  name?: string | undefined;
}

/**
 * Exactly one of id and name, naming a plan of the site, once in the batch. `wanted`: whether the action
 * is a start (a started plan is left alone) or a clear (a plan not started is left alone).
 */
async function checkPlanActions(
  trx: Queryable,
  inputs: PlanReference[],
  siteId: number,
  wanted: 'start' | 'clear',
): Promise<RecordCheck<repo.LockdownRow>[]> {
  const plans = await repo.findLockdowns(
    trx,
    siteId,
    storableIds(inputs.map((i) => i.id)),
    inputs.flatMap((i) => (i.name === undefined ? [] : [nameKey(i.name)])),
  );
  const found = inputs.map((i) =>
    i.id !== undefined ? plans.find((p) => p.id === i.id) : plans.find((p) => i.name !== undefined && p.name_key === nameKey(i.name)),
  );
  const repeated = repeatedInBatch(found, (p) => (p === undefined ? undefined : String(p.id)));
  return inputs.map((input, index) => {
    if ((input.id === undefined) === (input.name === undefined)) return { messages: ['Exactly one of id and name is required'] };
    const plan = found[index];
    if (!plan) return { messages: [input.id !== undefined ? `Invalid lockdown plan id: ${input.id}` : `Invalid lockdown plan name: ${input.name}`] };
    if (repeated[index]) return { messages: [`Lockdown Plan Duplicated In Batch: ${plan.name}`] };
    if ((plan.active_since !== null) === (wanted === 'start')) return { ignored: true };
    return { plan };
  });
}

export function checkStarts(trx: Queryable, inputs: PlanReference[], call: ModeChangeCall): Promise<RecordCheck<repo.LockdownRow>[]> {
  return checkPlanActions(trx, inputs, call.site.id, 'start');
}

export function checkClears(trx: Queryable, inputs: PlanReference[], call: ModeChangeCall): Promise<RecordCheck<repo.LockdownRow>[]> {
  return checkPlanActions(trx, inputs, call.site.id, 'clear');
}

/** Records each plan's start or clear as one event naming it and its doors' count, and tells the doors' devices their modes. */
async function announce(trx: Queryable, plans: repo.LockdownRow[], code: number, what: (plan: repo.LockdownRow) => string, call: ModeChangeCall) {
  const covered = new Set<number>();
  const events: NewEvent[] = [];
  for (const plan of plans) {
    const doors = await repo.coveredDoorIds(trx, call.site.id, plan);
    for (const id of doors) covered.add(id);
    events.push({
      siteId: call.site.id,
      code,
      category: EVENT_CATEGORIES.DOOR_MODE,
      detail: `${plan.mode === 'egress' ? 'Egress' : 'Lockdown'} '${plan.name}' (priority ${plan.priority}) ${what(plan)} by ${call.by}; ${doors.length} doors.`,
      hwTime: call.now,
      dbTime: call.now,
    });
  }
  await appendEvents(trx, events);
  await sendDoorModes(trx, [...covered], call);
}

/**
 * Starts the plans: from now, and until the auto-revert when the plan has one. Committed before it is
 * acknowledged (the batch's one transaction), so a crash after the answer cannot lose it.
 */
export async function startLockdowns(trx: Queryable, plans: repo.LockdownRow[], call: ModeChangeCall): Promise<WriteCounts> {
  const { site, now, by } = call;
  for (const plan of plans) {
    const until = plan.auto_revert_ms === null ? null : now + plan.auto_revert_ms;
    await repo.setActive(trx, site.id, [plan.id], { active_since: now, active_until: until, active_by: by });
  }
  const until = (plan: repo.LockdownRow) =>
    plan.auto_revert_ms === null ? 'started' : `started until ${formatSiteTime(now + plan.auto_revert_ms, site.timezone)}`;
  await announce(trx, plans, EVENT_CODES.LOCKDOWN_STARTED, until, call);
  return { processed: plans.length, ids: plans.map((p) => p.id) };
}

/** Clears the plans: the doors they covered fall back to the next plan, their override or their schedule. */
export async function clearLockdowns(trx: Queryable, plans: repo.LockdownRow[], call: ModeChangeCall): Promise<WriteCounts> {
  await repo.setActive(
    trx,
    call.site.id,
    plans.map((p) => p.id),
    { active_since: null, active_until: null, active_by: null },
  );
  await announce(trx, plans, EVENT_CODES.LOCKDOWN_CLEARED, () => 'cleared', call);
  return { processed: plans.length, ids: plans.map((p) => p.id) };
}

/**
 * The plan the panel face's emergency opening owns (docs/door-modes.md): egress over the doors of the locks
 * an emergency opened, at the highest priority, so they stay unlocked, not just opened once, until the
 * emergency is closed.
 */
export const PANEL_EMERGENCY_PLAN = 'BAS-IP emergency';
const PANEL_EMERGENCY_PRIORITY = 1000;

/** Who ends or starts the panel's emergency: the audit's actor and the name plans and events give. */
export interface PanelEmergencyCall {
  site: Site;
  actor: Actor;
  by: string;
  now: number;
}

/** Runs a change of the panel's emergency plan in one audited transaction and wakes the devices told. */
async function changePanelEmergency(
  db: Queryable,
  call: PanelEmergencyCall,
  action: 'start' | 'clear',
  change: (trx: Queryable, plan: repo.LockdownRow | undefined, modes: ModeChangeCall) => Promise<number | undefined>,
): Promise<void> {
  const modes: ModeChangeCall = { site: call.site, by: call.by, now: call.now, queued: new Set() };
  await writeTransaction(
    db,
    call.site.id,
    async (trx) => {
      const [plan] = await repo.findLockdowns(trx, call.site.id, [], [nameKey(PANEL_EMERGENCY_PLAN)]);
      return change(trx, plan, modes);
    },
    { of: (id) => (id === undefined ? undefined : { actor: call.actor, resource: 'lockdowns', action, recordIds: [id] }), at: call.now },
  );
  signalDevices(db, modes.queued);
}

/** Starts (or widens) the panel's emergency egress over these doors. */
export function startPanelEmergency(db: Queryable, call: PanelEmergencyCall, doorIds: number[]): Promise<void> {
  return changePanelEmergency(db, call, 'start', async (trx, existing, modes) => {
    let id = existing?.id;
    if (id === undefined) {
      const row: Insertable<LockdownPlanTable> = {
        site_id: call.site.id,
        name: PANEL_EMERGENCY_PLAN,
        name_key: nameKey(PANEL_EMERGENCY_PLAN),
        mode: 'egress',
        priority: PANEL_EMERGENCY_PRIORITY,
        scope: 'doors',
        created_at: call.now,
      };
      id = await repo.insertLockdown(trx, row, doorIds, []);
    } else await repo.addPlanDoors(trx, call.site.id, id, doorIds);
    const [plan] = await repo.findLockdowns(trx, call.site.id, [id], []);
    if (!plan) return undefined;
    if (plan.active_since === null) await repo.setActive(trx, call.site.id, [id], { active_since: call.now, active_until: null, active_by: call.by });
    await announce(trx, [plan], EVENT_CODES.LOCKDOWN_STARTED, () => 'started', modes);
    return id;
  });
}

/** Takes these doors out of the panel's emergency egress; it is cleared once it covers none. */
export function closePanelEmergency(db: Queryable, call: PanelEmergencyCall, doorIds: number[]): Promise<void> {
  return changePanelEmergency(db, call, 'clear', async (trx, plan, modes) => {
    if (!plan || plan.active_since === null) return undefined;
    const closing = plan.door_ids.filter((id) => doorIds.includes(id));
    if (closing.length === 0) return undefined;
    await repo.removePlanDoors(trx, call.site.id, plan.id, closing);
    if (closing.length === plan.door_ids.length) {
      await repo.setActive(trx, call.site.id, [plan.id], { active_since: null, active_until: null, active_by: null });
    }
    await appendEvents(trx, [
      {
        siteId: call.site.id,
        code: EVENT_CODES.LOCKDOWN_CLEARED,
        category: EVENT_CATEGORIES.DOOR_MODE,
        detail: `Egress '${plan.name}' (priority ${plan.priority}) cleared by ${call.by}; ${closing.length} doors.`,
        hwTime: call.now,
        dbTime: call.now,
      },
    ]);
    await sendDoorModes(trx, closing, modes);
    return plan.id;
  });
}
