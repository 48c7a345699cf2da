import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { startedPlan as plan } from '../../test/factories/door-mode-facts.ts';
import { describeCause } from './decide.ts';
import { type DoorModeFacts, type FreeAccessWindow, NO_DOOR_MODE, type UnlockRow, doorModeAt, firstInDay, nextModeChange } from './door-mode.ts';

const BERLIN = 'Europe/Berlin';
const EVERY_DAY = [true, true, true, true, true, true, true];
const WEEKDAYS = [true, true, true, true, true, false, false];
const berlin = (iso: string) => DateTime.fromISO(iso, { zone: BERLIN }).toMillis();

const officeUnlocked: UnlockRow = {
  mode: 'unlocked',
  firstPersonIn: false,
  schedule: { id: 1, name: 'Office hours', days: WEEKDAYS, start: '08:00:00', stop: '17:59:59' },
};
const lunchCardAndPin: UnlockRow = {
  mode: 'card_and_pin',
  firstPersonIn: false,
  schedule: { id: 2, name: 'Lunch', days: EVERY_DAY, start: '12:00:00', stop: '12:59:59' },
};
const nightsLocked: UnlockRow = {
  mode: 'locked',
  firstPersonIn: false,
  schedule: { id: 3, name: 'Nights', days: EVERY_DAY, start: '22:00:00', stop: '05:59:59' },
};
const withRows = (rows: UnlockRow[], over: Partial<DoorModeFacts> = {}): DoorModeFacts => ({ ...NO_DOOR_MODE, unlockRows: rows, ...over });

