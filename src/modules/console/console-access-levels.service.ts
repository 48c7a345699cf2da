import { scheduleAdmits } from '../../access/schedule.ts';
import { storedTimeProfile } from '../../access/time-profile.ts';
import { storedSchedule } from '../../access/facts.repository.ts';
import { type ScheduleWeek, scheduleWeek, weekStart } from '../../access/schedule-week.ts';
import { fromFlag } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { Site } from '../../domain/site.ts';
import { formatSiteTime, zoneOffset } from '../../lib/site-time.ts';
import { doorsOfLevels, levelsByIds } from '../access-levels/access-levels.repository.ts';
import { DAY_COLUMNS, type ScheduleRow } from '../schedules/schedules.repository.ts';
import * as repo from './console-access.repository.ts';
import { doorsWithState } from './console.repository.ts';
import { DOOR_LIST_LIMIT } from './console-doors.service.ts';

/**
 * The console's access screens (docs/console.md): access levels as a door × schedule grid and schedules
 * and time profiles as a week on the site's clocks. Reads only; the writes are the Lockt operations.
 */

/** Levels and schedules a site has at most in the console's lists (sites have tens). */
const LIST_LIMIT = 1000;

export function levelList(db: Queryable, site: Site) {
  return repo.levelSummaries(db, site.id, LIST_LIMIT).then((rows) => rows.map((row) => ({ ...row, is_delegate: fromFlag(row.is_delegate) })));
}

export interface ConsoleSchedule {
  id: number;
  name: string;
  /** A BAS-IP time profile's rule decides instead of the days and times, which the console then does not edit. */
  kind: 'schedule' | 'time_profile';
  /** Monday first. */
  days: boolean[];
  start: string;
  stop: string;
}

function consoleSchedule(row: ScheduleRow): ConsoleSchedule {
  return {
    id: row.id,
    name: row.name,
    kind: row.rule === null ? 'schedule' : 'time_profile',
    days: DAY_COLUMNS.map((column) => fromFlag(row[column])),
    start: row.start_time,
    stop: row.stop_time,
  };
}

export async function scheduleList(db: Queryable, site: Site): Promise<ConsoleSchedule[]> {
  return (await repo.schedulesByName(db, site.id, LIST_LIMIT)).map(consoleSchedule);
}

/** A level's grid: every door of the site by location, the schedule the level opens each on (null: not in the level), and the schedules to choose from. */
export async function levelPage(db: Queryable, site: Site, id: number) {
  const level = (await levelsByIds(db, site.id, [id])).get(id);
  if (!level) throw ERRORS.notFound(`Invalid Access Level id: ${id}`);
  const [assigned, doors, schedules] = await Promise.all([
    doorsOfLevels(db, site.id, [id]),
    doorsWithState(db, site.id, DOOR_LIST_LIMIT),
    scheduleList(db, site),
  ]);
  const scheduleOf = new Map(assigned.map((row) => [row.door_id, row.schedule_id]));
  return {
    level: { id: level.id, name: level.name, is_delegate: fromFlag(level.is_delegate) },
    doors: doors.map((door) => ({ id: door.id, name: door.name, location_name: door.location_name, schedule_id: scheduleOf.get(door.id) ?? null })),
    schedules,
  };
}

/** An instant as the week view shows it: epoch ms, and the site's wall clock with its offset then. */
const siteInstant = (ms: number, zone: string) => ({ at: ms, local: `${formatSiteTime(ms, zone)} ${zoneOffset(ms, zone)}` });

/**
 * When a schedule or time profile admits access in the week holding `date` (`YYYY-MM-DD` on the site's
 * clocks; none: today there), asked of the engine's own evaluation, hour by hour across any DST change.
 */
export async function scheduleWeekView(db: Queryable, site: Site, id: number, date: string | undefined, now: number) {
  const row = await repo.scheduleById(db, site.id, id);
  if (!row) throw ERRORS.notFound(`Invalid schedule id: ${id}`);
  const zone = site.timezone;
  const from = weekStart(date ?? formatSiteTime(now, zone).slice(0, 10), zone);
  if (from === undefined) throw ERRORS.badRequest(`Invalid date found: ${date}`);
  const schedule = storedSchedule(row);
  const week: ScheduleWeek = scheduleWeek((at) => scheduleAdmits(schedule, at, zone), from, zone);
  return {
    schedule: consoleSchedule(row),
    // A time profile's rule as the panel face reads and writes it, which the console's form edits.
    rule: row.rule === null ? null : storedTimeProfile(row.rule),
    zone,
    from: siteInstant(week.from, zone),
    to: siteInstant(week.to, zone),
    days: week.days,
    intervals: week.intervals.map((interval) => ({ from: siteInstant(interval.from, zone), to: siteInstant(interval.to, zone) })),
  };
}
