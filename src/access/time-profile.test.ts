import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type TimeProfile, type TimeProfileProblemKey, isTimeProfileActive, parseTimeProfile } from './time-profile.ts';

/** Site zone of the documented examples (BAS-IP panels are Ukrainian). */
const KYIV = 'Europe/Kyiv';

/** A wall-clock date-time as the panel stores it: Unix seconds whose UTC fields read `text`. */
const wall = (text: string) => Date.parse(`${text.replace(' ', 'T')}Z`) / 1000;

/** The instant the clocks of `zone` read `text` (ISO without offset; never an ambiguous time). */
const localMs = (text: string, zone: string) => DateTime.fromISO(text, { zone }).toMillis();

const utcMs = (iso: string) => Date.parse(iso);

type Wire = Record<string, unknown>;

/** A profile as sent on the wire, from wall-clock texts. */
function wire(from: string, to: string, repeatFormat?: Wire, isAllDay = false): Wire {
  return {
    time_options: { is_all_day: isAllDay, date_from: wall(from), date_to: wall(to) },
    repeat_options: repeatFormat ? { repeat_enable: true, repeat_format: repeatFormat } : { repeat_enable: false },
  };
}

function parsed(input: unknown): TimeProfile {
  const result = parseTimeProfile(input);
  if (!result.ok) throw new Error(`expected a valid profile: ${result.messages.join('; ')}`);
  return result.profile;
}

type Row = [string, boolean];

/** One `it` per instant: `time` is read on the clocks of `zone`. */
function checkInstants(profile: TimeProfile, rows: Row[], zone = KYIV): void {
  it.each(rows)('%s → %s', (time, expected) => {
    expect(isTimeProfileActive(profile, localMs(time, zone), zone)).toBe(expected);
  });
}

const customMonth = (looper: number, repeatOptions?: Wire) => ({
  repeat_type: 'custom',
  repeat_custom: { repeat_point_type: 'month', repeat_looper: looper, ...(repeatOptions ? { repeat_options: repeatOptions } : {}) },
});

describe('One day', () => {
  // The seed's example verbatim: 2020-10-05 08:00:00 to 18:00:00, all day, no repeat.
  const seed = {
    name: 'One day',
    item_uid: 1,
    repeat_options: { repeat_enable: false },
    time_options: { is_all_day: true, date_to: 1601920800, date_from: 1601884800 },
  };
  it('reads the seed: 1601884800 is 2020-10-05 08:00:00 on the wall', () => {
    expect(wall('2020-10-05 08:00:00')).toBe(1601884800);
    expect(parsed(seed)).toEqual({
      time_options: { is_all_day: true, date_from: 1601884800, date_to: 1601920800 },
      repeat_options: { repeat_enable: false },
    });
  });
  describe('all day: the whole of 5 October', () => {
    checkInstants(parsed(seed), [
      ['2020-10-04T23:59:59', false],
      ['2020-10-05T00:00:00', true],
      ['2020-10-05T07:00:00', true],
      ['2020-10-05T23:59:59.999', true],
      ['2020-10-06T00:00:00', false],
      ['2021-10-05T12:00:00', false],
    ]);
  });
  describe('not all day: 08:00:00 to 18:00:00, both seconds included', () => {
    checkInstants(parsed(wire('2020-10-05 08:00:00', '2020-10-05 18:00:00')), [
      ['2020-10-05T07:59:59.999', false],
      ['2020-10-05T08:00:00', true],
      ['2020-10-05T18:00:00.999', true],
      ['2020-10-05T18:00:01', false],
    ]);
  });
  describe('spanning several days', () => {
    checkInstants(parsed(wire('2020-10-05 08:00:00', '2020-10-07 18:00:00')), [
      ['2020-10-05T07:59:59', false],
      ['2020-10-06T03:00:00', true],
      ['2020-10-07T18:00:00', true],
      ['2020-10-07T18:00:01', false],
    ]);
  });
});

describe('Daily', () => {
  checkInstants(parsed(wire('2020-10-05 08:00:00', '2020-10-05 18:00:00', { repeat_type: 'day', repeat_end: { format: 'never' } })), [
    ['2020-10-04T12:00:00', false],
    ['2020-10-05T07:59:59', false],
    ['2020-10-05T08:00:00', true],
    ['2020-10-06T18:00:00', true],
    ['2020-10-06T18:00:01', false],
    ['2025-02-28T12:00:00', true],
    ['2025-02-28T03:00:00', false],
  ]);
});

describe('Daily until date', () => {
  // repeat_end.date at 00:00 of 9 October: the occurrence starting that day is the last.
  const end = { format: 'date', date: wall('2020-10-09 00:00:00') };
  checkInstants(parsed(wire('2020-10-05 08:00:00', '2020-10-05 18:00:00', { repeat_type: 'day', repeat_end: end })), [
    ['2020-10-04T12:00:00', false],
    ['2020-10-07T12:00:00', true],
    ['2020-10-09T08:00:00', true],
    ['2020-10-09T18:00:00', true],
    ['2020-10-09T18:00:01', false],
    ['2020-10-10T08:00:00', false],
    ['2020-10-10T12:00:00', false],
  ]);
});

describe('Weekly', () => {
  // 2020-10-05 is a Monday.
  checkInstants(parsed(wire('2020-10-05 08:00:00', '2020-10-05 18:00:00', { repeat_type: 'week' })), [
    ['2020-09-28T12:00:00', false],
    ['2020-10-12T07:59:59', false],
    ['2020-10-12T08:00:00', true],
    ['2020-10-13T12:00:00', false],
    ['2020-10-19T18:00:00', true],
    ['2020-10-19T18:00:01', false],
  ]);
});

