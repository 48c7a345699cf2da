import { DateTime } from 'luxon';
import type { LockdownMode, StoredDoorMode } from '../db/schema.ts';
import { type NamedSchedule, isWindowActive, scheduleAdmits, wallClock } from './schedule.ts';

/**
 * Door modes (docs/door-modes.md, "The engine"): what a door does by itself at an instant, apart from who
 * may open it. Pure: the caller gathers the facts, `doorModeAt` resolves them in this order, the first
 * that holds deciding:
 * 1. the active lockdown plan of highest priority covering the door (lockdown → `locked`, egress →
 *    `unlocked`); clearing it reveals the next;
 * 2. the door's override, until its end;
 * 3. the door's unlock schedule rows active now, and the BAS-IP free-access windows of the panel locks it
 *    sits behind (each an `unlocked` row), none of them on a holiday (site-local date); of several, the
 *    most restrictive (locked > card_and_pin > unlocked: fail closed). An `unlocked` row with first
 *    person in holds only once today's first person in is recorded; until then it counts as
 *    `access_controlled`, still more restrictive than `unlocked`;
 * 4. `access_controlled`.
 */

export type DoorMode = 'access_controlled' | StoredDoorMode;

/** One row of a door's unlock schedule: while `schedule` is active, the door is in `mode`. */
export interface UnlockRow {
  mode: StoredDoorMode;
  /** An `unlocked` row that waits each day for a first-person-in holder to be granted at the door. */
  firstPersonIn: boolean;
  schedule: NamedSchedule;
}

/** A dated exception: `YYYY-MM-DD`, site-local, both ends included; `yearly` repeats it from its first year on. */
export interface Holiday {
  name: string;
  start: string;
  end: string;
  yearly: boolean;
}

/**
 * A weekly window in which a lock's doors open to anyone (a BAS-IP panel's free access): one weekday
 * (0 = Monday), from `from` to `to` seconds after midnight (`to` included; before `from`: it ends the
 * next day), wall-clock time in the site's zone.
 */
export interface FreeAccessWindow {
  weekday: number;
  from: number;
  to: number;
}

/** A free-access window of a panel lock (by number) the door sits behind: the door is `unlocked` in it. */
export interface FreeAccessFacts {
  lock: number;
  window: FreeAccessWindow;
}

/** An operator's override of the door; `until` null: until returned to schedule. */
export interface OverrideFacts {
  mode: DoorMode;
  since: number;
  until: number | null;
  actor: string;
}

/** A started lockdown or egress plan covering the door. */
export interface LockdownFacts {
  id: number;
  name: string;
  mode: LockdownMode;
  priority: number;
  since: number;
  until: number | null;
  by: string | null;
  /** Access levels whose holders still pass a `lockdown`. */
  responderLevelIds: readonly number[];
}

export interface DoorModeFacts {
  unlockRows: readonly UnlockRow[];
  /** The site's free-access windows (src/access/panel-rules.ts) of each panel lock a device drives the door under. */
  freeAccess: readonly FreeAccessFacts[];
  holidays: readonly Holiday[];
  override: OverrideFacts | null;
  /** Started plans covering the door, whether or not `at` is inside them. */
  lockdowns: readonly LockdownFacts[];
  /** The site-local day (`YYYY-MM-DD`) of the door's last first person in, or null. */
  lastFirstIn: string | null;
  /** The site's access levels flagged first person in. */
  firstInLevelIds: readonly number[];
}

/** A door with no facts of its own: access controlled, always. */
export const NO_DOOR_MODE: DoorModeFacts = {
  unlockRows: [],
  freeAccess: [],
  holidays: [],
  override: null,
  lockdowns: [],
  lastFirstIn: null,
  firstInLevelIds: [],
};

/** What decided a door's mode. */
export type ModeCause =
  | {
      via: 'lockdown';
      planId: number;
      name: string;
      mode: LockdownMode;
      priority: number;
      since: number;
      by: string | null;
      responderLevelIds: readonly number[];
    }
  | { via: 'override'; actor: string; since: number; until: number | null }
  /** `suspends`: what the holiday set aside, unlock schedule rows, free-access windows or both. */
  | { via: 'holiday'; name: string; suspends: readonly ('schedule' | 'free_access')[] }
  | { via: 'schedule'; scheduleId: number; scheduleName: string }
  /** A BAS-IP free-access window of panel lock `lock`, open until `until`. */
  | { via: 'free_access'; lock: number; until: number }
  | { via: 'first_person_in_pending'; scheduleId: number; scheduleName: string }
  | { via: 'default' };

