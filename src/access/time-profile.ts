import { DateTime } from 'luxon';
import { isList, isOneOf, isRecord } from '../lib/guards.ts';
import { showValue } from '../lib/show-value.ts';

/**
 * BAS-IP time profiles: the `timeprofiles` grammar of the panel API (`time_options` + `repeat_options`,
 * field names as on the wire), a validator, and the question "is this profile active at this instant?".
 * Pure: no I/O. The profile's `name`, `item_uid` and `link_id` belong to the resource, not to the rule,
 * and are neither read nor returned here.
 *
 * Reading the times. The panel stores zone-less wall-clock times: `date_from`, `date_to` and
 * `repeat_end.date` are Unix seconds whose UTC calendar fields are the wall-clock date-time in the site's
 * zone (1601884800 is "2020-10-05 08:00:00" on the site's clocks, whatever the zone).
 *
 * Occurrences. The first occurrence is `[date_from, date_to]`, both ends inclusive to the second; with
 * `is_all_day` it runs from `date_from`'s date 00:00:00 to `date_to`'s date 23:59:59. Without repeat
 * (`repeat_enable` false) it is the only one. With repeat, every repeat day has an occurrence of the same
 * wall-clock length starting at `date_from`'s time of day (00:00:00 when all-day), so one that crosses
 * midnight ends the next day, and an instant just after midnight belongs to the occurrence that started
 * the day before. Repeat days, by `repeat_type`:
 * - `day`: every day; `week`: every 7 days; `twoWeeks`: every 14 days (counted from `date_from`'s date);
 * - `month`: the same day of the month as `date_from`; a month without that day (the 31st in April) has
 *   no occurrence, nothing moves to the month's last day;
 * - `year`: the same month and day as `date_from`; 29 February only in leap years;
 * - `custom`: every `repeat_looper` units of `repeat_point_type`, counted from `date_from`'s unit:
 *   - `day`: every N days;
 *   - `week`: the listed weekdays (`repeat_options: ["MON", …]`, default `date_from`'s weekday) of every
 *     Nth week, weeks starting on Monday, week 0 being the one containing `date_from`;
 *   - `month`: in every Nth month, the listed day numbers (`range: [1, 15]`) or the parameterized day
 *     (`range: {week_order, day_type}`), default `date_from`'s day of the month;
 *   - `year`: in every Nth year, in the listed `months` (default `date_from`'s month), on the day numbers
 *     or parameterized day as for `month`.
 *   A parameterized day counts the days of the month matching `day_type` (one weekday, `WEEK_DAY` = Monday
 *   to Friday, `DAY_OFF` = Saturday and Sunday): `first` … `fifth` is the 1st … 5th of them (a month
 *   without a fifth has no occurrence), `last` the last one. So "first WEEK_DAY" is the first working day.
 * The first occurrence counts even when `date_from`'s day does not match the rule (as DTSTART does in
 * iCalendar). No occurrence starts before `date_from`'s date, and with `repeat_end.format` `date` none
 * starts after `repeat_end.date`'s date (that whole date included).
 *
 * Choices where the panel documentation is silent:
 * - a `repeat_custom` sent with a `repeat_type` other than `custom` is checked for shape and otherwise
 *   ignored (the seed's "Work week" example sends one with `repeat_type` `day`); likewise `repeat_format`
 *   when `repeat_enable` is false, and `repeat_end.date` when `repeat_end.format` is `never`;
 * - `null` counts as absent for every optional field; an absent `repeat_end` means `never`;
 * - `format` may be omitted: `range`'s shape (a list of numbers, or an object) says which it is; when both
 *   are given they must agree.
 *
 * Daylight saving. The instant is read on the site's clocks (luxon, `zone`) and compared with the
 * wall-clock windows, as `schedule.ts` does: a window inside the hour the clocks skip never opens, and an
 * instant in the hour the clocks repeat is inside a window covering that hour both times.
 */