describe('doorModeAt', () => {
  const rows: [string, DoorModeFacts, string, string, string][] = [
    ['no facts', NO_DOOR_MODE, '2026-11-25T10:00:00', 'access_controlled', 'default'],
    ['inside an unlocked row', withRows([officeUnlocked]), '2026-11-25T10:00:00', 'unlocked', 'schedule'],
    ['outside it', withRows([officeUnlocked]), '2026-11-25T18:00:00', 'access_controlled', 'default'],
    ['the last second of it', withRows([officeUnlocked]), '2026-11-25T17:59:59', 'unlocked', 'schedule'],
    ['two rows: the more restrictive wins', withRows([officeUnlocked, lunchCardAndPin]), '2026-11-25T12:30:00', 'card_and_pin', 'schedule'],
    ['a locked row past midnight belongs to its evening', withRows([nightsLocked]), '2026-11-26T00:00:00', 'locked', 'schedule'],
    ['and ends after its stop second', withRows([nightsLocked]), '2026-11-26T06:00:00', 'access_controlled', 'default'],
    [
      'a holiday of one day',
      withRows([officeUnlocked], { holidays: [{ name: 'Staff day', start: '2026-11-25', end: '2026-11-25', yearly: false }] }),
      '2026-11-25T10:00:00',
      'access_controlled',
      'holiday',
    ],
    [
      'the day after it',
      withRows([officeUnlocked], { holidays: [{ name: 'Staff day', start: '2026-11-25', end: '2026-11-25', yearly: false }] }),
      '2026-11-26T10:00:00',
      'unlocked',
      'schedule',
    ],
    [
      'a range of days',
      withRows([officeUnlocked], { holidays: [{ name: 'Works', start: '2026-11-20', end: '2026-11-30', yearly: false }] }),
      '2026-11-27T10:00:00',
      'access_controlled',
      'holiday',
    ],
    [
      'a yearly range over New Year, a later year',
      withRows([officeUnlocked], { holidays: [{ name: 'Winter', start: '2025-12-24', end: '2026-01-02', yearly: true }] }),
      '2028-01-03T10:00:00',
      'unlocked',
      'schedule',
    ],
    [
      'a yearly range over New Year, inside it',
      withRows([officeUnlocked], { holidays: [{ name: 'Winter', start: '2025-12-24', end: '2026-01-02', yearly: true }] }),
      '2027-12-27T10:00:00',
      'access_controlled',
      'holiday',
    ],
    [
      'a holiday on the spring DST change (Berlin, 2026-03-29), just after 03:00',
      withRows([{ ...officeUnlocked, schedule: { ...officeUnlocked.schedule, days: EVERY_DAY, start: '02:30:00', stop: '05:00:00' } }], {
        holidays: [{ name: 'Easter', start: '2026-03-29', end: '2026-03-29', yearly: false }],
      }),
      '2026-03-29T03:00:00',
      'access_controlled',
      'holiday',
    ],
    [
      'first person in pending',
      withRows([{ ...officeUnlocked, firstPersonIn: true }], { lastFirstIn: '2026-11-24' }),
      '2026-11-25T10:00:00',
      'access_controlled',
      'first_person_in_pending',
    ],
    [
      'first person in recorded today',
      withRows([{ ...officeUnlocked, firstPersonIn: true }], { lastFirstIn: '2026-11-25' }),
      '2026-11-25T10:00:00',
      'unlocked',
      'schedule',
    ],
    [
      'an override beats the schedule',
      withRows([officeUnlocked], { override: { mode: 'locked', since: berlin('2026-11-25T09:00:00'), until: null, actor: 'operator bob' } }),
      '2026-11-25T10:00:00',
      'locked',
      'override',
    ],
    [
      'an override ends at its until',
      withRows([officeUnlocked], {
        override: { mode: 'locked', since: berlin('2026-11-25T09:00:00'), until: berlin('2026-11-25T10:00:00'), actor: 'operator bob' },
      }),
      '2026-11-25T10:00:00',
      'unlocked',
      'schedule',
    ],
    [
      'a lockdown beats an override',
      withRows([], { override: { mode: 'unlocked', since: 0, until: null, actor: 'operator bob' }, lockdowns: [plan()] }),
      '2026-11-25T14:02:00',
      'locked',
      'lockdown',
    ],
    ['a lockdown not yet started', withRows([], { lockdowns: [plan()] }), '2026-11-25T14:01:59', 'access_controlled', 'default'],
    [
      'an egress plan of higher priority beats a lockdown',
      withRows([], { lockdowns: [plan(), plan({ id: 2, name: 'Evacuate', mode: 'egress', priority: 20 })] }),
      '2026-11-25T15:00:00',
      'unlocked',
      'lockdown',
    ],
    [
      'auto-revert: past its until, the next plan shows',
      withRows([], {
        lockdowns: [plan(), plan({ id: 2, name: 'Evacuate', mode: 'egress', priority: 20, until: berlin('2026-11-25T15:00:00') })],
      }),
      '2026-11-25T15:00:00',
      'locked',
      'lockdown',
    ],
  ];
  it.each(rows)('%s', (_label, facts, at, mode, cause) => {
    const resolved = doorModeAt(facts, berlin(at), BERLIN);
    expect([resolved.mode, resolved.cause.via]).toEqual([mode, cause]);
  });

  it('a DST day (Berlin): an unlock row from 02:30 opens at 03:00 in spring, and covers the repeated hour twice in autumn', () => {
    const early = withRows([{ ...officeUnlocked, schedule: { ...officeUnlocked.schedule, days: EVERY_DAY, start: '02:30:00', stop: '02:59:59' } }]);
    // 2026-03-29: 02:00 CET → 03:00 CEST at 01:00 UTC; the window lies in the skipped hour and never opens.
    expect(doorModeAt(early, Date.UTC(2026, 2, 29, 1, 0, 0) - 1, BERLIN).mode).toBe('access_controlled');
    expect(doorModeAt(early, Date.UTC(2026, 2, 29, 1, 0, 0), BERLIN).mode).toBe('access_controlled');
    // 2026-10-25: 03:00 CEST → 02:00 CET at 01:00 UTC; 02:30 happens at 00:30 and 01:30 UTC.
    expect(doorModeAt(early, Date.UTC(2026, 9, 25, 0, 30, 0), BERLIN).mode).toBe('unlocked');
    expect(doorModeAt(early, Date.UTC(2026, 9, 25, 1, 15, 0), BERLIN).mode).toBe('access_controlled');
    expect(doorModeAt(early, Date.UTC(2026, 9, 25, 1, 30, 0), BERLIN).mode).toBe('unlocked');
  });
});