export interface ResolvedMode {
  mode: DoorMode;
  cause: ModeCause;
}

/** Most restrictive first: when several unlock rows are active, the earliest of these wins. */
const RESTRICTIVENESS: readonly DoorMode[] = ['locked', 'card_and_pin', 'access_controlled', 'unlocked'];

/** The site-local date of an instant, `YYYY-MM-DD`. */
export function siteDay(at: number, zone: string): string {
  return DateTime.fromMillis(at, { zone }).toISODate() ?? '';
}

/** Whether a holiday covers a site-local date. */
function covers(holiday: Holiday, day: string): boolean {
  if (!holiday.yearly) return holiday.start <= day && day <= holiday.end;
  if (day < holiday.start) return false;
  const monthDay = day.slice(5);
  const from = holiday.start.slice(5);
  const to = holiday.end.slice(5);
  // A yearly range may span New Year (12-24 … 01-02).
  return from <= to ? from <= monthDay && monthDay <= to : monthDay >= from || monthDay <= to;
}

/** The holiday covering the site-local date of `at`, if any. */
export function holidayAt(holidays: readonly Holiday[], at: number, zone: string): Holiday | undefined {
  const day = siteDay(at, zone);
  return holidays.find((holiday) => covers(holiday, day));
}

/** Whether a plan is in force at `at`. */
const inForce = (plan: LockdownFacts, at: number) => plan.since <= at && (plan.until === null || at < plan.until);

/** Whether a free-access window is open at `at`, read in `zone`. */
const windowOpen = ({ weekday, from, to }: FreeAccessWindow, at: number, zone: string) =>
  isWindowActive(
    Array.from({ length: 7 }, (_, day) => day === weekday),
    from,
    to,
    at,
    zone,
  );

const DAY_SECONDS = 86_400;

/**
 * The instant an open free-access window closes: the wall-clock second after its `to`, on the day it
 * started or (spanning midnight, or ending at 23:59:59) the next; a close in a skipped hour moves on with the clocks.
 */
function windowEnd({ from, to }: FreeAccessWindow, at: number, zone: string): number {
  const local = DateTime.fromMillis(at, { zone });
  // After midnight in a window spanning it: it started yesterday.
  const started = from > to && wallClock(at, zone).second <= to ? local.minus({ days: 1 }) : local;
  const endSecond = to + 1 + (from > to ? DAY_SECONDS : 0);
  const day = started.startOf('day').plus({ days: Math.floor(endSecond / DAY_SECONDS) });
  const second = endSecond % DAY_SECONDS;
  return day.set({ hour: Math.floor(second / 3600), minute: Math.floor((second % 3600) / 60), second: second % 60 }).toMillis();
}

/**
 * The mode the unlock schedule and free access (with holidays and first person in) give at `at`:
 * overrides and plans aside. Each open free-access window counts as an `unlocked` row.
 */
export function scheduledModeAt(facts: DoorModeFacts, at: number, zone: string): ResolvedMode {
  const active = facts.unlockRows.filter((row) => scheduleAdmits(row.schedule, at, zone));
  const free = facts.freeAccess.filter((f) => windowOpen(f.window, at, zone));
  if (active.length === 0 && free.length === 0) return { mode: 'access_controlled', cause: { via: 'default' } };
  const holiday = holidayAt(facts.holidays, at, zone);
  if (holiday) {
    const suspends: ('schedule' | 'free_access')[] = [];
    if (active.length > 0) suspends.push('schedule');
    if (free.length > 0) suspends.push('free_access');
    return { mode: 'access_controlled', cause: { via: 'holiday', name: holiday.name, suspends } };
  }
  const today = siteDay(at, zone);
  const resolved = active.map((row): ResolvedMode => {
    const schedule = { scheduleId: row.schedule.id, scheduleName: row.schedule.name };
    if (row.mode === 'unlocked' && row.firstPersonIn && facts.lastFirstIn !== today)
      return { mode: 'access_controlled', cause: { via: 'first_person_in_pending', ...schedule } };
    return { mode: row.mode, cause: { via: 'schedule', ...schedule } };
  });
  // Of several open windows, the one open longest names the cause.
  const [longest] = free.map((f) => ({ lock: f.lock, until: windowEnd(f.window, at, zone) })).sort((a, b) => b.until - a.until || a.lock - b.lock);
  if (longest) resolved.push({ mode: 'unlocked', cause: { via: 'free_access', ...longest } });
  const rank = (r: ResolvedMode) => RESTRICTIVENESS.indexOf(r.mode);
  return resolved.reduce((most, r) => (rank(r) < rank(most) ? r : most));
}