export const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
export const REPEAT_TYPES = ['day', 'week', 'twoWeeks', 'month', 'year', 'custom'] as const;
export const REPEAT_END_FORMATS = ['never', 'date'] as const;
export const REPEAT_POINT_TYPES = ['day', 'week', 'month', 'year'] as const;
export const DAY_FORMATS = ['dayNumbers', 'parameterizedDay'] as const;
export const WEEK_ORDERS = ['first', 'second', 'third', 'fourth', 'fifth', 'last'] as const;
export const DAY_TYPES = [...WEEKDAYS, 'WEEK_DAY', 'DAY_OFF'] as const;

export type Weekday = (typeof WEEKDAYS)[number];
export type RepeatType = (typeof REPEAT_TYPES)[number];
export type RepeatEndFormat = (typeof REPEAT_END_FORMATS)[number];
export type RepeatPointType = (typeof REPEAT_POINT_TYPES)[number];
export type DayFormat = (typeof DAY_FORMATS)[number];
export type WeekOrder = (typeof WEEK_ORDERS)[number];
export type DayType = (typeof DAY_TYPES)[number];

export interface TimeOptions {
  is_all_day: boolean;
  /** Unix seconds read as wall-clock fields (see the module comment). */
  date_from: number;
  date_to: number;
}

export interface RepeatEnd {
  format: RepeatEndFormat;
  /** Required when `format` is `date`: the last date an occurrence may start on. */
  date?: number;
}

/** "The last FRI of the month", "the first WEEK_DAY". */
export interface ParameterizedDay {
  week_order: WeekOrder;
  day_type: DayType;
}

/**
 * The object forms of `repeat_custom.repeat_options` (the schema's MOD2, `format` + `range`, for
 * `month`, and MOD3, `months` + `range`, for `year`). `range` is day numbers 1..31 or a parameterized day.
 */
export interface DayOptions {
  format?: DayFormat;
  range?: readonly number[] | ParameterizedDay;
  /** Only with `repeat_point_type` `year`. */
  months?: readonly number[];
}

export interface RepeatCustom {
  repeat_point_type: RepeatPointType;
  /** 1..1000: every Nth unit. */
  repeat_looper: number;
  /** Weekdays (MOD1) for `week`; `DayOptions` for `month` and `year`; absent for `day`. */
  repeat_options?: readonly Weekday[] | DayOptions;
}

/** `repeat_custom` is required for `repeat_type` `custom`, ignored otherwise. */
export type RepeatFormat =
  | { repeat_type: Exclude<RepeatType, 'custom'>; repeat_end?: RepeatEnd; repeat_custom?: RepeatCustom }
  | { repeat_type: 'custom'; repeat_end?: RepeatEnd; repeat_custom: RepeatCustom };

export interface RepeatOptions {
  repeat_enable: boolean;
  /** Required when `repeat_enable` is true. */
  repeat_format?: RepeatFormat;
}

export interface TimeProfile {
  time_options: TimeOptions;
  repeat_options: RepeatOptions;
}

/**
 * What kind of problem, for the caller to map onto the panel's answers: `missing` and `wrong_type` are
 * the panel's "Wrong JSON body: no value for `param`" and "… was of the wrong type"; the other two are
 * its `extended_info` keys: `invalid_time_rules_settings` for the time window itself (`time_options`),
 * `wrong_rule` for the repeat rule (`repeat_options`).
 */
export type TimeProfileProblemKey = 'missing' | 'wrong_type' | 'invalid_time_rules_settings' | 'wrong_rule';

export interface TimeProfileProblem {
  /** Dotted path of the field, e.g. `repeat_options.repeat_format.repeat_end.date`; `""` for the whole. */
  path: string;
  key: TimeProfileProblemKey;
  /** Names the path and, when there is one, the value. */
  message: string;
}

export type ParsedTimeProfile = { ok: true; profile: TimeProfile } | { ok: false; messages: string[]; problems: TimeProfileProblem[] };

/** 9999-12-31 23:59:59: keeps every date within what calendars and luxon handle. */
export const MAX_SECONDS = 253_402_300_799;
const DAY_SECONDS = 86_400;

type Json = Record<string, unknown>;

/** Collects problems while reading; every reader returns undefined for an absent or bad value. */
class Reader {
  constructor(
    private readonly problems: TimeProfileProblem[],
    /** The key of a well-typed but unacceptable value in this part of the profile. */
    private readonly ruleKey: TimeProfileProblemKey,
  ) {}