describe('Every two weeks', () => {
  checkInstants(parsed(wire('2020-10-05 08:00:00', '2020-10-05 18:00:00', { repeat_type: 'twoWeeks' })), [
    ['2020-09-21T12:00:00', false],
    ['2020-10-05T12:00:00', true],
    ['2020-10-12T12:00:00', false],
    ['2020-10-19T12:00:00', true],
    ['2020-10-26T12:00:00', false],
    ['2020-11-02T08:00:00', true],
    ['2020-11-02T07:59:59', false],
  ]);
});

describe('Monthly', () => {
  checkInstants(parsed(wire('2020-10-05 08:00:00', '2020-10-05 18:00:00', { repeat_type: 'month' })), [
    ['2020-09-05T12:00:00', false],
    ['2020-11-04T12:00:00', false],
    ['2020-11-05T12:00:00', true],
    ['2020-11-06T12:00:00', false],
    ['2021-02-05T18:00:00', true],
    ['2021-02-05T18:00:01', false],
  ]);
});

describe('Yearly', () => {
  checkInstants(parsed(wire('2020-10-05 08:00:00', '2020-10-05 18:00:00', { repeat_type: 'year' })), [
    ['2019-10-05T12:00:00', false],
    ['2021-10-05T12:00:00', true],
    ['2021-10-06T12:00:00', false],
    ['2021-11-05T12:00:00', false],
    ['2030-10-05T08:00:00', true],
    ['2030-10-05T07:59:59', false],
  ]);
});

describe('First day of the month', () => {
  const profile = parsed(wire('2020-10-01 00:00:00', '2020-10-01 00:00:00', customMonth(1, { format: 'dayNumbers', range: [1] }), true));
  checkInstants(profile, [
    ['2020-09-01T12:00:00', false],
    ['2020-10-01T00:00:00', true],
    ['2020-10-02T00:00:00', false],
    ['2020-10-31T23:59:59', false],
    ['2020-11-01T00:00:00', true],
    ['2020-11-01T23:59:59', true],
    ['2020-11-02T00:00:00', false],
    ['2021-03-01T12:00:00', true],
  ]);
});

describe('Work week', () => {
  const workWeek = (end: Wire) => ({
    repeat_type: 'custom',
    repeat_end: end,
    repeat_custom: { repeat_point_type: 'week', repeat_looper: 1, repeat_options: ['MON', 'TUE', 'WED', 'THU', 'FRI'] },
  });
  describe('custom, every week, Monday to Friday, all day, until Friday 30 October', () => {
    const end = { format: 'date', date: wall('2020-10-30 12:00:00') };
    checkInstants(parsed(wire('2020-10-05 09:00:00', '2020-10-05 09:00:00', workWeek(end), true)), [
      ['2020-10-02T12:00:00', false],
      ['2020-10-05T00:00:00', true],
      ['2020-10-09T23:59:59', true],
      ['2020-10-10T12:00:00', false],
      ['2020-10-11T23:59:59', false],
      ['2020-10-12T00:00:00', true],
      ['2020-10-30T23:59:59', true],
      ['2020-10-31T00:00:00', false],
      ['2020-11-02T12:00:00', false],
    ]);
  });

  // The seed's own "Work week" sends repeat_type `day` with a repeat_custom: the custom part is ignored.
  const seedWorkWeek = {
    name: 'Work week',
    time_options: { is_all_day: true, date_from: 1540819272, date_to: 1540819272 },
    repeat_options: {
      repeat_enable: true,
      repeat_format: {
        repeat_type: 'day',
        repeat_end: { format: 'date', date: 1540819272 },
        repeat_custom: { repeat_point_type: 'week', repeat_looper: 5, repeat_options: ['MON', 'TUE', 'WED', 'THU', 'FRI'] },
      },
    },
  };
  describe("the seed's example: daily, ending the day it starts (2018-10-29)", () => {
    checkInstants(parsed(seedWorkWeek), [
      ['2018-10-28T23:59:59', false],
      ['2018-10-29T00:00:00', true],
      ['2018-10-29T23:59:59', true],
      ['2018-10-30T12:00:00', false],
    ]);
  });
  describe("the seed's example without its end: every day, Saturdays too (repeat_custom ignored)", () => {
    const format = { ...seedWorkWeek.repeat_options.repeat_format, repeat_end: { format: 'never' } };
    checkInstants(parsed({ ...seedWorkWeek, repeat_options: { repeat_enable: true, repeat_format: format } }), [
      ['2018-11-03T12:00:00', true],
      ['2018-11-06T12:00:00', true],
    ]);
  });
});

describe('an overnight window', () => {
  describe('daily 22:00:00 to 06:00:00 the next day', () => {
    checkInstants(parsed(wire('2020-10-05 22:00:00', '2020-10-06 06:00:00', { repeat_type: 'day' })), [
      ['2020-10-05T03:00:00', false],
      ['2020-10-05T21:59:59', false],
      ['2020-10-05T22:00:00', true],
      ['2020-10-06T03:00:00', true],
      ['2020-10-06T06:00:00', true],
      ['2020-10-06T06:00:01', false],
      ['2020-10-06T23:00:00', true],
    ]);
  });
  describe('weekly, Friday 22:00:00 to Saturday 02:00:00: the small hours belong to Friday', () => {
    checkInstants(parsed(wire('2020-10-09 22:00:00', '2020-10-10 02:00:00', { repeat_type: 'week' })), [
      ['2020-10-16T01:00:00', false],
      ['2020-10-16T23:00:00', true],
      ['2020-10-17T01:00:00', true],
      ['2020-10-17T02:00:01', false],
    ]);
  });
  describe('the last occurrence (started on the repeat_end date) runs past midnight', () => {
    const end = { format: 'date', date: wall('2020-10-07 00:00:00') };
    checkInstants(parsed(wire('2020-10-05 22:00:00', '2020-10-06 06:00:00', { repeat_type: 'day', repeat_end: end })), [
      ['2020-10-08T03:00:00', true],
      ['2020-10-08T06:00:01', false],
      ['2020-10-08T22:00:00', false],
    ]);
  });
});