describe('doorModeAt: a BAS-IP panel lock’s free access', () => {
  // Wednesday 2026-11-25, lock 1, 08:00 to 17:59:59 (a panel's 17:59, whole minute).
  const wednesday: FreeAccessWindow = { weekday: 2, from: 8 * 3600, to: 18 * 3600 - 1 };
  const free = (window: FreeAccessWindow, over: Partial<DoorModeFacts> = {}, lock = 1): DoorModeFacts => ({
    ...NO_DOOR_MODE,
    freeAccess: [{ lock, window }],
    ...over,
  });
  // Friday 22:00 to Saturday 05:59:59 (spans midnight); Sunday 02:30 to 03:30:59 (the DST hours).
  const fridayNight: FreeAccessWindow = { weekday: 4, from: 22 * 3600, to: 6 * 3600 - 1 };
  const sundayEarly: FreeAccessWindow = { weekday: 6, from: 2.5 * 3600, to: 3.5 * 3600 + 59 };
  const override = { mode: 'access_controlled' as const, since: berlin('2026-11-25T09:00:00'), until: null, actor: 'operator bob' };
  const staffDay = { name: 'Staff day', start: '2026-11-25', end: '2026-11-25', yearly: false };

  const rows: [string, DoorModeFacts, number, string, string][] = [
    ['inside the window', free(wednesday), berlin('2026-11-25T10:00:00'), 'unlocked', 'free_access'],
    ['its first second', free(wednesday), berlin('2026-11-25T08:00:00'), 'unlocked', 'free_access'],
    ['its last second', free(wednesday), berlin('2026-11-25T17:59:59'), 'unlocked', 'free_access'],
    ['the second after it', free(wednesday), berlin('2026-11-25T18:00:00'), 'access_controlled', 'default'],
    ['another weekday', free(wednesday), berlin('2026-11-26T10:00:00'), 'access_controlled', 'default'],
    ['a window past midnight, before it', free(fridayNight), berlin('2026-11-27T23:59:59'), 'unlocked', 'free_access'],
    ['a window past midnight, at midnight', free(fridayNight), berlin('2026-11-28T00:00:00'), 'unlocked', 'free_access'],
    ['a window past midnight, its last second', free(fridayNight), berlin('2026-11-28T05:59:59'), 'unlocked', 'free_access'],
    ['a window past midnight: Friday’s early hours are Thursday’s', free(fridayNight), berlin('2026-11-27T03:00:00'), 'access_controlled', 'default'],
    // 2026-03-29: 02:00 CET → 03:00 CEST at 01:00 UTC, so 02:30 never shows and the window opens at 03:00.
    ['spring DST day: the skipped hour', free(sundayEarly), Date.UTC(2026, 2, 29, 1, 0, 0) - 1, 'access_controlled', 'default'],
    ['spring DST day: opens when the clocks show 03:00', free(sundayEarly), Date.UTC(2026, 2, 29, 1, 0, 0), 'unlocked', 'free_access'],
    ['spring DST day: 03:30:59 CEST is its last second', free(sundayEarly), Date.UTC(2026, 2, 29, 1, 30, 59), 'unlocked', 'free_access'],
    ['spring DST day: 03:31 CEST is after it', free(sundayEarly), Date.UTC(2026, 2, 29, 1, 31, 0), 'access_controlled', 'default'],
    // 2026-10-25: 03:00 CEST → 02:00 CET at 01:00 UTC; 02:45 happens twice, both inside.
    ['autumn DST day: 02:45 CEST', free(sundayEarly), Date.UTC(2026, 9, 25, 0, 45, 0), 'unlocked', 'free_access'],
    ['autumn DST day: 02:45 CET', free(sundayEarly), Date.UTC(2026, 9, 25, 1, 45, 0), 'unlocked', 'free_access'],
    ['a lockdown locks the door in its window', free(wednesday, { lockdowns: [plan()] }), berlin('2026-11-25T15:00:00'), 'locked', 'lockdown'],
    [
      'an override wins over it, even back to access controlled',
      free(wednesday, { override }),
      berlin('2026-11-25T10:00:00'),
      'access_controlled',
      'override',
    ],
    [
      'a holiday sets it aside, as it does an unlock schedule',
      free(wednesday, { holidays: [staffDay] }),
      berlin('2026-11-25T10:00:00'),
      'access_controlled',
      'holiday',
    ],
    [
      'a locked unlock-schedule row is more restrictive: fail closed',
      free(wednesday, { unlockRows: [{ ...nightsLocked, schedule: { ...nightsLocked.schedule, start: '09:00:00', stop: '11:00:00' } }] }),
      berlin('2026-11-25T10:00:00'),
      'locked',
      'schedule',
    ],
    [
      'an unlocked row too: the schedule names the cause',
      free(wednesday, { unlockRows: [officeUnlocked] }),
      berlin('2026-11-25T10:00:00'),
      'unlocked',
      'schedule',
    ],
    [
      'a row waiting for its first person in is more restrictive',
      free(wednesday, { unlockRows: [{ ...officeUnlocked, firstPersonIn: true }] }),
      berlin('2026-11-25T10:00:00'),
      'access_controlled',
      'first_person_in_pending',
    ],
  ];
  it.each(rows)('%s', (_label, facts, at, mode, cause) => {
    const resolved = doorModeAt(facts, at, BERLIN);
    expect([resolved.mode, resolved.cause.via]).toEqual([mode, cause]);
  });

  it('names the lock and when the window closes; of two open windows, the one open longer', () => {
    const at = berlin('2026-11-25T10:00:00');
    const resolved = doorModeAt(free(wednesday), at, BERLIN);
    expect(resolved.cause).toEqual({ via: 'free_access', lock: 1, until: berlin('2026-11-25T18:00:00') });
    expect(describeCause(resolved.cause, at, BERLIN)).toBe('BAS-IP free access, lock 1, until 18:00');
    const two: DoorModeFacts = {
      ...NO_DOOR_MODE,
      freeAccess: [
        { lock: 1, window: wednesday },
        { lock: 2, window: { weekday: 2, from: 0, to: 86_399 } },
      ],
    };
    expect(describeCause(doorModeAt(two, at, BERLIN).cause, at, BERLIN)).toBe('BAS-IP free access, lock 2, until 2026-11-26 00:00');
    const night = berlin('2026-11-27T23:00:00');
    expect(describeCause(doorModeAt(free(fridayNight), night, BERLIN).cause, night, BERLIN)).toBe(
      'BAS-IP free access, lock 1, until 2026-11-28 06:00',
    );
    const holiday = doorModeAt(free(wednesday, { holidays: [staffDay], unlockRows: [officeUnlocked] }), at, BERLIN);
    expect(describeCause(holiday.cause, at, BERLIN)).toBe("holiday 'Staff day', on which unlock schedules and BAS-IP free access do not apply");
    const onlyFree = doorModeAt(free(wednesday, { holidays: [staffDay] }), at, BERLIN);
    expect(describeCause(onlyFree.cause, at, BERLIN)).toBe("holiday 'Staff day', on which BAS-IP free access does not apply");
  });

  it('is a change of the scheduled mode for "until the next change"', () => {
    expect(nextModeChange(free(wednesday), berlin('2026-11-25T10:00:00'), BERLIN)).toBe(berlin('2026-11-25T18:00:00'));
    expect(nextModeChange(free(wednesday), berlin('2026-11-25T19:00:00'), BERLIN)).toBe(berlin('2026-12-02T08:00:00'));
    expect(nextModeChange(free(sundayEarly), berlin('2026-03-29T00:00:00'), BERLIN)).toBe(Date.UTC(2026, 2, 29, 1, 0, 0));
    expect(nextModeChange(free(fridayNight), berlin('2026-11-27T23:00:00'), BERLIN)).toBe(berlin('2026-11-28T06:00:00'));
  });
});