  add(path: string, key: TimeProfileProblemKey, message: string): void {
    this.problems.push({ path, key, message });
  }

  /** A problem with a value of the right type: the rule key of this part. */
  rule(path: string, requirement: string, value: unknown): void {
    this.add(path, this.ruleKey, `${path} ${requirement}: ${showValue(value)}`);
  }

  /** Strings are quoted here, so that `"42"` for a number reads as the string it was. */
  wrongType(path: string, expected: string, value: unknown): void {
    this.add(path, 'wrong_type', `${path} must be ${expected}: ${showWrongType(value)}`);
  }

  /** False when absent (or null), reporting it when required. */
  present(value: unknown, path: string, required: boolean): boolean {
    if (value !== undefined && value !== null) return true;
    if (required) this.add(path, 'missing', `${path} is required`);
    return false;
  }

  object(value: unknown, path: string, required: boolean): Json | undefined {
    if (!this.present(value, path, required)) return undefined;
    if (isRecord(value)) return value;
    this.wrongType(path, 'an object', value);
    return undefined;
  }

  boolean(value: unknown, path: string, required: boolean): boolean | undefined {
    if (!this.present(value, path, required)) return undefined;
    if (typeof value === 'boolean') return value;
    this.wrongType(path, 'true or false', value);
    return undefined;
  }

  integer(value: unknown, path: string, required: boolean, min: number, max: number, range: string): number | undefined {
    if (!this.present(value, path, required)) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.wrongType(path, 'an integer', value);
      return undefined;
    }
    if (value < min || value > max) {
      this.rule(path, `must be ${range}`, value);
      return undefined;
    }
    return value;
  }

  seconds(value: unknown, path: string, required: boolean): number | undefined {
    return this.integer(value, path, required, 0, MAX_SECONDS, `Unix seconds from 0 to ${MAX_SECONDS}`);
  }

  oneOf<T extends string>(value: unknown, path: string, required: boolean, allowed: readonly T[]): T | undefined {
    if (!this.present(value, path, required)) return undefined;
    if (typeof value !== 'string') {
      this.wrongType(path, 'a string', value);
      return undefined;
    }
    if (isOneOf(allowed, value)) return value;
    this.rule(path, `must be one of ${allowed.join(', ')}`, value);
    return undefined;
  }

  /** A non-empty list, each item read by `item`; undefined when anything in it is bad. */
  list<T>(value: unknown, path: string, item: (value: unknown, path: string) => T | undefined): T[] | undefined {
    if (!Array.isArray(value)) {
      this.wrongType(path, 'a list', value);
      return undefined;
    }
    if (value.length === 0) {
      this.rule(path, 'must not be empty', value);
      return undefined;
    }
    const items = value.map((v, i) => item(v, `${path}[${i}]`));
    return items.every((v): v is T => v !== undefined) ? items : undefined;
  }
}

const showWrongType = (value: unknown) => showValue(typeof value === 'string' ? JSON.stringify(value) : value);

const isAbsent = (value: unknown) => value === undefined || value === null;

/**
 * Checks a time profile as sent (`{time_options, repeat_options, …}`; other fields are ignored) and returns
 * it with only the fields of the grammar, or every problem found, each naming the field and the value.
 */
export function parseTimeProfile(input: unknown): ParsedTimeProfile {
  const problems: TimeProfileProblem[] = [];
  if (!isRecord(input)) {
    problems.push({ path: '', key: 'wrong_type', message: `A time profile must be a JSON object: ${showWrongType(input)}` });
  } else {
    const record = input;
    const timeOptions = readTimeOptions(new Reader(problems, 'invalid_time_rules_settings'), record.time_options);
    const repeatOptions = readRepeatOptions(new Reader(problems, 'wrong_rule'), record.repeat_options, timeOptions);
    if (problems.length === 0 && timeOptions && repeatOptions) {
      return { ok: true, profile: { time_options: timeOptions, repeat_options: repeatOptions } };
    }
  }
  return { ok: false, messages: problems.map((p) => p.message), problems };
}

