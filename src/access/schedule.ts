import { DateTime } from 'luxon';
import { type TimeProfile, isTimeProfileActive } from './time-profile.ts';

/**
 * A weekly schedule as the Lockt spec has it: days d0 (Monday) … d6 (Sunday) and a start and stop time
 * of day. The stop second is included (`16:59:59` means up to the end of that second); a stop before
 * the start spans midnight, and the part after midnight belongs to the day the window started on.
 * Times are wall-clock times in the site's zone, so across a daylight-saving change a window follows
 * the clocks on the wall: in the skipped hour nothing happens, in the repeated hour both passes count.
 */
export interface WeeklySchedule {
  /** Index 0 is Monday, 6 Sunday. */
  days: readonly boolean[];
  /** `HH:MM:SS` */
  start: string;
  /** `HH:MM:SS` */
  stop: string;
}

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)$/;

/** Seconds since midnight of `HH:MM:SS`, or undefined when it is not a valid time of day. */
export function secondsOfDay(time: string): number | undefined {
  const match = TIME_OF_DAY.exec(time);
  if (!match) return undefined;
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}

/** Wall-clock weekday (0 = Monday) and second of the day of an instant in a zone. */
export function wallClock(at: number, zone: string): { weekday: number; second: number } {
  const local = DateTime.fromMillis(at, { zone });
  return { weekday: local.weekday - 1, second: local.hour * 3600 + local.minute * 60 + local.second };
}

/** Whether the schedule admits the instant `at`, read in `zone`. */
export function isScheduleActive(schedule: WeeklySchedule, at: number, zone: string): boolean {
  const start = secondsOfDay(schedule.start);
  const stop = secondsOfDay(schedule.stop);
  if (start === undefined || stop === undefined) return false;
  return isWindowActive(schedule.days, start, stop, at, zone);
}

/**
 * Whether a weekly window admits `at`, read in `zone`: on the days given (0 = Monday), from `start` to
 * `stop` seconds after midnight, with the rules of a schedule above (stop included, a stop before the
 * start spanning midnight, wall-clock times across daylight-saving changes).
 */
export function isWindowActive(days: readonly boolean[], start: number, stop: number, at: number, zone: string): boolean {
  const { weekday, second } = wallClock(at, zone);
  const today = days[weekday] === true;
  if (start <= stop) return today && second >= start && second <= stop;
  const yesterday = days[(weekday + 6) % 7] === true;
  return (today && second >= start) || (yesterday && second <= stop);
}

/**
 * A schedule as decisions carry it: weekly days and times, or, for a BAS-IP time profile, its rule, which
 * then decides instead of the days and times. `observesHolidays`: inactive on the site's holidays.
 */
export type NamedSchedule = WeeklySchedule & { id: number; name: string; rule?: TimeProfile | undefined; observesHolidays?: boolean };

/** Whether a schedule (weekly, or its time-profile rule) admits `at`, read in `zone`; holidays aside. */
export function isNamedScheduleActive(schedule: NamedSchedule, at: number, zone: string): boolean {
  return schedule.rule ? isTimeProfileActive(schedule.rule, at, zone) : isScheduleActive(schedule, at, zone);
}
