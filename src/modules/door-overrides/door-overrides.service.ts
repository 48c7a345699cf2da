import { type DoorMode, nextModeChange } from '../../access/door-mode.ts';
import { storableIds } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { existingIdsIn } from '../../db/site-lookups.ts';
import { repeatedInBatch } from '../../domain/batch-checks.ts';
import type { RecordCheck, WriteCounts } from '../../domain/batch.ts';
import { EVENT_CATEGORIES, EVENT_CODES } from '../../event-log/catalogue.ts';
import { type NewEvent, appendEvents } from '../../event-log/event-log.ts';
import { formatSiteTime, parseWireTime } from '../../lib/site-time.ts';
import { showValue } from '../../lib/show-value.ts';
import { type ModeChangeCall, doorModeFactsOf, sendDoorModes } from '../door-modes/mode-changes.service.ts';
import * as repo from './door-overrides.repository.ts';

/** Where an override applies: one door, or every door of a location. */
export interface OverrideTarget {
  doorId?: number | undefined;
  locationId?: number | undefined;
}

export interface OverrideInput extends OverrideTarget {
  mode?: DoorMode | undefined;
  /** As sent (a wire time or ""); read in the site's zone by the check. */
  until?: string | null | undefined;
  untilNextChange?: boolean | undefined;
}

/** When an override ends: at an instant, at each door's next schedule change, or when returned to schedule (null). */
type OverrideEnd = number | 'next_change' | null;

export type OverridePlan = { doors: repo.OverrideDoorRow[]; mode: DoorMode; until: OverrideEnd };

/** The key a target is repeated under in a batch. */
const targetKey = (t: OverrideTarget) =>
  t.doorId !== undefined ? `door ${t.doorId}` : t.locationId !== undefined ? `location ${t.locationId}` : undefined;

/**
 * Exactly one of door_id and location_id, naming a door or a location with doors of the site; each
 * target once in the batch. Answers the messages, or the doors it covers.
 */
async function resolveTargets(
  trx: Queryable,
  siteId: number,
  targets: OverrideTarget[],
): Promise<({ messages: string[] } | { doors: repo.OverrideDoorRow[] })[]> {
  const doorIds = storableIds(targets.map((t) => t.doorId));
  const locationIds = storableIds(targets.map((t) => t.locationId));
  const [doors, locations] = await Promise.all([
    repo.doorsFor(trx, siteId, doorIds, locationIds),
    existingIdsIn(trx, 'location', siteId, locationIds),
  ]);
  const repeated = repeatedInBatch(targets, targetKey);
  return targets.map((target, index) => {
    if ((target.doorId === undefined) === (target.locationId === undefined))
      return { messages: ['Exactly one of door_id and location_id is required'] };
    if (target.doorId !== undefined) {
      const door = doors.find((d) => d.id === target.doorId);
      if (!door) return { messages: [`Invalid door_id: ${target.doorId}`] };
      if (repeated[index]) return { messages: [`Door id Duplicated In Batch: ${target.doorId}`] };
      return { doors: [door] };
    }
    if (!locations.has(target.locationId ?? 0)) return { messages: [`Invalid location_id: ${target.locationId}`] };
    if (repeated[index]) return { messages: [`Location id Duplicated In Batch: ${target.locationId}`] };
    const inLocation = doors.filter((d) => d.location_id === target.locationId);
    if (inLocation.length === 0) return { messages: [`No doors in location_id: ${target.locationId}`] };
    return { doors: inLocation };
  });
}

/** The end an override asks for: a time still ahead, the next schedule change, or none; never both. */
function overrideEnd(input: OverrideInput, call: ModeChangeCall): { messages: string[] } | { until: OverrideEnd } {
  if (input.untilNextChange === true) {
    if (input.until !== undefined && input.until !== null && input.until !== '')
      return { messages: ['Only one of until and until_next_change may be given'] };
    return { until: 'next_change' };
  }
  if (input.until === undefined) return { until: null };
  const parsed = parseWireTime(input.until, call.site.timezone);
  if (!parsed.ok) return { messages: [`Invalid until date found: ${showValue(input.until)}`] };
  if (parsed.value !== null && parsed.value <= call.now) return { messages: [`until is not in the future: ${input.until}`] };
  return { until: parsed.value };
}