function readTimeOptions(reader: Reader, value: unknown): TimeOptions | undefined {
  const record = reader.object(value, 'time_options', true);
  if (!record) return undefined;
  const isAllDay = reader.boolean(record.is_all_day, 'time_options.is_all_day', true);
  const from = reader.seconds(record.date_from, 'time_options.date_from', true);
  const to = reader.seconds(record.date_to, 'time_options.date_to', true);
  if (from !== undefined && to !== undefined && to < from) {
    reader.rule('time_options.date_to', `must not be before time_options.date_from (${from})`, to);
    return undefined;
  }
  if (isAllDay === undefined || from === undefined || to === undefined) return undefined;
  return { is_all_day: isAllDay, date_from: from, date_to: to };
}

function readRepeatOptions(reader: Reader, value: unknown, time: TimeOptions | undefined): RepeatOptions | undefined {
  const record = reader.object(value, 'repeat_options', true);
  if (!record) return undefined;
  const enabled = reader.boolean(record.repeat_enable, 'repeat_options.repeat_enable', true);
  const path = 'repeat_options.repeat_format';
  if (enabled === true && isAbsent(record.repeat_format)) {
    reader.add(path, 'wrong_rule', `${path} is required when repeat_enable is true`);
    return undefined;
  }
  const format = isAbsent(record.repeat_format) ? undefined : readRepeatFormat(reader, record.repeat_format, path, time);
  if (enabled === undefined || (!isAbsent(record.repeat_format) && !format)) return undefined;
  return format ? { repeat_enable: enabled, repeat_format: format } : { repeat_enable: enabled };
}

function readRepeatFormat(reader: Reader, value: unknown, path: string, time: TimeOptions | undefined): RepeatFormat | undefined {
  const record = reader.object(value, path, true);
  if (!record) return undefined;
  const type = reader.oneOf(record.repeat_type, `${path}.repeat_type`, true, REPEAT_TYPES);
  const end = isAbsent(record.repeat_end) ? undefined : readRepeatEnd(reader, record.repeat_end, `${path}.repeat_end`, time);
  const customPath = `${path}.repeat_custom`;
  if (type === 'custom' && isAbsent(record.repeat_custom)) {
    reader.add(customPath, 'wrong_rule', `${customPath} is required when repeat_type is custom`);
    return undefined;
  }
  const custom = isAbsent(record.repeat_custom) ? undefined : readRepeatCustom(reader, record.repeat_custom, customPath);
  if (!type || (!isAbsent(record.repeat_end) && !end) || (!isAbsent(record.repeat_custom) && !custom)) return undefined;
  const ending = end ? { repeat_end: end } : {};
  if (type === 'custom') return custom ? { repeat_type: type, ...ending, repeat_custom: custom } : undefined;
  return { repeat_type: type, ...ending, ...(custom ? { repeat_custom: custom } : {}) };
}

function readRepeatEnd(reader: Reader, value: unknown, path: string, time: TimeOptions | undefined): RepeatEnd | undefined {
  const record = reader.object(value, path, true);
  if (!record) return undefined;
  const format = reader.oneOf(record.format, `${path}.format`, true, REPEAT_END_FORMATS);
  if (format === 'date' && isAbsent(record.date)) {
    reader.add(`${path}.date`, 'wrong_rule', `${path}.date is required when format is date`);
    return undefined;
  }
  const date = reader.seconds(record.date, `${path}.date`, false);
  if (format === 'date' && date !== undefined && time && dayOf(date) < dayOf(time.date_from)) {
    reader.rule(`${path}.date`, `must not be before the date of time_options.date_from (${time.date_from})`, date);
    return undefined;
  }
  if (!format || (!isAbsent(record.date) && date === undefined)) return undefined;
  return date === undefined ? { format } : { format, date };
}

