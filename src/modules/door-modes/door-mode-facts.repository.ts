import type { DoorModeFacts, Holiday, LockdownFacts, UnlockRow } from '../../access/door-mode.ts';
import { storedTimeProfile } from '../../access/time-profile.ts';
import { fromFlag } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { groupBy } from '../../lib/group-by.ts';

/**
 * The door-mode facts of many doors at once, for the writes that change a door's mode (overrides,
 * lockdowns): what each door is in after the change is what its devices are told. A bounded number of
 * queries whatever the number of doors (ids in chunks), so a lockdown of a 2,000-door site stays one
 * short transaction.
 */

const IDS_PER_QUERY = 500;

async function inChunks<T>(ids: readonly number[], read: (chunk: number[]) => Promise<T[]>): Promise<T[]> {
  const rows: T[] = [];
  for (let start = 0; start < ids.length; start += IDS_PER_QUERY) rows.push(...(await read(ids.slice(start, start + IDS_PER_QUERY))));
  return rows;
}

/** The doors a started plan covers: the whole site, a location's doors, or its listed doors. */
export type PlanCoverage = { scope: 'site' } | { scope: 'location'; locationId: number } | { scope: 'doors'; doorIds: ReadonlySet<number> };

/** Whether a plan covers a door (`locationId` the door's). */
export function covers(coverage: PlanCoverage, doorId: number, locationId: number | null): boolean {
  if (coverage.scope === 'site') return true;
  if (coverage.scope === 'location') return coverage.locationId === locationId;
  return coverage.doorIds.has(doorId);
}

/** The site's started plans with what each covers. */
export async function startedPlans(db: Queryable, siteId: number): Promise<(LockdownFacts & { coverage: PlanCoverage })[]> {
  const plans = await db
    .selectFrom('lockdown_plan')
    .select(['id', 'name', 'mode', 'priority', 'scope', 'location_id', 'active_since', 'active_until', 'active_by'])
    .where('site_id', '=', siteId)
    .where('active_since', 'is not', null)
    .execute();
  if (plans.length === 0) return [];
  const ids = plans.map((p) => p.id);
  const [doors, responders] = await Promise.all([
    db.selectFrom('lockdown_plan_door').select(['plan_id', 'door_id']).where('site_id', '=', siteId).where('plan_id', 'in', ids).execute(),
    db
      .selectFrom('lockdown_plan_responder')
      .select(['plan_id', 'access_level_id'])
      .where('site_id', '=', siteId)
      .where('plan_id', 'in', ids)
      .execute(),
  ]);
  const doorsOf = groupBy(doors, (d) => d.plan_id);
  const respondersOf = groupBy(responders, (r) => r.plan_id);
  return plans.map((p) => ({
    id: p.id,
    name: p.name,
    mode: p.mode,
    priority: p.priority,
    since: p.active_since ?? 0,
    until: p.active_until,
    by: p.active_by,
    responderLevelIds: (respondersOf.get(p.id) ?? []).map((r) => r.access_level_id),
    coverage:
      p.scope === 'site'
        ? { scope: 'site' }
        : p.scope === 'location' && p.location_id !== null
          ? { scope: 'location', locationId: p.location_id }
          : { scope: 'doors', doorIds: new Set((doorsOf.get(p.id) ?? []).map((d) => d.door_id)) },
  }));
}

/** Each of these doors of the site with its door-mode facts; a door of another site is left out. */
export async function doorModeFactsOf(db: Queryable, siteId: number, doorIds: readonly number[]): Promise<Map<number, DoorModeFacts>> {
  const [doors, unlockRows, holidays, overrides, firstIns, firstInLevels, plans] = await Promise.all([
    inChunks(doorIds, (chunk) =>
      db.selectFrom('door').select(['id', 'location_id']).where('site_id', '=', siteId).where('id', 'in', chunk).execute(),
    ),
    inChunks(doorIds, (chunk) =>
      db
        .selectFrom('door_mode_schedule as m')
        .innerJoin('schedule as s', 's.id', 'm.schedule_id')
        .select(['m.door_id', 'm.mode', 'm.first_person_in', 's.id', 's.name', 's.d0', 's.d1', 's.d2', 's.d3', 's.d4', 's.d5', 's.d6'])
        .select(['s.start_time', 's.stop_time', 's.rule'])
        .where('m.site_id', '=', siteId)
        .where('m.door_id', 'in', chunk)
        .execute(),
    ),
    db.selectFrom('holiday').select(['name', 'start_date', 'end_date', 'yearly']).where('site_id', '=', siteId).execute(),
    inChunks(doorIds, (chunk) =>
      db
        .selectFrom('door_override')
        .select(['door_id', 'mode', 'since', 'until', 'actor'])
        .where('site_id', '=', siteId)
        .where('door_id', 'in', chunk)
        .execute(),
    ),
    inChunks(doorIds, (chunk) =>
      db
        .selectFrom('door_first_in')
        .select((eb) => ['door_id', eb.fn.max('day').as('day')])
        .where('site_id', '=', siteId)
        .where('door_id', 'in', chunk)
        .groupBy('door_id')
        .execute(),
    ),
    db.selectFrom('access_level').select('id').where('site_id', '=', siteId).where('first_person_in', '=', 1).execute(),
    startedPlans(db, siteId),
  ]);
  const calendar: Holiday[] = holidays.map((h) => ({ name: h.name, start: h.start_date, end: h.end_date, yearly: fromFlag(h.yearly) }));
  const rowsOf = groupBy(unlockRows, (r) => r.door_id);
  const overrideOf = new Map(overrides.map((o) => [o.door_id, o]));
  const firstInOf = new Map(firstIns.map((f) => [f.door_id, f.day]));
  const firstInLevelIds = firstInLevels.map((l) => l.id);
  return new Map(
    doors.map((door) => {
      const override = overrideOf.get(door.id);
      const facts: DoorModeFacts = {
        unlockRows: (rowsOf.get(door.id) ?? []).map(
          (r): UnlockRow => ({
            mode: r.mode,
            firstPersonIn: fromFlag(r.first_person_in),
            schedule: {
              id: r.id,
              name: r.name,
              days: [r.d0, r.d1, r.d2, r.d3, r.d4, r.d5, r.d6].map((d) => d === 1),
              start: r.start_time,
              stop: r.stop_time,
              rule: r.rule === null ? undefined : storedTimeProfile(r.rule),
            },
          }),
        ),
        holidays: calendar,
        override: override ? { mode: override.mode, since: override.since, until: override.until, actor: override.actor } : null,
        lockdowns: plans.filter((p) => covers(p.coverage, door.id, door.location_id)),
        lastFirstIn: firstInOf.get(door.id) ?? null,
        firstInLevelIds,
      };
      return [door.id, facts];
    }),
  );
}