describe('the 31st in a 30-day month', () => {
  describe('monthly from 31 January: no occurrence in February, April', () => {
    checkInstants(parsed(wire('2021-01-31 10:00:00', '2021-01-31 11:00:00', { repeat_type: 'month' })), [
      ['2021-01-31T10:30:00', true],
      ['2021-02-28T10:30:00', false],
      ['2021-03-01T10:30:00', false],
      ['2021-03-31T10:30:00', true],
      ['2021-04-30T10:30:00', false],
      ['2021-05-01T10:30:00', false],
      ['2021-05-31T10:30:00', true],
    ]);
  });
  describe('custom month, days 30 and 31', () => {
    const profile = parsed(wire('2021-01-30 10:00:00', '2021-01-30 11:00:00', customMonth(1, { format: 'dayNumbers', range: [31, 30] })));
    checkInstants(profile, [
      ['2021-01-31T10:30:00', true],
      ['2021-02-28T10:30:00', false],
      ['2021-03-30T10:30:00', true],
      ['2021-04-30T10:30:00', true],
      ['2021-05-01T10:30:00', false],
    ]);
  });
});

describe('29 February', () => {
  checkInstants(parsed(wire('2020-02-29 00:00:00', '2020-02-29 00:00:00', { repeat_type: 'year' }, true)), [
    ['2020-02-28T23:59:59', false],
    ['2020-02-29T12:00:00', true],
    ['2021-02-28T12:00:00', false],
    ['2021-03-01T12:00:00', false],
    ['2023-02-28T12:00:00', false],
    ['2024-02-29T00:00:00', true],
    ['2100-02-28T12:00:00', false],
    ['2100-03-01T12:00:00', false],
    ['2104-02-29T23:59:59', true],
  ]);
});

describe('parameterized days', () => {
  describe('the last FRI of every month, 09:00:00 to 17:00:00', () => {
    // From Thursday 1 October 2020: that first occurrence counts even though it is no last Friday.
    const range = { week_order: 'last', day_type: 'FRI' };
    checkInstants(parsed(wire('2020-10-01 09:00:00', '2020-10-01 17:00:00', customMonth(1, { format: 'parameterizedDay', range }))), [
      ['2020-10-01T12:00:00', true],
      ['2020-10-23T12:00:00', false],
      ['2020-10-30T12:00:00', true],
      ['2020-10-31T12:00:00', false],
      ['2020-11-27T09:00:00', true],
      ['2020-11-27T17:00:01', false],
      ['2021-01-29T12:00:00', true],
    ]);
  });
  describe('the first WEEK_DAY of every month (first Monday-to-Friday day)', () => {
    const range = { week_order: 'first', day_type: 'WEEK_DAY' };
    checkInstants(parsed(wire('2020-08-03 08:00:00', '2020-08-03 18:00:00', customMonth(1, { format: 'parameterizedDay', range }))), [
      ['2020-08-01T12:00:00', false],
      ['2020-08-03T12:00:00', true],
      ['2020-09-01T12:00:00', true],
      ['2020-11-01T12:00:00', false],
      ['2020-11-02T12:00:00', true],
      ['2020-11-03T12:00:00', false],
    ]);
  });
  describe('the first DAY_OFF (Saturday or Sunday) of every month, format left out', () => {
    const range = { week_order: 'first', day_type: 'DAY_OFF' };
    checkInstants(parsed(wire('2020-08-01 00:00:00', '2020-08-01 00:00:00', customMonth(1, { range }), true)), [
      ['2020-08-02T12:00:00', false],
      ['2020-09-05T12:00:00', true],
      ['2020-09-06T12:00:00', false],
      ['2020-11-01T12:00:00', true],
      ['2020-11-07T12:00:00', false],
    ]);
  });
  describe('the fifth SAT: only in months that have one', () => {
    const range = { week_order: 'fifth', day_type: 'SAT' };
    checkInstants(parsed(wire('2020-10-01 00:00:00', '2020-10-01 00:00:00', customMonth(1, { range }), true)), [
      ['2020-10-31T12:00:00', true],
      ['2020-11-28T12:00:00', false],
      ['2021-01-30T12:00:00', true],
    ]);
  });
});

describe('repeat_looper 2', () => {
  const customWeek = (days: string[]) => ({
    repeat_type: 'custom',
    repeat_custom: { repeat_point_type: 'week', repeat_looper: 2, repeat_options: days },
  });
  describe('custom week: Monday and Wednesday of every other week', () => {
    checkInstants(parsed(wire('2020-10-05 10:00:00', '2020-10-05 12:00:00', customWeek(['MON', 'WED']))), [
      ['2020-10-07T11:00:00', true],
      ['2020-10-08T11:00:00', false],
      ['2020-10-12T11:00:00', false],
      ['2020-10-14T11:00:00', false],
      ['2020-10-19T11:00:00', true],
      ['2020-10-21T11:00:00', true],
      ['2020-10-28T11:00:00', false],
      ['2020-11-02T11:00:00', true],
    ]);
  });
  describe('custom week counted from the week of date_from (a Wednesday)', () => {
    checkInstants(parsed(wire('2020-10-07 10:00:00', '2020-10-07 12:00:00', customWeek(['MON', 'WED']))), [
      ['2020-10-05T11:00:00', false],
      ['2020-10-07T11:00:00', true],
      ['2020-10-12T11:00:00', false],
      ['2020-10-19T11:00:00', true],
    ]);
  });
  describe('custom month: the 15th of every other month', () => {
    checkInstants(parsed(wire('2020-10-15 10:00:00', '2020-10-15 12:00:00', customMonth(2, { format: 'dayNumbers', range: [15] }))), [
      ['2020-11-15T11:00:00', false],
      ['2020-12-14T11:00:00', false],
      ['2020-12-15T11:00:00', true],
      ['2021-01-15T11:00:00', false],
      ['2021-02-15T11:00:00', true],
    ]);
  });
  describe('custom month without repeat_options: date_from’s day of every other month', () => {
    checkInstants(parsed(wire('2020-10-15 10:00:00', '2020-10-15 12:00:00', customMonth(2))), [
      ['2020-11-15T11:00:00', false],
      ['2020-12-15T11:00:00', true],
    ]);
  });
});