function readRepeatCustom(reader: Reader, value: unknown, path: string): RepeatCustom | undefined {
  const record = reader.object(value, path, true);
  if (!record) return undefined;
  const point = reader.oneOf(record.repeat_point_type, `${path}.repeat_point_type`, true, REPEAT_POINT_TYPES);
  const looper = reader.integer(record.repeat_looper, `${path}.repeat_looper`, true, 1, 1000, '1 to 1000');
  const optionsPath = `${path}.repeat_options`;
  const raw = record.repeat_options;
  let options: RepeatCustom['repeat_options'];
  let optionsOk = true;
  if (!isAbsent(raw)) {
    if (Array.isArray(raw)) options = reader.list(raw, optionsPath, (v, p) => reader.oneOf(v, p, true, WEEKDAYS));
    else if (isRecord(raw)) options = readDayOptions(reader, raw, optionsPath);
    else reader.wrongType(optionsPath, 'a list of weekdays or an object', raw);
    optionsOk = options !== undefined;
    if (options !== undefined && point !== undefined) optionsOk = fitsPointType(reader, options, point, optionsPath);
  }
  if (!point || looper === undefined || !optionsOk) return undefined;
  return { repeat_point_type: point, repeat_looper: looper, ...(options ? { repeat_options: options } : {}) };
}

/** The form of `repeat_options` each point type takes (the schema's oneOf). */
function fitsPointType(reader: Reader, options: readonly Weekday[] | DayOptions, point: RepeatPointType, path: string): boolean {
  const isWeekdays = isList(options);
  if (point === 'day') reader.rule(path, 'is not used with repeat_point_type day', options);
  else if (point === 'week' && !isWeekdays) reader.rule(path, 'must be a list of weekdays with repeat_point_type week', options);
  else if (point !== 'week' && isWeekdays) reader.rule(path, `must be an object with range with repeat_point_type ${point}`, options);
  else if (point === 'month' && !isList(options) && options.months !== undefined) {
    reader.rule(`${path}.months`, 'is only used with repeat_point_type year', options.months);
  } else return true;
  return false;
}

function readDayOptions(reader: Reader, record: Json, path: string): DayOptions | undefined {
  const format = reader.oneOf(record.format, `${path}.format`, false, DAY_FORMATS);
  const months = isAbsent(record.months)
    ? undefined
    : reader.list(record.months, `${path}.months`, (v, p) => reader.integer(v, p, true, 1, 12, '1 to 12'));
  const rangePath = `${path}.range`;
  let range: DayOptions['range'];
  if (isAbsent(record.range)) {
    if (format !== undefined) reader.add(rangePath, 'wrong_rule', `${rangePath} is required when format is given`);
  } else if (Array.isArray(record.range)) {
    range = reader.list(record.range, rangePath, (v, p) => reader.integer(v, p, true, 1, 31, '1 to 31'));
    if (range && format === 'parameterizedDay') {
      reader.rule(rangePath, 'must be {week_order, day_type} when format is parameterizedDay', range);
      range = undefined;
    }
  } else if (isRecord(record.range)) {
    range = readParameterizedDay(reader, record.range, rangePath);
    if (range && format === 'dayNumbers') {
      reader.rule(rangePath, 'must be a list of day numbers when format is dayNumbers', range);
      range = undefined;
    }
  } else {
    reader.wrongType(rangePath, 'a list of day numbers or {week_order, day_type}', record.range);
  }
  const bad =
    (!isAbsent(record.format) && !format) ||
    (!isAbsent(record.months) && !months) ||
    (!isAbsent(record.range) && !range) ||
    (format !== undefined && isAbsent(record.range));
  if (bad) return undefined;
  return { ...(format ? { format } : {}), ...(range ? { range } : {}), ...(months ? { months } : {}) };
}

function readParameterizedDay(reader: Reader, record: Json, path: string): ParameterizedDay | undefined {
  const order = reader.oneOf(record.week_order, `${path}.week_order`, true, WEEK_ORDERS);
  const type = reader.oneOf(record.day_type, `${path}.day_type`, true, DAY_TYPES);
  return order && type ? { week_order: order, day_type: type } : undefined;
}

// ---- Evaluation -----------------------------------------------------------------------------------
// Dates are day numbers: whole days since 1970-01-01 on the wall clock; times are wall-clock seconds
// (the UTC reading of the same fields). The instant is inside some occurrence exactly when it is inside
// the latest one that started at or before it, since all occurrences last equally long; so one search
// backwards from the instant's date for the latest repeat day answers, with no walk from `date_from`.