/** Targets as for any override, a mode, and an end ahead. */
export async function checkOverrides(trx: Queryable, inputs: OverrideInput[], call: ModeChangeCall): Promise<RecordCheck<OverridePlan>[]> {
  const targets = await resolveTargets(trx, call.site.id, inputs);
  return inputs.map((input, index) => {
    const target = targets[index];
    const end = overrideEnd(input, call);
    const messages = [...(target && 'messages' in target ? target.messages : []), ...('messages' in end ? end.messages : [])];
    if (messages.length > 0 || !target || !('doors' in target) || !('until' in end) || input.mode === undefined) return { messages };
    return { plan: { doors: target.doors, mode: input.mode, until: end.until } };
  });
}

/** "until 2026-12-05 18:00:00", "until returned to schedule". */
const endText = (until: number | null, zone: string) => (until === null ? 'until returned to schedule' : `until ${formatSiteTime(until, zone)}`);

/** One door's override (or its end) as an event. */
function overrideEvent(code: number, door: repo.OverrideDoorRow, detail: string, call: ModeChangeCall): NewEvent {
  return {
    siteId: call.site.id,
    code,
    category: EVENT_CATEGORIES.DOOR_MODE,
    doorId: door.id,
    doorName: door.name,
    locationName: door.location_name ?? '',
    detail,
    hwTime: call.now,
    dbTime: call.now,
  };
}

/**
 * Sets each door's override (replacing one it had), records it as an event per door, and tells the doors'
 * devices their mode. "Until the next schedule change" is each door's own (the engine's nextModeChange);
 * a door whose schedule does not change within a year keeps the override until returned to schedule.
 */
export async function setOverrides(trx: Queryable, plans: OverridePlan[], call: ModeChangeCall): Promise<WriteCounts> {
  const { site, now, by } = call;
  const nextChanges = plans.some((p) => p.until === 'next_change')
    ? await doorModeFactsOf(
        trx,
        site.id,
        plans.filter((p) => p.until === 'next_change').flatMap((p) => p.doors.map((d) => d.id)),
      )
    : new Map();
  const rows = plans.flatMap((plan) =>
    plan.doors.map((door) => {
      const facts = nextChanges.get(door.id);
      const until = plan.until === 'next_change' ? (facts ? nextModeChange(facts, now, site.timezone) : null) : plan.until;
      return { door, row: { door_id: door.id, site_id: site.id, mode: plan.mode, since: now, until, actor: by } };
    }),
  );
  await repo.upsertOverrides(
    trx,
    rows.map((r) => r.row),
  );
  await appendEvents(
    trx,
    rows.map(({ door, row }) =>
      overrideEvent(EVENT_CODES.DOOR_OVERRIDDEN, door, `Door mode overridden to ${row.mode} ${endText(row.until, site.timezone)} by ${by}.`, call),
    ),
  );
  const doorIds = rows.map((r) => r.door.id);
  await sendDoorModes(trx, doorIds, call);
  return { processed: doorIds.length, ids: doorIds };
}

/** The doors named (one, or a location's) that have an override; none overridden: nothing to do. */
export async function checkReturns(trx: Queryable, inputs: OverrideTarget[], call: ModeChangeCall): Promise<RecordCheck<repo.OverrideDoorRow[]>[]> {
  const targets = await resolveTargets(trx, call.site.id, inputs);
  return targets.map((target) => {
    if ('messages' in target) return target;
    const overridden = target.doors.filter((d) => d.overridden !== null);
    return overridden.length === 0 ? { ignored: true } : { plan: overridden };
  });
}

/** Removes the overrides, records each door's return to schedule, and tells the devices their mode now. */
export async function returnToSchedule(trx: Queryable, plans: repo.OverrideDoorRow[][], call: ModeChangeCall): Promise<WriteCounts> {
  const doors = [...new Map(plans.flat().map((d) => [d.id, d])).values()];
  const doorIds = doors.map((d) => d.id);
  await repo.deleteOverrides(trx, call.site.id, doorIds);
  await appendEvents(
    trx,
    doors.map((door) => overrideEvent(EVENT_CODES.DOOR_RETURNED_TO_SCHEDULE, door, `Door returned to schedule by ${call.by}.`, call)),
  );
  await sendDoorModes(trx, doorIds, call);
  return { processed: doorIds.length, ids: doorIds };
}