describe('other custom units', () => {
  describe('custom day, every third day', () => {
    const format = { repeat_type: 'custom', repeat_custom: { repeat_point_type: 'day', repeat_looper: 3 } };
    checkInstants(parsed(wire('2020-10-05 10:00:00', '2020-10-05 12:00:00', format)), [
      ['2020-10-06T11:00:00', false],
      ['2020-10-08T11:00:00', true],
      ['2020-10-09T11:00:00', false],
      ['2020-10-11T11:00:00', true],
    ]);
  });
  describe('custom year, every other year, the 10th of March and September', () => {
    const format = {
      repeat_type: 'custom',
      repeat_custom: { repeat_point_type: 'year', repeat_looper: 2, repeat_options: { months: [3, 9], format: 'dayNumbers', range: [10] } },
    };
    checkInstants(parsed(wire('2020-03-10 00:00:00', '2020-03-10 00:00:00', format, true)), [
      ['2020-09-10T12:00:00', true],
      ['2020-09-11T12:00:00', false],
      ['2021-03-10T12:00:00', false],
      ['2022-03-10T12:00:00', true],
      ['2022-09-10T12:00:00', true],
    ]);
  });
  describe('custom year with the last SUN of the listed months only', () => {
    const format = {
      repeat_type: 'custom',
      repeat_custom: {
        repeat_point_type: 'year',
        repeat_looper: 1,
        repeat_options: { months: [10], range: { week_order: 'last', day_type: 'SUN' } },
      },
    };
    checkInstants(parsed(wire('2020-10-25 00:00:00', '2020-10-25 00:00:00', format, true)), [
      ['2020-10-25T12:00:00', true],
      ['2021-10-24T12:00:00', false],
      ['2021-10-31T12:00:00', true],
      ['2021-03-28T12:00:00', false],
    ]);
  });
  describe('custom year without repeat_options: like yearly', () => {
    const format = { repeat_type: 'custom', repeat_custom: { repeat_point_type: 'year', repeat_looper: 1 } };
    checkInstants(parsed(wire('2020-10-05 08:00:00', '2020-10-05 18:00:00', format)), [
      ['2021-10-05T12:00:00', true],
      ['2021-11-05T12:00:00', false],
    ]);
  });
  it('a rule no month ever matches (the 30th of every February) has only its first occurrence', () => {
    const format = {
      repeat_type: 'custom',
      repeat_custom: { repeat_point_type: 'year', repeat_looper: 1, repeat_options: { months: [2], range: [30] } },
    };
    const profile = parsed(wire('2020-01-10 00:00:00', '2020-01-10 00:00:00', format, true));
    expect(isTimeProfileActive(profile, localMs('2020-01-10T12:00:00', KYIV), KYIV)).toBe(true);
    expect(isTimeProfileActive(profile, localMs('2999-03-01T12:00:00', KYIV), KYIV)).toBe(false);
  });
});

/** How many of the minutes from `fromIso` (UTC) for `minutes` find the profile active. */
function activeMinutes(profile: TimeProfile, fromIso: string, minutes: number, zone: string): number {
  let count = 0;
  for (let i = 0; i < minutes; i += 1) if (isTimeProfileActive(profile, utcMs(fromIso) + i * 60_000, zone)) count += 1;
  return count;
}

describe('daylight saving: wall-clock windows', () => {
  const daily = (from: string, to: string) => parsed(wire(`2020-10-01 ${from}`, `2020-10-01 ${to}`, { repeat_type: 'day' }));
  const at = (profile: TimeProfile, iso: string, zone: string) => isTimeProfileActive(profile, utcMs(iso), zone);

  describe('Europe/London', () => {
    const zone = 'Europe/London';
    const window = daily('01:15:00', '01:45:00');
    it('the repeated hour (2020-10-25, 01:00–01:59 twice): the window opens in both passes', () => {
      expect(at(window, '2020-10-25T00:20:00Z', zone)).toBe(true); // 01:20 BST
      expect(at(window, '2020-10-25T00:50:00Z', zone)).toBe(false); // 01:50 BST
      expect(at(window, '2020-10-25T01:20:00Z', zone)).toBe(true); // 01:20 GMT
      expect(at(window, '2020-10-25T01:50:00Z', zone)).toBe(false); // 01:50 GMT
      expect(activeMinutes(window, '2020-10-24T22:00:00Z', 8 * 60, zone)).toBe(2 * 31);
    });
    it('the skipped hour (2021-03-28, 01:00–01:59 never happens): the window never opens that day', () => {
      expect(activeMinutes(window, '2021-03-27T23:00:00Z', 24 * 60, zone)).toBe(0);
      expect(at(window, '2021-03-29T00:30:00Z', zone)).toBe(true); // 01:30 BST the next day
    });
    it('a window reaching into the skipped hour closes when the clocks jump past its end', () => {
      const early = daily('00:30:00', '01:30:00');
      expect(at(early, '2021-03-28T00:59:59Z', zone)).toBe(true); // 00:59:59 GMT
      expect(at(early, '2021-03-28T01:00:00Z', zone)).toBe(false); // 02:00:00 BST
    });
  });

  describe('America/New_York', () => {
    const zone = 'America/New_York';
    it('the repeated hour (2020-11-01, 01:00–01:59 twice): an 01:30 window opens twice', () => {
      const window = daily('01:15:00', '01:45:00');
      expect(at(window, '2020-11-01T05:30:00Z', zone)).toBe(true); // 01:30 EDT
      expect(at(window, '2020-11-01T06:30:00Z', zone)).toBe(true); // 01:30 EST
      expect(at(window, '2020-11-01T06:00:00Z', zone)).toBe(false); // 01:00 EST
      expect(activeMinutes(window, '2020-11-01T03:00:00Z', 8 * 60, zone)).toBe(2 * 31);
    });
    it('the skipped hour (2021-03-14, 02:00–02:59 never happens): a 02:15–02:45 window never opens that day', () => {
      const window = daily('02:15:00', '02:45:00');
      expect(activeMinutes(window, '2021-03-14T05:00:00Z', 24 * 60, zone)).toBe(0);
      expect(at(window, '2021-03-15T06:30:00Z', zone)).toBe(true); // 02:30 EDT the next day
    });
  });

  it('an unknown zone is a programming error', () => {
    expect(() => isTimeProfileActive(daily('01:00:00', '02:00:00'), 0, 'Mars/Olympus')).toThrow(RangeError);
  });
});