describe('nextModeChange', () => {
  it('is null with no unlock schedule', () => {
    expect(nextModeChange(NO_DOOR_MODE, berlin('2026-11-25T10:00:00'), BERLIN)).toBeNull();
  });

  it('is the second after the stop, or the next start', () => {
    const facts = withRows([officeUnlocked]);
    expect(nextModeChange(facts, berlin('2026-11-25T10:00:00'), BERLIN)).toBe(berlin('2026-11-25T18:00:00'));
    // Friday evening: the next start is Monday.
    expect(nextModeChange(facts, berlin('2026-11-27T19:00:00'), BERLIN)).toBe(berlin('2026-11-30T08:00:00'));
  });

  it('skips a holiday, and follows the clocks on a DST day', () => {
    const facts = withRows([officeUnlocked], { holidays: [{ name: 'Works', start: '2026-11-30', end: '2026-12-01', yearly: false }] });
    expect(nextModeChange(facts, berlin('2026-11-27T19:00:00'), BERLIN)).toBe(berlin('2026-12-02T08:00:00'));
    const early = withRows([{ ...officeUnlocked, schedule: { ...officeUnlocked.schedule, days: EVERY_DAY, start: '02:30:00', stop: '04:00:00' } }]);
    // Spring: 02:30 does not exist on 2026-03-29, the window opens when the clocks show 03:00.
    expect(nextModeChange(early, berlin('2026-03-29T00:00:00'), BERLIN)).toBe(Date.UTC(2026, 2, 29, 1, 0, 0));
  });

  it('a first person in pending changes nothing until the next window', () => {
    const facts = withRows([{ ...officeUnlocked, firstPersonIn: true }]);
    expect(nextModeChange(facts, berlin('2026-11-25T07:00:00'), BERLIN)).toBeNull();
  });
});

describe('firstInDay', () => {
  const facts = withRows([{ ...officeUnlocked, firstPersonIn: true }], { firstInLevelIds: [5] });
  it('is today for a holder of a first-person-in level while the door waits', () => {
    expect(firstInDay(facts, [4, 5], berlin('2026-11-25T08:00:00'), BERLIN)).toBe('2026-11-25');
  });
  it('is null for anyone else, outside the window, or once recorded', () => {
    expect(firstInDay(facts, [4], berlin('2026-11-25T08:00:00'), BERLIN)).toBeNull();
    expect(firstInDay(facts, [5], berlin('2026-11-25T07:59:59'), BERLIN)).toBeNull();
    expect(firstInDay({ ...facts, lastFirstIn: '2026-11-25' }, [5], berlin('2026-11-25T09:00:00'), BERLIN)).toBeNull();
  });
});
