import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { startedPlan as plan } from '../../test/factories/door-mode-facts.ts';
import { type DoorModeFacts, NO_DOOR_MODE, type UnlockRow, doorModeAt, firstInDay, nextModeChange } from './door-mode.ts';

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