/**
 * An independent reading of the rules: for every day whose occurrence could cover the instant, ask
 * whether the rule picks that day (a predicate on the day, where the module searches backwards for the
 * latest repeat day) and whether that occurrence covers the instant.
 */
function bruteForceActive(profile: TimeProfile, at: number, zone: string): boolean {
  const local = DateTime.fromMillis(at, { zone });
  const now = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second) / 1000;
  const { is_all_day: allDay, date_from: from, date_to: to } = profile.time_options;
  const day = (seconds: number) => DateTime.fromSeconds(seconds, { zone: 'UTC' }).startOf('day');
  const first = day(from);
  const start = allDay ? 0 : from - first.toSeconds();
  const length = allDay ? day(to).diff(first, 'days').days * 86_400 + 86_399 : to - from;
  const format = profile.repeat_options.repeat_enable ? profile.repeat_options.repeat_format : undefined;
  const end = format?.repeat_end?.format === 'date' ? day(format.repeat_end.date as number) : undefined;
  const weekdayNames = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];
  const dayPicked = (d: DateTime, range: unknown): boolean => {
    if (range === undefined) return d.day === first.day;
    if (Array.isArray(range)) return range.includes(d.day);
    const { week_order: order, day_type: type } = range as { week_order: string; day_type: string };
    const matches = (x: DateTime) =>
      type === 'WEEK_DAY' ? x.weekday <= 5 : type === 'DAY_OFF' ? x.weekday >= 6 : weekdayNames[x.weekday - 1] === type;
    if (!matches(d)) return false;
    const sameMonth = Array.from({ length: d.daysInMonth ?? 31 }, (_, i) => d.set({ day: i + 1 })).filter(matches);
    const position = sameMonth.findIndex((x) => x.day === d.day);
    return order === 'last' ? position === sameMonth.length - 1 : position === ['first', 'second', 'third', 'fourth', 'fifth'].indexOf(order);
  };
  const picked = (d: DateTime): boolean => {
    const days = Math.round(d.diff(first, 'days').days);
    if (days === 0) return true;
    if (!format) return false;
    const months = (d.year - first.year) * 12 + d.month - first.month;
    switch (format.repeat_type) {
      case 'day':
        return true;
      case 'week':
        return days % 7 === 0;
      case 'twoWeeks':
        return days % 14 === 0;
      case 'month':
        return d.day === first.day;
      case 'year':
        return d.month === first.month && d.day === first.day;
      case 'custom': {
        const custom = format.repeat_custom as NonNullable<typeof format.repeat_custom>;
        const n = custom.repeat_looper;
        const options = custom.repeat_options as unknown;
        switch (custom.repeat_point_type) {
          case 'day':
            return days % n === 0;
          case 'week': {
            const weeks = Math.round(d.startOf('week').diff(first.startOf('week'), 'days').days / 7);
            const listed = Array.isArray(options) ? options.includes(weekdayNames[d.weekday - 1]) : d.weekday === first.weekday;
            return weeks % n === 0 && listed;
          }
          case 'month':
            return months % n === 0 && dayPicked(d, (options as { range?: unknown } | undefined)?.range);
          case 'year': {
            const o = options as { range?: unknown; months?: number[] } | undefined;
            return (d.year - first.year) % n === 0 && (o?.months ?? [first.month]).includes(d.month) && dayPicked(d, o?.range);
          }
        }
      }
    }
    return false;
  };
  // Only days whose occurrence could still be running matter.
  const earliest = DateTime.max(first, day(now - start - length));
  for (let d = earliest; d.toSeconds() + start <= now && !(end && d > end); d = d.plus({ days: 1 })) {
    if (picked(d) && now <= d.toSeconds() + start + length) return true;
  }
  return false;
}

