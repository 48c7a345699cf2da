import { DateTime, IANAZone } from 'luxon';

/**
 * A week of a schedule or time profile on the site's clocks, for the console's week view: when it admits
 * access, asked of the engine's own predicate (`scheduleAdmits`), never of a second copy of its rules.
 *
 * The week is scanned in real (UTC) time, so a daylight-saving change is whatever the zone's clocks did:
 * the hour the clocks skip never appears, the hour they repeat appears twice. The answer is sampled every
 * five minutes (2,016 questions a week, tens of milliseconds); where it changes between two samples, the
 * exact second is found by bisection (the engine reads times to the second). A window shorter than five
 * minutes that falls between two samples is not seen.
 */

const SAMPLE_MS = 5 * 60_000;
/** Every zone's offset is a whole number of quarter hours, so every local hour starts on a UTC quarter hour. */
const QUARTER_MS = 15 * 60_000;
const HOUR_MS = 3_600_000;
const SECOND_MS = 1000;

/** A stretch of real time, `from` included, `to` not (epoch ms). */
export interface Interval {
  from: number;
  to: number;
}

/** One wall-clock hour of a day: how long it lasted that day (0 skipped, 7200 repeated) and how much of it was open, in seconds. */
export interface WeekHour {
  hour: number;
  seconds: number;
  open: number;
}

export interface WeekDay {
  /** `YYYY-MM-DD` on the site's clocks. */
  date: string;
  hours: WeekHour[];
}

export interface ScheduleWeek {
  /** Monday 00:00 and the next Monday 00:00 on the site's clocks (epoch ms). */
  from: number;
  to: number;
  days: WeekDay[];
  intervals: Interval[];
}

/** The first second in (`low`, `high`] at which `admits` answers `wanted`, `admits(low)` being the other answer. */
function firstChange(admits: (at: number) => boolean, low: number, high: number, wanted: boolean): number {
  let before = low;
  let after = high;
  while (after - before > SECOND_MS) {
    const middle = before + Math.floor((after - before) / 2 / SECOND_MS) * SECOND_MS;
    if (admits(middle) === wanted) after = middle;
    else before = middle;
  }
  return after;
}

/**
 * When something open at `from` stops being so (the first second `admits` says no), looked for as the
 * week view looks (every five minutes, then to the second) up to `horizon` ms ahead; null when it is
 * still open then. For "open to anyone until 18:00" on a door's page.
 */
export function openUntil(admits: (at: number) => boolean, from: number, horizon: number): number | null {
  for (let at = from; at < from + horizon; at += SAMPLE_MS) {
    const next = at + SAMPLE_MS;
    if (!admits(next)) return firstChange(admits, at, next, false);
  }
  return null;
}

/** The Monday starting the week that holds `date` (`YYYY-MM-DD` on the zone's clocks), or undefined when it is not a date. */
export function weekStart(date: string, zone: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const day = DateTime.fromISO(date, { zone });
  return day.isValid ? day.startOf('week').toMillis() : undefined;
}

/** The week starting at `from` (a Monday 00:00 on the zone's clocks): open intervals, and each wall-clock hour of each day. */
export function scheduleWeek(admits: (at: number) => boolean, from: number, zone: string): ScheduleWeek {
  const to = DateTime.fromMillis(from, { zone }).plus({ weeks: 1 }).toMillis();
  const intervals: Interval[] = [];
  let open = admits(from);
  let openedAt = from;
  for (let at = from; at + SAMPLE_MS < to; at += SAMPLE_MS) {
    const next = at + SAMPLE_MS;
    const nextOpen = admits(next);
    if (nextOpen === open) continue;
    const change = firstChange(admits, at, next, nextOpen);
    if (open) intervals.push({ from: openedAt, to: change });
    else openedAt = change;
    open = nextOpen;
  }
  if (open) intervals.push({ from: openedAt, to });
  return { from, to, days: weekDays(from, to, zone, intervals), intervals };
}

/** The real-time start of each wall-clock hour of the week, with its date and hour: a repeated hour is met twice, a skipped one never. */
function hourStarts(from: number, to: number, zone: string): { at: number; date: string; hour: number }[] {
  const clocks = IANAZone.create(zone);
  const starts: { at: number; date: string; hour: number }[] = [];
  for (let at = from; at < to; at += QUARTER_MS) {
    const wall = at + clocks.offset(at) * 60_000;
    if (wall % HOUR_MS !== 0) continue;
    const local = new Date(wall);
    starts.push({ at, date: local.toISOString().slice(0, 10), hour: local.getUTCHours() });
  }
  return starts;
}

/** Seconds of the intervals within [from, to). */
function openWithin(intervals: readonly Interval[], from: number, to: number): number {
  let total = 0;
  for (const interval of intervals) total += Math.max(0, Math.min(interval.to, to) - Math.max(interval.from, from));
  return total / SECOND_MS;
}

function weekDays(from: number, to: number, zone: string, intervals: Interval[]): WeekDay[] {
  const starts = hourStarts(from, to, zone);
  const monday = DateTime.fromMillis(from, { zone });
  const days: WeekDay[] = Array.from({ length: 7 }, (_, index) => ({
    date: monday.plus({ days: index }).toISODate() ?? '',
    hours: Array.from({ length: 24 }, (_unused, hour) => ({ hour, seconds: 0, open: 0 })),
  }));
  const byDate = new Map(days.map((day) => [day.date, day]));
  starts.forEach((start, index) => {
    const end = starts[index + 1]?.at ?? to;
    const cell = byDate.get(start.date)?.hours[start.hour];
    if (!cell) return;
    cell.seconds += (end - start.at) / SECOND_MS;
    cell.open += openWithin(intervals, start.at, end);
  });
  return days;
}