/** The door's mode at `at`, read in `zone`, and what decided it. */
export function doorModeAt(facts: DoorModeFacts, at: number, zone: string): ResolvedMode {
  const plan = facts.lockdowns
    .filter((p) => inForce(p, at))
    .reduce<LockdownFacts | undefined>((top, p) => (top === undefined || p.priority > top.priority ? p : top), undefined);
  if (plan) {
    return {
      mode: plan.mode === 'lockdown' ? 'locked' : 'unlocked',
      cause: {
        via: 'lockdown',
        planId: plan.id,
        name: plan.name,
        mode: plan.mode,
        priority: plan.priority,
        since: plan.since,
        by: plan.by,
        responderLevelIds: plan.responderLevelIds,
      },
    };
  }
  const override = facts.override;
  if (override && override.since <= at && (override.until === null || at < override.until)) {
    return { mode: override.mode, cause: { via: 'override', actor: override.actor, since: override.since, until: override.until } };
  }
  return scheduledModeAt(facts, at, zone);
}

/**
 * The site-local day whose first person in a grant at `at` records, or null when it records none: the
 * door is waiting for today's first person in and the holder holds a first-person-in level.
 */
export function firstInDay(facts: DoorModeFacts, holderLevelIds: readonly number[], at: number, zone: string): string | null {
  if (doorModeAt(facts, at, zone).cause.via !== 'first_person_in_pending') return null;
  return holderLevelIds.some((id) => facts.firstInLevelIds.includes(id)) ? siteDay(at, zone) : null;
}

/** How far ahead `nextModeChange` looks: a year covers any holiday and every weekly and yearly rule. */
const HORIZON_DAYS = 366;
const HOUR = 3_600_000;

/**
 * The instants of one site-local day at which a schedule row or free-access window can change: midnight,
 * each one's start and the second after its stop. On a daylight-saving day also every hour (a window's edge in the skipped
 * hour moves onto the next one), each an hour either side too (the repeated hour has two of each).
 */
function candidatesOf(day: DateTime, rows: readonly UnlockRow[], free: readonly FreeAccessFacts[]): number[] {
  const seconds = new Set<number>([0]);
  for (const { schedule } of rows) {
    for (const edge of scheduleEdges(schedule)) seconds.add(edge);
  }
  for (const { window } of free) {
    seconds.add(window.from);
    seconds.add((window.to + 1) % DAY_SECONDS);
  }
  const changesClocks = day.offset !== day.endOf('day').offset;
  if (!changesClocks) return [...seconds].map((second) => day.plus({ seconds: second }).toMillis());
  for (let hour = 0; hour < 24; hour++) seconds.add(hour * 3600);
  return [...seconds].flatMap((second) => {
    const at = day.plus({ seconds: second }).toMillis();
    return [at - HOUR, at, at + HOUR];
  });
}

/** Seconds of the day at which a schedule opens or, one second after its stop, closes. */
function scheduleEdges(schedule: NamedSchedule): number[] {
  const times = schedule.rule
    ? [schedule.rule.time_options.date_from, schedule.rule.time_options.date_to + 1].map((unix) => ((unix % 86_400) + 86_400) % 86_400)
    : [schedule.start, schedule.stop].map((time, i) => {
        const [h = 0, m = 0, s = 0] = time.split(':').map(Number);
        return (h * 3600 + m * 60 + s + i) % 86_400;
      });
  return times;
}

/**
 * The next instant after `from` at which the scheduled mode (unlock schedule, free access, holidays, first
 * person in as recorded) differs from its mode at `from`, or null when it does not change within a year: what an
 * override "until the next schedule change" ends at. Overrides and plans are not part of it.
 */
export function nextModeChange(facts: DoorModeFacts, from: number, zone: string): number | null {
  if (facts.unlockRows.length === 0 && facts.freeAccess.length === 0) return null;
  const now = scheduledModeAt(facts, from, zone).mode;
  const first = DateTime.fromMillis(from, { zone }).startOf('day');
  for (let offset = 0; offset <= HORIZON_DAYS; offset++) {
    const day = first.plus({ days: offset }).startOf('day');
    const candidates = [...new Set(candidatesOf(day, facts.unlockRows, facts.freeAccess))].filter((at) => at > from).sort((a, b) => a - b);
    const changed = candidates.find((at) => scheduledModeAt(facts, at, zone).mode !== now);
    if (changed !== undefined) return changed;
  }
  return null;
}
