import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type DoorModeFacts, type LockdownFacts, NO_DOOR_MODE, type OverrideFacts, type UnlockRow } from './door-mode.ts';
import { rememberingNextChange, timedModeAt } from './mode-end.ts';

const BERLIN = 'Europe/Berlin';
const EVERY_DAY = [true, true, true, true, true, true, true];
const berlin = (iso: string) => DateTime.fromISO(iso, { zone: BERLIN }).toMillis();

const row = (mode: UnlockRow['mode'], start: string, stop: string, id = 1): UnlockRow => ({
  mode,
  firstPersonIn: false,
  schedule: { id, name: `Rows ${id}`, days: EVERY_DAY, start, stop },
});
const plan = (over: Partial<LockdownFacts>): LockdownFacts => ({
  id: 1,
  name: 'Drill',
  mode: 'lockdown',
  priority: 10,
  since: berlin('2026-12-07T09:00:00'),
  until: null,
  by: 'operator alice',
  responderLevelIds: [],
  ...over,
});
const override = (mode: OverrideFacts['mode'], until: string | null): OverrideFacts => ({
  mode,
  since: berlin('2026-12-07T09:00:00'),
  until: until === null ? null : berlin(until),
  actor: 'operator bob',
});
/** A free-access window of panel lock `lock` on Mondays, the panel's seconds of the day. */
const monday = (lock: number, from: string, to: string) => {
  const second = (time: string) => DateTime.fromISO(`1970-01-01T${time}`, { zone: 'UTC' }).toSeconds();
  return { lock, window: { weekday: 0, from: second(from), to: second(to) } };
};
const facts = (over: Partial<DoorModeFacts>): DoorModeFacts => ({ ...NO_DOOR_MODE, ...over });

describe('timedModeAt', () => {
  const rows: [string, DoorModeFacts, string, string, string | null][] = [
    ['access controlled: no end to fall back from', NO_DOOR_MODE, '2026-12-07T10:00:00', 'access_controlled', null],
    [
      'a schedule row: its end',
      facts({ unlockRows: [row('unlocked', '08:00:00', '17:59:59')] }),
      '2026-12-07T10:00:00',
      'unlocked',
      '2026-12-07T18:00:00',
    ],
    [
      'a row to 23:59:59: midnight',
      facts({ unlockRows: [row('unlocked', '18:00:00', '23:59:59')] }),
      '2026-12-07T19:00:00',
      'unlocked',
      '2026-12-08T00:00:00',
    ],
    [
      'a row on the spring change: its end in summer time',
      facts({ unlockRows: [row('unlocked', '00:00:00', '05:59:59')] }),
      '2026-03-29T00:30:00',
      'unlocked',
      '2026-03-29T06:00:00',
    ],
    [
      'two rows meeting in the same mode: the end of the second',
      facts({ unlockRows: [row('unlocked', '08:00:00', '11:59:59'), row('unlocked', '12:00:00', '17:59:59', 2)] }),
      '2026-12-07T10:00:00',
      'unlocked',
      '2026-12-07T18:00:00',
    ],
    [
      'an override until a time: that time',
      facts({ override: override('unlocked', '2026-12-07T12:00:00') }),
      '2026-12-07T10:00:00',
      'unlocked',
      '2026-12-07T12:00:00',
    ],
    ['an override until returned: none', facts({ override: override('unlocked', null) }), '2026-12-07T10:00:00', 'unlocked', null],
    [
      'an override the schedule continues: the schedule’s end',
      facts({ override: override('unlocked', '2026-12-07T12:00:00'), unlockRows: [row('unlocked', '08:00:00', '17:59:59')] }),
      '2026-12-07T10:00:00',
      'unlocked',
      '2026-12-07T18:00:00',
    ],
    [
      'a locked override onto an unlocked schedule: the override’s end',
      facts({ override: override('locked', '2026-12-07T12:00:00'), unlockRows: [row('unlocked', '08:00:00', '17:59:59')] }),
      '2026-12-07T10:00:00',
      'locked',
      '2026-12-07T12:00:00',
    ],
    [
      'a BAS-IP free-access window (2026-12-07 is a Monday): its end',
      facts({ freeAccess: [monday(1, '08:00:00', '17:59:59')] }),
      '2026-12-07T10:00:00',
      'unlocked',
      '2026-12-07T18:00:00',
    ],
    ['a lockdown without auto-revert: none', facts({ lockdowns: [plan({})] }), '2026-12-07T10:00:00', 'locked', null],
    [
      'a lockdown with auto-revert: the revert',
      facts({ lockdowns: [plan({ until: berlin('2026-12-07T10:10:00') })] }),
      '2026-12-07T10:00:00',
      'locked',
      '2026-12-07T10:10:00',
    ],
    [
      'a reverting lockdown over one that does not revert: none',
      facts({ lockdowns: [plan({ until: berlin('2026-12-07T10:10:00') }), plan({ id: 2, priority: 1 })] }),
      '2026-12-07T10:00:00',
      'locked',
      null,
    ],
    [
      'a reverting lockdown over a locked schedule row: the row’s end',
      facts({ lockdowns: [plan({ until: berlin('2026-12-07T22:30:00') })], unlockRows: [row('locked', '22:00:00', '05:59:59')] }),
      '2026-12-07T22:10:00',
      'locked',
      '2026-12-08T06:00:00',
    ],
    [
      'an egress plan with auto-revert over a locked override: the revert',
      facts({ lockdowns: [plan({ mode: 'egress', until: berlin('2026-12-07T10:30:00') })], override: override('locked', null) }),
      '2026-12-07T10:00:00',
      'unlocked',
      '2026-12-07T10:30:00',
    ],
  ];
  it.each(rows)('%s', (_, doorFacts, at, mode, end) => {
    expect(timedModeAt(doorFacts, berlin(at), BERLIN)).toEqual({ mode, validUntil: end === null ? null : berlin(end) });
  });

  it('answers each door its own end when one look remembers schedule changes', () => {
    const next = rememberingNextChange();
    const at = berlin('2026-12-07T10:00:00');
    const doors = [
      facts({ unlockRows: [row('unlocked', '08:00:00', '17:59:59')] }),
      facts({ unlockRows: [row('unlocked', '08:00:00', '11:59:59', 2)] }),
      facts({ unlockRows: [row('unlocked', '08:00:00', '17:59:59')], override: override('unlocked', '2026-12-07T19:00:00') }),
      facts({ unlockRows: [row('unlocked', '08:00:00', '17:59:59')] }),
      facts({ freeAccess: [monday(1, '08:00:00', '11:59:59')] }),
      facts({ freeAccess: [monday(2, '08:00:00', '13:59:59')] }),
    ];
    expect(doors.map((door) => timedModeAt(door, at, BERLIN, next).validUntil)).toEqual(
      ['2026-12-07T18:00:00', '2026-12-07T12:00:00', '2026-12-07T19:00:00', '2026-12-07T18:00:00', '2026-12-07T12:00:00', '2026-12-07T14:00:00'].map(
        berlin,
      ),
    );
  });
});