const dayOf = (seconds: number) => Math.floor(seconds / DAY_SECONDS);
const mod = (a: number, n: number) => ((a % n) + n) % n;
/** 0 = Monday; day 0 (1970-01-01) was a Thursday. */
const weekdayOf = (day: number) => mod(day + 3, 7);
const dayNumber = (year: number, month: number, dayOfMonth: number) => Date.UTC(year, month - 1, dayOfMonth) / 86_400_000;
const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

interface CivilDate {
  year: number;
  month: number;
  day: number;
}

function civil(day: number): CivilDate {
  const date = new Date(day * 86_400_000);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** The Gregorian calendar repeats (month lengths and weekdays) every 400 years. */
const CYCLE_YEARS = 400;

const ORDINAL: Record<WeekOrder, number> = { first: 0, second: 1, third: 2, fourth: 3, fifth: 4, last: -1 };

function matchesDayType(type: DayType, weekday: number): boolean {
  if (type === 'WEEK_DAY') return weekday < 5;
  if (type === 'DAY_OFF') return weekday >= 5;
  return WEEKDAYS[weekday] === type;
}

/** The day of the month a parameterized day falls on in that month, if it does. */
function parameterizedDayOf(rule: ParameterizedDay, year: number, month: number): number | undefined {
  const first = dayNumber(year, month, 1);
  const matching: number[] = [];
  for (let d = 1; d <= daysInMonth(year, month); d += 1) {
    if (matchesDayType(rule.day_type, weekdayOf(first + d - 1))) matching.push(d);
  }
  const index = ORDINAL[rule.week_order];
  return index < 0 ? matching.at(-1) : matching[index];
}

/** Days of a month a rule picks, ascending; `fallback` is the day of the month when it names none. */
function daysOfMonth(range: DayOptions['range'], fallback: number, year: number, month: number): number[] {
  const length = daysInMonth(year, month);
  if (range === undefined) return fallback <= length ? [fallback] : [];
  if (isList(range)) return [...new Set(range)].filter((d) => d <= length).sort((a, b) => a - b);
  const day = parameterizedDayOf(range, year, month);
  return day === undefined ? [] : [day];
}

/** The latest of `days` (of the month) not after `limit`, as a day number. */
function latestInMonth(year: number, month: number, days: readonly number[], limit: number): number | undefined {
  const latest = days.filter((dayOfMonth) => dayNumber(year, month, dayOfMonth) <= limit).at(-1);
  return latest === undefined ? undefined : dayNumber(year, month, latest);
}

/** Latest repeat day ≤ limit in every `step`th month counted from `from`'s month, or undefined. */
function latestMonthly(from: CivilDate, step: number, limit: number, days: (year: number, month: number) => number[]): number | undefined {
  const end = civil(limit);
  const firstIndex = from.year * 12 + from.month - 1;
  let index = end.year * 12 + end.month - 1;
  index -= mod(index - firstIndex, step);
  for (let tries = 0; index >= firstIndex && tries < CYCLE_YEARS * 12; tries += 1, index -= step) {
    const year = Math.floor(index / 12);
    const month = mod(index, 12) + 1;
    const found = latestInMonth(year, month, days(year, month), limit);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Latest repeat day ≤ limit in the given months of every `step`th year counted from `from`'s year. */
function latestYearly(
  from: CivilDate,
  step: number,
  months: readonly number[],
  limit: number,
  days: (year: number, month: number) => number[],
): number | undefined {
  const descending = [...new Set(months)].sort((a, b) => b - a);
  const end = civil(limit);
  let year = end.year - mod(end.year - from.year, step);
  for (let tries = 0; year >= from.year && tries < CYCLE_YEARS; tries += 1, year -= step) {
    for (const month of descending) {
      const found = latestInMonth(year, month, days(year, month), limit);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Latest day ≤ limit on one of `weekdays` (0 = Monday) in every `step`th week from `fromDay`'s week. */
function latestWeekly(fromDay: number, step: number, weekdays: readonly number[], limit: number): number | undefined {
  const firstMonday = fromDay - weekdayOf(fromDay);
  const week = Math.floor((limit - firstMonday) / 7);
  const inWeek = (w: number, upTo: number) => {
    const best = Math.max(-1, ...weekdays.filter((d) => d <= upTo));
    return best < 0 ? undefined : firstMonday + 7 * w + best;
  };
  if (mod(week, step) === 0) {
    const found = inWeek(week, weekdayOf(limit));
    if (found !== undefined) return found;
  }
  return inWeek(week - (mod(week, step) === 0 ? step : mod(week, step)), 6);
}

/** The latest day ≤ limit on which the rule (beyond the first occurrence) starts an occurrence. */
function latestRepeatDay(format: RepeatFormat, fromDay: number, limit: number): number | undefined {
  const from = civil(fromDay);
  switch (format.repeat_type) {
    case 'day':
      return limit;
    case 'week':
      return limit - mod(limit - fromDay, 7);
    case 'twoWeeks':
      return limit - mod(limit - fromDay, 14);
    case 'month':
      return latestMonthly(from, 1, limit, (y, m) => daysOfMonth(undefined, from.day, y, m));
    case 'year':
      return latestYearly(from, 1, [from.month], limit, (y, m) => daysOfMonth(undefined, from.day, y, m));
    case 'custom': {
      const custom = format.repeat_custom;
      const step = custom.repeat_looper;
      const options = custom.repeat_options;
      if (custom.repeat_point_type === 'day') return limit - mod(limit - fromDay, step);
      if (custom.repeat_point_type === 'week') {
        const weekdays = isList(options) ? options.map((d) => WEEKDAYS.indexOf(d)) : [weekdayOf(fromDay)];
        return latestWeekly(fromDay, step, weekdays, limit);
      }
      const dayOptions = isList(options) ? undefined : options;
      const days = (y: number, m: number) => daysOfMonth(dayOptions?.range, from.day, y, m);
      if (custom.repeat_point_type === 'month') return latestMonthly(from, step, limit, days);
      return latestYearly(from, step, dayOptions?.months ?? [from.month], limit, days);
    }
  }
}

/** A profile no instant satisfies: what a schedule without a rule, or an unreadable stored rule, means. */
export const NEVER_ACTIVE: TimeProfile = {
  time_options: { is_all_day: false, date_from: 0, date_to: 0 },
  repeat_options: { repeat_enable: false },
};

/** A rule as stored (JSON), read through the same checks as on the wire; one that no longer parses opens nothing. */
export function storedTimeProfile(rule: string | null): TimeProfile {
  if (rule === null) return NEVER_ACTIVE;
  const parsed = parseTimeProfile(JSON.parse(rule));
  return parsed.ok ? parsed.profile : NEVER_ACTIVE;
}

/**
 * Whether the profile admits the instant `at` (epoch ms), read on the clocks of the IANA zone `zone`.
 * Throws a RangeError for an unknown zone (sites' zones are checked when they are set) or an invalid instant.
 */
export function isTimeProfileActive(profile: TimeProfile, at: number, zone: string): boolean {
  const local = DateTime.fromMillis(at, { zone });
  if (!local.isValid) throw new RangeError(`Cannot read instant ${at} in time zone ${zone}`);
  const now = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second) / 1000;
  const { is_all_day: allDay, date_from: from, date_to: to } = profile.time_options;
  const fromDay = dayOf(from);
  const startSecond = allDay ? 0 : from - fromDay * DAY_SECONDS;
  const length = allDay ? (dayOf(to) - fromDay + 1) * DAY_SECONDS - 1 : to - from;

  // The latest date an occurrence starting at or before `now` can have started on.
  const today = dayOf(now);
  let limit = now - today * DAY_SECONDS >= startSecond ? today : today - 1;
  const format = profile.repeat_options.repeat_enable ? profile.repeat_options.repeat_format : undefined;
  if (format?.repeat_end?.format === 'date' && format.repeat_end.date !== undefined) {
    limit = Math.min(limit, dayOf(format.repeat_end.date));
  }
  if (limit < fromDay) return false;
  const repeatDay = format ? latestRepeatDay(format, fromDay, limit) : undefined;
  const startDay = repeatDay === undefined || repeatDay < fromDay ? fromDay : repeatDay;
  return now <= startDay * DAY_SECONDS + startSecond + length;
}