describe('agrees with a day-by-day walk on random profiles and instants', () => {
  const weekday = fc.constantFrom('MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN');
  const range = fc.oneof(
    fc.uniqueArray(fc.integer({ min: 1, max: 31 }), { minLength: 1, maxLength: 4 }),
    fc.record({
      week_order: fc.constantFrom('first', 'second', 'third', 'fourth', 'fifth', 'last'),
      day_type: fc.constantFrom('MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN', 'WEEK_DAY', 'DAY_OFF'),
    }),
  );
  const repeatCustom = fc.oneof(
    fc.record({ repeat_point_type: fc.constant('day'), repeat_looper: fc.integer({ min: 1, max: 10 }) }),
    fc.record(
      {
        repeat_point_type: fc.constant('week'),
        repeat_looper: fc.integer({ min: 1, max: 4 }),
        repeat_options: fc.uniqueArray(weekday, { minLength: 1 }),
      },
      { requiredKeys: ['repeat_point_type', 'repeat_looper'] },
    ),
    fc.record(
      {
        repeat_point_type: fc.constant('month'),
        repeat_looper: fc.integer({ min: 1, max: 5 }),
        repeat_options: fc.record({ range }, { requiredKeys: [] }),
      },
      { requiredKeys: ['repeat_point_type', 'repeat_looper'] },
    ),
    fc.record(
      {
        repeat_point_type: fc.constant('year'),
        repeat_looper: fc.integer({ min: 1, max: 3 }),
        repeat_options: fc.record(
          { range, months: fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 3 }) },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ['repeat_point_type', 'repeat_looper'] },
    ),
  );
  const DAY = 86_400;
  const FIRST = wall('2019-12-20 00:00:00');
  const profileArb = fc
    .record({
      from: fc.integer({ min: FIRST, max: FIRST + 400 * DAY }),
      length: fc.oneof(fc.integer({ min: 0, max: 6 * 3600 }), fc.integer({ min: 0, max: 3 * DAY })),
      isAllDay: fc.boolean(),
      repeatType: fc.constantFrom('none', 'day', 'week', 'twoWeeks', 'month', 'year', 'custom'),
      custom: repeatCustom,
      endAfterDays: fc.option(fc.integer({ min: 0, max: 500 })),
    })
    .map(({ from, length, isAllDay, repeatType, custom, endAfterDays }) => ({
      time_options: { is_all_day: isAllDay, date_from: from, date_to: from + length },
      repeat_options:
        repeatType === 'none'
          ? { repeat_enable: false }
          : {
              repeat_enable: true,
              repeat_format: {
                repeat_type: repeatType,
                repeat_end: endAfterDays === null ? { format: 'never' } : { format: 'date', date: from + endAfterDays * DAY },
                ...(repeatType === 'custom' ? { repeat_custom: custom } : {}),
              },
            },
    }));
  // Instants a whole number of days, weeks, months or years after date_from's date (give or take a day),
  // near the time of day windows open, so that many fall inside one; read as wall-clock time in a zone
  // with daylight saving (Lord Howe shifts by half an hour).
  const instantArb = fc.record({
    zone: fc.constantFrom('UTC', 'Europe/Kyiv', 'Europe/London', 'America/New_York', 'Australia/Lord_Howe'),
    unit: fc.constantFrom('days', 'weeks', 'months', 'years'),
    count: fc.integer({ min: -1, max: 40 }),
    shift: fc.constantFrom(-1, 0, 0, 0, 1),
    around: fc.oneof(fc.integer({ min: -3600, max: 3600 }), fc.integer({ min: -DAY, max: 3 * DAY })),
    millis: fc.integer({ min: 0, max: 999 }),
  });
  it('for any profile, zone and instant', () => {
    fc.assert(
      fc.property(profileArb, instantArb, (input, { zone, unit, count, shift, around, millis }) => {
        const profile = parsed(input);
        const { is_all_day: allDay, date_from: from } = input.time_options;
        const startOfDay = allDay ? 0 : from % DAY;
        const wallClock = DateTime.fromSeconds(from - (from % DAY), { zone: 'UTC' })
          .plus({ [unit]: count, days: shift })
          .plus({ seconds: startOfDay + around });
        const at = wallClock.setZone(zone, { keepLocalTime: true }).toMillis() + millis;
        expect(isTimeProfileActive(profile, at, zone)).toBe(bruteForceActive(profile, at, zone));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseTimeProfile', () => {
  const FROM = wall('2020-10-05 08:00:00');
  const TO = wall('2020-10-05 18:00:00');
  const base = (repeatOptions: unknown = { repeat_enable: false }, timeOptions: unknown = { is_all_day: false, date_from: FROM, date_to: TO }) => ({
    time_options: timeOptions,
    repeat_options: repeatOptions,
  });
  const repeating = (format: unknown) => base({ repeat_enable: true, repeat_format: format });
  const custom = (repeatCustom: unknown) => repeating({ repeat_type: 'custom', repeat_custom: repeatCustom });
  const RF = 'repeat_options.repeat_format';
  const RC = `${RF}.repeat_custom`;

  describe('accepts', () => {
    it('drops fields outside the rule (name, item_uid, link_id) and nulls of optional fields', () => {
      const result = parseTimeProfile({
        name: 'Daily',
        item_uid: 4,
        link_id: null,
        time_options: { is_all_day: false, date_from: FROM, date_to: TO },
        repeat_options: { repeat_enable: true, repeat_format: { repeat_type: 'day', repeat_end: null, repeat_custom: null } },
      });
      expect(result).toEqual({
        ok: true,
        profile: {
          time_options: { is_all_day: false, date_from: FROM, date_to: TO },
          repeat_options: { repeat_enable: true, repeat_format: { repeat_type: 'day' } },
        },
      });
    });
    it.each([
      ['date_from equal to date_to', base(undefined, { is_all_day: false, date_from: FROM, date_to: FROM })],
      [
        'repeat_end on the date of date_from, earlier in the day',
        repeating({ repeat_type: 'day', repeat_end: { format: 'date', date: wall('2020-10-05 00:00:00') } }),
      ],
      ['repeat_end never with a date', repeating({ repeat_type: 'day', repeat_end: { format: 'never', date: FROM } })],
      ['a repeat_format while repeat_enable is false', base({ repeat_enable: false, repeat_format: { repeat_type: 'week' } })],
      ['a custom week without weekdays', custom({ repeat_point_type: 'week', repeat_looper: 1 })],
      ['a custom month with an empty object', custom({ repeat_point_type: 'month', repeat_looper: 1000, repeat_options: {} })],
      ['a custom year with only months', custom({ repeat_point_type: 'year', repeat_looper: 1, repeat_options: { months: [1, 12] } })],
      [
        'a custom year with a parameterized day',
        custom({
          repeat_point_type: 'year',
          repeat_looper: 1,
          repeat_options: { months: [5], format: 'parameterizedDay', range: { week_order: 'second', day_type: 'DAY_OFF' } },
        }),
      ],
    ])('%s', (_label, input) => {
      expect(parseTimeProfile(input).ok).toBe(true);
    });
  });

  describe('refuses, naming the field and the value', () => {
    const rows: [string, unknown, string[], TimeProfileProblemKey[]][] = [
      ['not an object', 'daily', ['A time profile must be a JSON object: "daily"'], ['wrong_type']],
      ['both parts missing', {}, ['time_options is required', 'repeat_options is required'], ['missing', 'missing']],
      [
        'time_options fields missing',
        base(undefined, {}),
        ['time_options.is_all_day is required', 'time_options.date_from is required', 'time_options.date_to is required'],
        ['missing', 'missing', 'missing'],
      ],
      [
        'date_to before date_from',
        base(undefined, { is_all_day: false, date_from: TO, date_to: FROM }),
        [`time_options.date_to must not be before time_options.date_from (${TO}): ${FROM}`],
        ['invalid_time_rules_settings'],
      ],
      [
        'dates of the wrong type',
        base(undefined, { is_all_day: 'true', date_from: '1601884800', date_to: 1601884800.5 }),
        [
          'time_options.is_all_day must be true or false: "true"',
          'time_options.date_from must be an integer: "1601884800"',
          'time_options.date_to must be an integer: 1601884800.5',
        ],
        ['wrong_type', 'wrong_type', 'wrong_type'],
      ],
      [
        'dates out of range',
        base(undefined, { is_all_day: false, date_from: -1, date_to: 253402300800 }),
        [
          'time_options.date_from must be Unix seconds from 0 to 253402300799: -1',
          'time_options.date_to must be Unix seconds from 0 to 253402300799: 253402300800',
        ],
        ['invalid_time_rules_settings', 'invalid_time_rules_settings'],
      ],
      ['repeat_options not an object', base([]), ['repeat_options must be an object: []'], ['wrong_type']],
      ['repeat_enable missing', base({}), ['repeat_options.repeat_enable is required'], ['missing']],
      ['repeat_enable without repeat_format', base({ repeat_enable: true }), [`${RF} is required when repeat_enable is true`], ['wrong_rule']],
      ['repeat_type missing', repeating({}), [`${RF}.repeat_type is required`], ['missing']],
      [
        'an unknown repeat_type',
        repeating({ repeat_type: 'fortnight' }),
        [`${RF}.repeat_type must be one of day, week, twoWeeks, month, year, custom: fortnight`],
        ['wrong_rule'],
      ],
      [
        'an unknown repeat_end format',
        repeating({ repeat_type: 'day', repeat_end: { format: 'sometimes' } }),
        [`${RF}.repeat_end.format must be one of never, date: sometimes`],
        ['wrong_rule'],
      ],
      [
        'repeat_end format date without a date',
        repeating({ repeat_type: 'day', repeat_end: { format: 'date' } }),
        [`${RF}.repeat_end.date is required when format is date`],
        ['wrong_rule'],
      ],
      [
        'repeat_end before the date of date_from',
        repeating({ repeat_type: 'day', repeat_end: { format: 'date', date: wall('2020-10-04 23:59:59') } }),
        [`${RF}.repeat_end.date must not be before the date of time_options.date_from (${FROM}): ${wall('2020-10-04 23:59:59')}`],
        ['wrong_rule'],
      ],
      ['custom without repeat_custom', repeating({ repeat_type: 'custom' }), [`${RC} is required when repeat_type is custom`], ['wrong_rule']],
      [
        'repeat_custom fields missing',
        custom({}),
        [`${RC}.repeat_point_type is required`, `${RC}.repeat_looper is required`],
        ['missing', 'missing'],
      ],
      ['repeat_looper 0', custom({ repeat_point_type: 'day', repeat_looper: 0 }), [`${RC}.repeat_looper must be 1 to 1000: 0`], ['wrong_rule']],
      [
        'repeat_looper 1001',
        custom({ repeat_point_type: 'day', repeat_looper: 1001 }),
        [`${RC}.repeat_looper must be 1 to 1000: 1001`],
        ['wrong_rule'],
      ],
      [
        'repeat_looper not an integer',
        custom({ repeat_point_type: 'day', repeat_looper: 2.5 }),
        [`${RC}.repeat_looper must be an integer: 2.5`],
        ['wrong_type'],
      ],
      [
        'an unknown repeat_point_type',
        custom({ repeat_point_type: 'hour', repeat_looper: 1 }),
        [`${RC}.repeat_point_type must be one of day, week, month, year: hour`],
        ['wrong_rule'],
      ],
      [
        'an unknown weekday',
        custom({ repeat_point_type: 'week', repeat_looper: 1, repeat_options: ['MON', 'MONDAY'] }),
        [`${RC}.repeat_options[1] must be one of MON, TUE, WED, THU, FRI, SAT, SUN: MONDAY`],
        ['wrong_rule'],
      ],
      [
        'an empty weekday list',
        custom({ repeat_point_type: 'week', repeat_looper: 1, repeat_options: [] }),
        [`${RC}.repeat_options must not be empty: []`],
        ['wrong_rule'],
      ],
      [
        'repeat_options neither a list nor an object',
        custom({ repeat_point_type: 'week', repeat_looper: 1, repeat_options: 'MON' }),
        [`${RC}.repeat_options must be a list of weekdays or an object: "MON"`],
        ['wrong_type'],
      ],
      [
        'a day rule for a week',
        custom({ repeat_point_type: 'week', repeat_looper: 1, repeat_options: { range: [1] } }),
        [`${RC}.repeat_options must be a list of weekdays with repeat_point_type week: {"range":[1]}`],
        ['wrong_rule'],
      ],
      [
        'weekdays for a month',
        custom({ repeat_point_type: 'month', repeat_looper: 1, repeat_options: ['MON'] }),
        [`${RC}.repeat_options must be an object with range with repeat_point_type month: ["MON"]`],
        ['wrong_rule'],
      ],
      [
        'repeat_options for a day',
        custom({ repeat_point_type: 'day', repeat_looper: 1, repeat_options: ['MON'] }),
        [`${RC}.repeat_options is not used with repeat_point_type day: ["MON"]`],
        ['wrong_rule'],
      ],
      [
        'months for a month',
        custom({ repeat_point_type: 'month', repeat_looper: 1, repeat_options: { months: [1], range: [1] } }),
        [`${RC}.repeat_options.months is only used with repeat_point_type year: [1]`],
        ['wrong_rule'],
      ],
      [
        'day numbers out of range',
        custom({ repeat_point_type: 'month', repeat_looper: 1, repeat_options: { format: 'dayNumbers', range: [0, 15, 32] } }),
        [`${RC}.repeat_options.range[0] must be 1 to 31: 0`, `${RC}.repeat_options.range[2] must be 1 to 31: 32`],
        ['wrong_rule', 'wrong_rule'],
      ],
      [
        'months out of range, and an empty range',
        custom({ repeat_point_type: 'year', repeat_looper: 1, repeat_options: { months: [0, 13], range: [] } }),
        [
          `${RC}.repeat_options.months[0] must be 1 to 12: 0`,
          `${RC}.repeat_options.months[1] must be 1 to 12: 13`,
          `${RC}.repeat_options.range must not be empty: []`,
        ],
        ['wrong_rule', 'wrong_rule', 'wrong_rule'],
      ],
      [
        'an unknown week_order and day_type',
        custom({ repeat_point_type: 'month', repeat_looper: 1, repeat_options: { range: { week_order: 'sixth', day_type: 'HOLIDAY' } } }),
        [
          `${RC}.repeat_options.range.week_order must be one of first, second, third, fourth, fifth, last: sixth`,
          `${RC}.repeat_options.range.day_type must be one of MON, TUE, WED, THU, FRI, SAT, SUN, WEEK_DAY, DAY_OFF: HOLIDAY`,
        ],
        ['wrong_rule', 'wrong_rule'],
      ],
      [
        'a parameterized day missing its parts',
        custom({ repeat_point_type: 'month', repeat_looper: 1, repeat_options: { format: 'parameterizedDay', range: {} } }),
        [`${RC}.repeat_options.range.week_order is required`, `${RC}.repeat_options.range.day_type is required`],
        ['missing', 'missing'],
      ],
      [
        'an unknown format',
        custom({ repeat_point_type: 'month', repeat_looper: 1, repeat_options: { format: 'weekly', range: [1] } }),
        [`${RC}.repeat_options.format must be one of dayNumbers, parameterizedDay: weekly`],
        ['wrong_rule'],
      ],
      [
        'format dayNumbers with a parameterized range',
        custom({
          repeat_point_type: 'month',
          repeat_looper: 1,
          repeat_options: { format: 'dayNumbers', range: { week_order: 'last', day_type: 'FRI' } },
        }),
        [`${RC}.repeat_options.range must be a list of day numbers when format is dayNumbers: {"week_order":"last","day_type":"FRI"}`],
        ['wrong_rule'],
      ],
      [
        'format parameterizedDay with day numbers',
        custom({ repeat_point_type: 'month', repeat_looper: 1, repeat_options: { format: 'parameterizedDay', range: [1] } }),
        [`${RC}.repeat_options.range must be {week_order, day_type} when format is parameterizedDay: [1]`],
        ['wrong_rule'],
      ],
      [
        'format without range',
        custom({ repeat_point_type: 'month', repeat_looper: 1, repeat_options: { format: 'dayNumbers' } }),
        [`${RC}.repeat_options.range is required when format is given`],
        ['wrong_rule'],
      ],
      [
        'range of the wrong type',
        custom({ repeat_point_type: 'month', repeat_looper: 1, repeat_options: { range: 15 } }),
        [`${RC}.repeat_options.range must be a list of day numbers or {week_order, day_type}: 15`],
        ['wrong_type'],
      ],
      [
        'a repeat_custom that is ignored is still checked',
        repeating({ repeat_type: 'day', repeat_custom: { repeat_point_type: 'week', repeat_looper: 0 } }),
        [`${RC}.repeat_looper must be 1 to 1000: 0`],
        ['wrong_rule'],
      ],
      [
        'every problem at once',
        {
          time_options: { is_all_day: false, date_from: TO, date_to: FROM },
          repeat_options: {
            repeat_enable: true,
            repeat_format: { repeat_type: 'custom', repeat_custom: { repeat_point_type: 'week', repeat_looper: 0, repeat_options: ['FUN'] } },
          },
        },
        [
          `time_options.date_to must not be before time_options.date_from (${TO}): ${FROM}`,
          `${RC}.repeat_looper must be 1 to 1000: 0`,
          `${RC}.repeat_options[0] must be one of MON, TUE, WED, THU, FRI, SAT, SUN: FUN`,
        ],
        ['invalid_time_rules_settings', 'wrong_rule', 'wrong_rule'],
      ],
    ];
    it.each(rows)('%s', (_label, input, messages, keys) => {
      const result = parseTimeProfile(input);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.messages).toEqual(messages);
      expect(result.problems.map((p) => p.key)).toEqual(keys);
      expect(result.problems.map((p) => p.message)).toEqual(messages);
    });
  });
});
