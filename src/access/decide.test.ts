import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import {
  type DecisionFacts,
  type GiverFacts,
  type Grant,
  type GrantingRule,
  type LevelGrant,
  type NamedTimeProfile,
  type ReasonCode,
  decide,
} from './decide.ts';
import { type DoorModeFacts, type FreeAccessWindow, type LockdownFacts, NO_DOOR_MODE, type UnlockRow } from './door-mode.ts';
import { startedPlan } from '../../test/factories/door-mode-facts.ts';

const WEEKDAYS = [true, true, true, true, true, false, false];
const EVERY_DAY = [true, true, true, true, true, true, true];
const officeHours: Grant = {
  via: 'level',
  levelId: 10,
  levelName: 'Office',
  schedule: { id: 5, name: 'Office hours', days: WEEKDAYS, start: '08:00:00', stop: '16:59:59' },
};
const anyTime: LevelGrant = { via: 'level', levelId: 11, levelName: 'All hours', schedule: null };
/** The giver of the test delegations: an enabled user whose own level opens the door at all times. */
const giver: GiverFacts = {
  holder: { id: 8, name: 'Smith, Beth', enabled: true, effective: null, expires: null, authFactors: null, lockNumber: 0, timeProfiles: [] },
  levels: [anyTime],
};
const delegation = (effective: number | null, expires: number | null, from: GiverFacts | null = giver): Grant => ({
  via: 'delegation',
  levelId: 20,
  levelName: 'delegate_abc',
  window: { effective, expires },
  giver: from,
});

/** A time profile whose one day (2020-10-05, 08:00–18:00) is long past. */
const pastDay: NamedTimeProfile = {
  id: 30,
  name: 'One day',
  profile: { time_options: { is_all_day: false, date_from: 1601884800, date_to: 1601920800 }, repeat_options: { repeat_enable: false } },
};
/** A time profile open every day, all day. */
const everyDay: NamedTimeProfile = {
  id: 31,
  name: 'Daily',
  profile: {
    time_options: { is_all_day: true, date_from: 1601884800, date_to: 1601884800 },
    repeat_options: { repeat_enable: true, repeat_format: { repeat_type: 'day', repeat_end: { format: 'never' } } },
  },
};

// Wednesday 2026-11-25 10:00 UTC.
const AT = Date.UTC(2026, 10, 25, 10, 0, 0);
const HOUR = 3_600_000;

function facts(overrides: Partial<DecisionFacts> = {}): DecisionFacts {
  return {
    timezone: 'UTC',
    credential: {
      id: 1,
      enabled: true,
      isFob: false,
      holderId: 7,
      effective: null,
      expires: null,
      passesLeft: null,
      factor: 'card',
      lock: 'all',
      panelAccess: false,
      timeProfiles: [],
    },
    holder: { id: 7, name: 'Jones, Adam', enabled: true, effective: null, expires: null, authFactors: null, lockNumber: 0, timeProfiles: [] },
    door: { id: 3, name: 'Front Door', enabled: true },
    lockNumber: null,
    grants: [officeHours],
    publicCode: false,
    doorMode: NO_DOOR_MODE,
    holderLevelIds: [10],
    pinConfirmed: false,
    ...overrides,
  };
}

const base = facts();
const credential = base.credential as NonNullable<DecisionFacts['credential']>;
const holder = base.holder as NonNullable<DecisionFacts['holder']>;
const door = base.door as NonNullable<DecisionFacts['door']>;

describe('decide: one row per reason', () => {
  const rows: [string, DecisionFacts, number, ReasonCode][] = [
    ['unknown credential', facts({ credential: null, holder: null }), AT, 'unknown_credential'],
    ['credential disabled', facts({ credential: { ...credential, enabled: false } }), AT, 'credential_disabled'],
    ['credential not yet effective', facts({ credential: { ...credential, effective: AT + 1 } }), AT, 'credential_not_yet_effective'],
    ['credential expired (at the expiry instant)', facts({ credential: { ...credential, expires: AT } }), AT, 'credential_expired'],
    ['fob not assigned', facts({ credential: { ...credential, isFob: true, holderId: null }, holder: null }), AT, 'fob_not_assigned'],
    ['holder disabled', facts({ holder: { ...holder, enabled: false } }), AT, 'holder_disabled'],
    ['holder not yet effective', facts({ holder: { ...holder, effective: AT + 1000 } }), AT, 'holder_not_yet_effective'],
    ['holder expired', facts({ holder: { ...holder, expires: AT - 1 } }), AT, 'holder_expired'],
    ['unknown door', facts({ door: null }), AT, 'unknown_door'],
    ['door disabled', facts({ door: { ...door, enabled: false } }), AT, 'door_disabled'],
    ['no grant', facts({ grants: [] }), AT, 'no_grant'],
    ['outside schedule (Saturday)', base, Date.UTC(2026, 10, 28, 10, 0, 0), 'outside_schedule'],
    [
      'identifier kind not among the user’s factors',
      facts({ holder: { ...holder, authFactors: ['face_id', 'input_code'] } }),
      AT,
      'factor_not_allowed',
    ],
    ['lock the user may not open', facts({ lockNumber: 2, holder: { ...holder, lockNumber: 1 } }), AT, 'lock_not_allowed'],
    ['lock the identifier may not open', facts({ lockNumber: 1, credential: { ...credential, lock: 'second' } }), AT, 'lock_not_allowed'],
    ['outside the identifier’s time profiles', facts({ credential: { ...credential, timeProfiles: [pastDay] } }), AT, 'outside_time_profile'],
    ['outside the user’s time profiles', facts({ holder: { ...holder, timeProfiles: [pastDay] } }), AT, 'outside_time_profile'],
    ['passes used up', facts({ credential: { ...credential, passesLeft: 0 } }), AT, 'passes_used_up'],
    ['granted', base, AT, 'granted'],
  ];
  it.each(rows)('%s', (_label, input, at, reason) => {
    const decision = decide(input, at);
    expect(decision.reason).toBe(reason);
    expect(decision.granted).toBe(reason === 'granted');
    expect(decision.trace.at(-1)).toEqual({ check: reason, passed: reason === 'granted' });
  });
});

describe('decide: precedence', () => {
  it.each([
    [
      'a disabled credential beats an expired holder',
      facts({ credential: { ...credential, enabled: false }, holder: { ...holder, expires: 0 } }),
      'credential_disabled',
    ],
    [
      'an expired credential beats a disabled door',
      facts({ credential: { ...credential, expires: 0 }, door: { ...door, enabled: false } }),
      'credential_expired',
    ],
    ['a disabled holder beats an unknown door', facts({ holder: { ...holder, enabled: false }, door: null }), 'holder_disabled'],
    ['a disabled door beats having no grant', facts({ door: { ...door, enabled: false }, grants: [] }), 'door_disabled'],
    ['no grant beats no passes', facts({ grants: [], credential: { ...credential, passesLeft: 0 } }), 'no_grant'],
    ['outside schedule beats no passes', facts({ credential: { ...credential, passesLeft: 0 } }), 'outside_schedule'],
  ] as [string, DecisionFacts, ReasonCode][])('%s', (_label, input, reason) => {
    const at = reason === 'outside_schedule' ? Date.UTC(2026, 10, 28, 10) : AT;
    expect(decide(input, at).reason).toBe(reason);
  });

  it('a delegation outside its window is no grant at all', () => {
    expect(decide(facts({ grants: [delegation(AT + HOUR, AT + 2 * HOUR)] }), AT).reason).toBe('no_grant');
    expect(decide(facts({ grants: [delegation(AT - HOUR, AT)] }), AT).reason).toBe('no_grant');
  });

  describe('a delegation gives at most what its giver could do at that moment', () => {
    const open = (from: GiverFacts | null) => decide(facts({ grants: [delegation(AT - HOUR, AT + HOUR, from)] }), AT);
    const saturdaysOnly: LevelGrant = {
      ...officeHours,
      schedule: { id: 6, name: 'Saturdays', days: [false, false, false, false, false, true, false], start: '00:00:00', stop: '23:59:59' },
    };
    it.each([
      ['is gone', null, 'no_grant', 'its giver is no longer a cardholder of the site'],
      ['is disabled', { ...giver, holder: { ...giver.holder, enabled: false } }, 'no_grant', 'its giver (user 8) is disabled'],
      ['is not yet effective', { ...giver, holder: { ...giver.holder, effective: AT + 1 } }, 'no_grant', 'is not yet effective'],
      ['has expired', { ...giver, holder: { ...giver.holder, expires: AT } }, 'no_grant', 'has expired'],
      ['lost the level', { ...giver, levels: [] }, 'no_grant', 'has no access level of their own that includes the door'],
      [
        'is outside their own schedule',
        { ...giver, levels: [saturdaysOnly] },
        'outside_schedule',
        'is outside every schedule of theirs for the door',
      ],
      [
        'is outside their time profiles',
        { ...giver, holder: { ...giver.holder, timeProfiles: [pastDay] } },
        'outside_schedule',
        'is outside their time profiles',
      ],
    ] as [string, GiverFacts | null, ReasonCode, string][])('denied when the giver %s, saying so', (_label, from, reason, why) => {
      const decision = open(from);
      expect(decision.reason).toBe(reason);
      expect(decision.explanation).toContain(`Delegation delegate_abc does not: `);
      expect(decision.explanation).toContain(why);
    });

    it('granted when the giver could open the door now, through any of their levels', () => {
      expect(open({ ...giver, levels: [saturdaysOnly, officeHours] }).granted).toBe(true);
      expect(open({ ...giver, holder: { ...giver.holder, timeProfiles: [pastDay, everyDay] } }).granted).toBe(true);
    });

    it('a level of the receiver still grants beside a delegation its giver cannot honour', () => {
      const decision = decide(facts({ grants: [delegation(AT - HOUR, AT + HOUR, { ...giver, levels: [] }), officeHours] }), AT);
      expect(decision.rule).toMatchObject({ via: 'level', levelName: 'Office' });
    });
  });

  it('names the delegation or the level and schedule that granted', () => {
    expect(decide(facts({ grants: [delegation(AT - HOUR, AT + HOUR)] }), AT).rule).toEqual({
      via: 'delegation',
      levelId: 20,
      levelName: 'delegate_abc',
    });
    const granted = decide(base, AT);
    expect(granted.rule).toEqual({ via: 'level', levelId: 10, levelName: 'Office', scheduleId: 5, scheduleName: 'Office hours' });
    expect(granted.explanation).toBe('Granted by access level Office on schedule Office hours.');
  });

  it('a panel identifier opens the panel lock it may, inside one of its time profiles', () => {
    const panel = facts({
      grants: [{ via: 'panel', lockNumber: 1 }],
      lockNumber: 1,
      credential: { ...credential, panelAccess: true, lock: 'first', timeProfiles: [pastDay, everyDay] },
      holder: { ...holder, authFactors: ['card'], lockNumber: 1 },
    });
    const decision = decide(panel, AT);
    expect(decision).toMatchObject({ granted: true, rule: { via: 'panel', lockNumber: 1 } });
    expect(decision.explanation).toBe('Granted by the panel identifier, lock 1.');
  });

  it('a level whose schedule is a time profile follows the profile’s rule, not the weekly columns', () => {
    const profiled: Grant = {
      via: 'level',
      levelId: 18,
      levelName: 'Profiled',
      schedule: {
        id: 30,
        name: 'One day',
        days: [true, true, true, true, true, true, true],
        start: '00:00:00',
        stop: '23:59:59',
        rule: pastDay.profile,
      },
    };
    expect(decide(facts({ grants: [profiled] }), AT).reason).toBe('outside_schedule');
    expect(decide(facts({ grants: [{ ...profiled, schedule: { ...profiled.schedule, rule: everyDay.profile } } as Grant] }), AT).granted).toBe(true);
  });

  it('a panel identifier held by nobody (a guest’s) still opens the lock', () => {
    const guest = facts({
      holder: null,
      grants: [{ via: 'panel', lockNumber: 2 }],
      lockNumber: 2,
      credential: { ...credential, holderId: null, panelAccess: true },
    });
    expect(decide(guest, AT).granted).toBe(true);
    expect(decide(facts({ holder: null, credential: { ...credential, holderId: null }, grants: [] }), AT).reason).toBe('no_grant');
  });

  it('a disallowed factor beats an unknown door; a disallowed lock beats having no grant', () => {
    expect(decide(facts({ holder: { ...holder, authFactors: [] }, door: null }), AT).reason).toBe('factor_not_allowed');
    expect(decide(facts({ lockNumber: 2, credential: { ...credential, lock: 'first' }, grants: [] }), AT).reason).toBe('lock_not_allowed');
  });

  it('grants through any one of several grants', () => {
    const night: Grant = {
      via: 'level',
      levelId: 11,
      levelName: 'Night',
      schedule: { id: 6, name: 'Nights', days: EVERY_DAY, start: '22:00:00', stop: '05:59:59' },
    };
    const decision = decide(facts({ grants: [officeHours, night] }), Date.UTC(2026, 10, 28, 23, 0, 0));
    expect(decision.rule).toMatchObject({ levelId: 11 });
  });
});

describe('decide: schedule edges', () => {
  const at = (iso: string) => Date.parse(iso);
  const inZone = (timezone: string, grant: Grant = officeHours) => facts({ timezone, grants: [grant] });

  it('includes the stop second and excludes the next', () => {
    expect(decide(base, at('2026-11-25T16:59:59.999Z')).granted).toBe(true);
    expect(decide(base, at('2026-11-25T17:00:00Z')).granted).toBe(false);
    expect(decide(base, at('2026-11-25T07:59:59Z')).granted).toBe(false);
    expect(decide(base, at('2026-11-25T08:00:00Z')).granted).toBe(true);
  });

  it('a stop before the start spans midnight, and the early hours belong to the day it started', () => {
    const fridayNight: Grant = {
      via: 'level',
      levelId: 12,
      levelName: 'Fri',
      schedule: { id: 7, name: 'Friday night', days: [false, false, false, false, true, false, false], start: '22:00:00', stop: '02:00:00' },
    };
    const f = facts({ grants: [fridayNight] });
    expect(decide(f, at('2026-11-27T23:30:00Z')).granted).toBe(true); // Friday 23:30
    expect(decide(f, at('2026-11-28T00:00:00Z')).granted).toBe(true); // Saturday 00:00
    expect(decide(f, at('2026-11-28T02:00:00Z')).granted).toBe(true); // Saturday 02:00:00, stop included
    expect(decide(f, at('2026-11-28T02:00:01Z')).granted).toBe(false);
    expect(decide(f, at('2026-11-28T23:30:00Z')).granted).toBe(false); // Saturday night is not Friday's
    expect(decide(f, at('2026-11-27T01:00:00Z')).granted).toBe(false); // Friday early hours belong to Thursday
  });

  it('follows the wall clock in the site zone, not UTC', () => {
    // 08:30 in New York is 13:30 UTC in November.
    expect(decide(inZone('America/New_York'), at('2026-11-25T13:30:00Z')).granted).toBe(true);
    expect(decide(inZone('America/New_York'), at('2026-11-25T12:30:00Z')).granted).toBe(false);
  });

  const earlyShift: Grant = {
    via: 'level',
    levelId: 13,
    levelName: 'Early',
    schedule: { id: 8, name: 'Early', days: EVERY_DAY, start: '01:00:00', stop: '02:59:59' },
  };

  it('London, clocks go forward (2026-03-29 01:00 → 02:00): the skipped hour never opens, the window reopens at 02:00', () => {
    const f = inZone('Europe/London', earlyShift);
    expect(decide(f, at('2026-03-29T00:59:59Z')).granted).toBe(false); // 00:59:59 GMT
    expect(decide(f, at('2026-03-29T01:00:00Z')).granted).toBe(true); // 02:00:00 BST
    expect(decide(f, at('2026-03-29T01:59:59Z')).granted).toBe(true); // 02:59:59 BST
    expect(decide(f, at('2026-03-29T02:00:00Z')).granted).toBe(false); // 03:00:00 BST
  });

  it('London, clocks go back (2026-10-25 02:00 → 01:00): the repeated hour opens both times', () => {
    const oneToTwo: Grant = {
      via: 'level',
      levelId: 14,
      levelName: 'Repeat',
      schedule: { id: 9, name: '01-02', days: EVERY_DAY, start: '01:00:00', stop: '01:59:59' },
    };
    const f = inZone('Europe/London', oneToTwo);
    expect(decide(f, at('2026-10-25T00:30:00Z')).granted).toBe(true); // 01:30 BST
    expect(decide(f, at('2026-10-25T01:30:00Z')).granted).toBe(true); // 01:30 GMT, the second pass
    expect(decide(f, at('2026-10-25T02:00:00Z')).granted).toBe(false); // 02:00 GMT
  });

  it('New York, clocks go forward (2026-03-08 02:00 → 03:00) and back (2026-11-01 02:00 → 01:00)', () => {
    const twoToThree: Grant = {
      via: 'level',
      levelId: 15,
      levelName: 'NY',
      schedule: { id: 10, name: '02-03', days: EVERY_DAY, start: '02:00:00', stop: '02:59:59' },
    };
    const f = inZone('America/New_York', twoToThree);
    // The 02:00–02:59 hour does not exist on 2026-03-08: 06:59:59Z is 01:59:59 EST, 07:00Z is 03:00 EDT.
    expect(decide(f, at('2026-03-08T06:59:59Z')).granted).toBe(false);
    expect(decide(f, at('2026-03-08T07:00:00Z')).granted).toBe(false);
    const oneToTwo: Grant = {
      via: 'level',
      levelId: 16,
      levelName: 'NY',
      schedule: { id: 11, name: '01-02', days: EVERY_DAY, start: '01:00:00', stop: '01:59:59' },
    };
    const g = inZone('America/New_York', oneToTwo);
    expect(decide(g, at('2026-11-01T05:30:00Z')).granted).toBe(true); // 01:30 EDT
    expect(decide(g, at('2026-11-01T06:30:00Z')).granted).toBe(true); // 01:30 EST
    expect(decide(g, at('2026-11-01T07:00:00Z')).granted).toBe(false); // 02:00 EST
  });

  it('midnight in the site zone decides the weekday', () => {
    // Friday 23:30 in Tokyo is Friday 14:30 UTC; Saturday 00:30 in Tokyo is Friday 15:30 UTC.
    const evenings: Grant = {
      via: 'level',
      levelId: 17,
      levelName: 'Tokyo',
      schedule: { id: 12, name: 'Weekday all day', days: WEEKDAYS, start: '00:00:00', stop: '23:59:59' },
    };
    const f = inZone('Asia/Tokyo', evenings);
    expect(decide(f, at('2026-11-27T14:30:00Z')).granted).toBe(true);
    expect(decide(f, at('2026-11-27T15:30:00Z')).granted).toBe(false);
  });
});

describe('decide: doors open to anyone (a panel lock’s free access, the public unlock code)', () => {
  const at = (iso: string) => Date.parse(iso);
  // Wednesday (weekday 2) 08:00–18:00 on the panel's lock 1.
  const wednesdayDay = { weekday: 2, from: 8 * 3600, to: 18 * 3600 };
  const atPanel = (overrides: Partial<DecisionFacts>) => facts({ lockNumber: 1, grants: [], ...overrides });
  /** Free access is a fact of the door's mode: the windows of the panel lock 1 it sits behind. */
  const freeOnLock1 = (...windows: FreeAccessWindow[]): Pick<DecisionFacts, 'doorMode'> => ({
    doorMode: { ...NO_DOOR_MODE, freeAccess: windows.map((window) => ({ lock: 1, window })) },
  });

  // Free access grants as the door's mode (rule `door_mode`, was `free_access` before door modes carried it).
  const rows: [string, DecisionFacts, number, boolean, string][] = [
    ['inside a window, an unknown card gets in', atPanel({ credential: null, holder: null, ...freeOnLock1(wednesdayDay) }), AT, true, 'door_mode'],
    [
      'inside a window, a disabled holder gets in',
      atPanel({ holder: { ...holder, enabled: false }, ...freeOnLock1(wednesdayDay) }),
      AT,
      true,
      'door_mode',
    ],
    ['at the window’s first second', atPanel({ credential: null, ...freeOnLock1(wednesdayDay) }), at('2026-11-25T08:00:00Z'), true, 'door_mode'],
    ['at its last second, included', atPanel({ credential: null, ...freeOnLock1(wednesdayDay) }), at('2026-11-25T18:00:00.999Z'), true, 'door_mode'],
    ['one second after it', atPanel({ credential: null, ...freeOnLock1(wednesdayDay) }), at('2026-11-25T18:00:01Z'), false, 'unknown_credential'],
    ['another weekday', atPanel({ credential: null, ...freeOnLock1(wednesdayDay) }), at('2026-11-26T10:00:00Z'), false, 'unknown_credential'],
    // A door no panel drives sits behind no lock, so no free-access window reaches its mode.
    ['a door no panel drives (no lock number)', facts({ credential: null, holder: null }), AT, false, 'unknown_credential'],
    [
      'a door behind the lock, asked by a device that is no panel (a Lockt reader): its mode opens it too',
      facts({ credential: null, holder: null, ...freeOnLock1(wednesdayDay) }),
      AT,
      true,
      'door_mode',
    ],
    [
      'a disabled door stays shut',
      atPanel({ credential: null, door: { ...door, enabled: false }, ...freeOnLock1(wednesdayDay) }),
      AT,
      false,
      'unknown_credential',
    ],
    ['the public code at a panel lock', atPanel({ credential: null, holder: null, publicCode: true }), AT, true, 'public_code'],
    ['the public code at a door no panel drives', facts({ credential: null, holder: null, publicCode: true }), AT, false, 'unknown_credential'],
    [
      'the public code at a disabled door',
      atPanel({ credential: null, holder: null, door: { ...door, enabled: false }, publicCode: true }),
      AT,
      false,
      'unknown_credential',
    ],
  ];
  it.each(rows)('%s', (_label, input, when, granted, why) => {
    const decision = decide(input, when);
    expect(decision.granted).toBe(granted);
    if (granted) {
      expect(decision.rule?.via).toBe(why);
      if (why === 'public_code') expect(decision.rule).toEqual({ via: why, lockNumber: 1 });
      expect(decision.trace.map((step) => step.check)).toEqual(['unknown_door', 'door_disabled', 'granted']);
    } else expect(decision.reason).toBe(why);
  });

  it('names what opened the door', () => {
    expect(decide(atPanel({ credential: null, ...freeOnLock1(wednesdayDay) }), AT).explanation).toBe(
      'Granted by door mode unlocked: BAS-IP free access, lock 1, until 18:00.',
    );
    expect(decide(atPanel({ credential: null, publicCode: true }), AT).explanation).toBe('Granted by the public unlock code, lock 1.');
  });

  it('a window past midnight belongs to the day it starts; midnight itself is in a window from 00:00:00', () => {
    const fridayNight = { weekday: 4, from: 22 * 3600, to: 6 * 3600 };
    const f = atPanel({ credential: null, ...freeOnLock1(fridayNight) });
    expect(decide(f, at('2026-11-27T23:59:59Z')).granted).toBe(true); // Friday 23:59:59
    expect(decide(f, at('2026-11-28T00:00:00Z')).granted).toBe(true); // Saturday 00:00
    expect(decide(f, at('2026-11-28T06:00:00Z')).granted).toBe(true); // Saturday 06:00:00, included
    expect(decide(f, at('2026-11-28T06:00:01Z')).granted).toBe(false);
    expect(decide(f, at('2026-11-27T03:00:00Z')).granted).toBe(false); // Friday's early hours are Thursday's
    // Its end is the next morning's, whether asked before midnight or after.
    expect(decide(f, at('2026-11-27T23:59:59Z')).explanation).toBe(
      'Granted by door mode unlocked: BAS-IP free access, lock 1, until 2026-11-28 06:00.',
    );
    expect(decide(f, at('2026-11-28T00:00:00Z')).explanation).toBe('Granted by door mode unlocked: BAS-IP free access, lock 1, until 06:00.');
    const fromMidnight = atPanel({ credential: null, ...freeOnLock1({ weekday: 5, from: 0, to: 3600 }) });
    expect(decide(fromMidnight, at('2026-11-28T00:00:00Z')).granted).toBe(true);
    expect(decide(fromMidnight, at('2026-11-27T23:59:59.999Z')).granted).toBe(false);
  });

  it('follows the site’s wall clock across daylight-saving changes (Berlin, 2026-03-29 and 2026-10-25, both Sundays)', () => {
    // Sunday 02:30–03:30 wall clock: on the spring day 02:00–03:00 does not exist, so it opens at 03:00 CEST.
    const sundayNight = atPanel({ timezone: 'Europe/Berlin', credential: null, ...freeOnLock1({ weekday: 6, from: 2.5 * 3600, to: 3.5 * 3600 }) });
    expect(decide(sundayNight, at('2026-03-29T00:59:59Z')).granted).toBe(false); // 01:59:59 CET
    expect(decide(sundayNight, at('2026-03-29T01:00:00Z')).granted).toBe(true); // 03:00:00 CEST
    expect(decide(sundayNight, at('2026-03-29T01:30:00Z')).granted).toBe(true); // 03:30:00 CEST, included
    expect(decide(sundayNight, at('2026-03-29T01:30:01Z')).granted).toBe(false);
    // On the autumn day 02:00–03:00 happens twice: both passes of 02:45 are inside.
    expect(decide(sundayNight, at('2026-10-25T00:45:00Z')).granted).toBe(true); // 02:45 CEST
    expect(decide(sundayNight, at('2026-10-25T01:45:00Z')).granted).toBe(true); // 02:45 CET
    expect(decide(sundayNight, at('2026-10-25T02:31:00Z')).granted).toBe(false); // 03:31 CET
    // Its last second is 03:30:00 wall clock, in CEST on the spring day.
    expect(decide(sundayNight, at('2026-03-29T01:00:00Z')).explanation).toBe(
      'Granted by door mode unlocked: BAS-IP free access, lock 1, until 03:30.',
    );
  });
});

describe('decide: door modes', () => {
  const BERLIN = 'Europe/Berlin';
  const berlin = (iso: string) => DateTime.fromISO(iso, { zone: BERLIN }).toMillis();
  const row = (mode: UnlockRow['mode'], start: string, stop: string, over: Partial<UnlockRow> = {}): UnlockRow => ({
    mode,
    firstPersonIn: false,
    schedule: { id: 40, name: `${mode} ${start}`, days: EVERY_DAY, start, stop },
    ...over,
  });
  const officeUnlocked = row('unlocked', '08:00:00', '17:59:59');
  const fireDrill = startedPlan({ responderLevelIds: [99] });
  const evacuate: LockdownFacts = { ...fireDrill, id: 2, name: 'Evacuate', mode: 'egress', priority: 20, responderLevelIds: [] };
  const modes = (over: Partial<DoorModeFacts>): DoorModeFacts => ({ ...NO_DOOR_MODE, ...over });
  const inBerlin = (over: Partial<DecisionFacts>) => facts({ timezone: BERLIN, grants: [anyTime], holderLevelIds: [11], ...over });
  const christmas = { name: 'Christmas', start: '2026-12-25', end: '2026-12-26', yearly: true };
  const observing: LevelGrant = {
    ...anyTime,
    schedule: { id: 6, name: 'Days', days: EVERY_DAY, start: '00:00:00', stop: '23:59:59', observesHolidays: true },
  };
  const notObserving: LevelGrant = { ...observing, schedule: { id: 6, name: 'Days', days: EVERY_DAY, start: '00:00:00', stop: '23:59:59' } };

  const rows: [string, DecisionFacts, string, ReasonCode, GrantingRule['via'] | null][] = [
    ['access controlled: as before', inBerlin({}), '2026-11-25T10:00:00', 'granted', 'level'],
    [
      'unlocked by schedule: anyone, even an unknown card',
      inBerlin({ credential: null, holder: null, doorMode: modes({ unlockRows: [officeUnlocked] }) }),
      '2026-11-25T10:00:00',
      'granted',
      'door_mode',
    ],
    [
      'unlocked, but the door is disabled',
      inBerlin({ door: { ...door, enabled: false }, doorMode: modes({ unlockRows: [officeUnlocked] }) }),
      '2026-11-25T10:00:00',
      'door_disabled',
      null,
    ],
    [
      'unlocked row ended: its stop second was the last',
      inBerlin({ credential: null, holder: null, doorMode: modes({ unlockRows: [officeUnlocked] }) }),
      '2026-11-25T18:00:00',
      'unknown_credential',
      null,
    ],
    [
      'locked by schedule: even a holder with access',
      inBerlin({ doorMode: modes({ unlockRows: [row('locked', '00:00:00', '23:59:59')] }) }),
      '2026-11-25T10:00:00',
      'door_locked',
      null,
    ],
    [
      'locked: an unknown card is still unknown first',
      inBerlin({ credential: null, holder: null, doorMode: modes({ lockdowns: [fireDrill] }) }),
      '2026-11-25T15:00:00',
      'unknown_credential',
      null,
    ],
    [
      'locked down: a responder passes',
      inBerlin({ holderLevelIds: [11, 99], doorMode: modes({ lockdowns: [fireDrill] }) }),
      '2026-11-25T15:00:00',
      'granted',
      'lockdown_responder',
    ],
    [
      'locked down: a disabled responder does not',
      inBerlin({ holder: { ...holder, enabled: false }, holderLevelIds: [99], doorMode: modes({ lockdowns: [fireDrill] }) }),
      '2026-11-25T15:00:00',
      'holder_disabled',
      null,
    ],
    [
      'locked by an override: responders of no plan, nobody passes',
      inBerlin({ holderLevelIds: [99], doorMode: modes({ override: { mode: 'locked', since: 0, until: null, actor: 'operator bob' } }) }),
      '2026-11-25T15:00:00',
      'door_locked',
      null,
    ],
    [
      'locked beats a panel lock’s free access',
      inBerlin({
        lockNumber: 1,
        doorMode: modes({ freeAccess: [{ lock: 1, window: { weekday: 2, from: 0, to: 86_399 } }], lockdowns: [fireDrill] }),
      }),
      '2026-11-25T15:00:00',
      'door_locked',
      null,
    ],
    [
      'an override back to access controlled beats free access: an unknown card is unknown again',
      inBerlin({
        credential: null,
        holder: null,
        doorMode: modes({
          freeAccess: [{ lock: 1, window: { weekday: 2, from: 0, to: 86_399 } }],
          override: { mode: 'access_controlled', since: 0, until: null, actor: 'operator bob' },
        }),
      }),
      '2026-11-25T15:00:00',
      'unknown_credential',
      null,
    ],
    [
      'free access at midnight, site-local: a window from 00:00 opens the door to an unknown card',
      inBerlin({ credential: null, holder: null, doorMode: modes({ freeAccess: [{ lock: 2, window: { weekday: 3, from: 0, to: 59 } }] }) }),
      '2026-11-26T00:00:00',
      'granted',
      'door_mode',
    ],
    [
      'card and PIN: a card alone is refused',
      inBerlin({ doorMode: modes({ unlockRows: [row('card_and_pin', '00:00:00', '23:59:59')] }) }),
      '2026-11-25T10:00:00',
      'second_factor_required',
      null,
    ],
    [
      'card and PIN: with its user’s PIN, granted by the level',
      inBerlin({ pinConfirmed: true, doorMode: modes({ unlockRows: [row('card_and_pin', '00:00:00', '23:59:59')] }) }),
      '2026-11-25T10:00:00',
      'granted',
      'level',
    ],
    [
      'card and PIN: a PIN does not make up for no access',
      inBerlin({ pinConfirmed: true, grants: [], doorMode: modes({ unlockRows: [row('card_and_pin', '00:00:00', '23:59:59')] }) }),
      '2026-11-25T10:00:00',
      'no_grant',
      null,
    ],
    [
      'card and PIN sets aside the public code',
      inBerlin({
        credential: null,
        holder: null,
        lockNumber: 1,
        publicCode: true,
        doorMode: modes({ unlockRows: [row('card_and_pin', '00:00:00', '23:59:59')] }),
      }),
      '2026-11-25T10:00:00',
      'unknown_credential',
      null,
    ],
    [
      'two rows: locked beats unlocked',
      inBerlin({ doorMode: modes({ unlockRows: [officeUnlocked, row('locked', '12:00:00', '12:59:59')] }) }),
      '2026-11-25T12:30:00',
      'door_locked',
      null,
    ],
    [
      'two rows: card and PIN beats unlocked',
      inBerlin({ doorMode: modes({ unlockRows: [officeUnlocked, row('card_and_pin', '12:00:00', '12:59:59')] }) }),
      '2026-11-25T12:30:00',
      'second_factor_required',
      null,
    ],
    [
      'an override beats the schedule',
      inBerlin({
        credential: null,
        holder: null,
        doorMode: modes({
          unlockRows: [row('locked', '00:00:00', '23:59:59')],
          override: { mode: 'unlocked', since: 0, until: null, actor: 'operator bob' },
        }),
      }),
      '2026-11-25T10:00:00',
      'granted',
      'door_mode',
    ],
    [
      'an override past its until: the schedule again',
      inBerlin({
        doorMode: modes({
          unlockRows: [row('locked', '00:00:00', '23:59:59')],
          override: { mode: 'unlocked', since: 0, until: berlin('2026-11-25T10:00:00'), actor: 'operator bob' },
        }),
      }),
      '2026-11-25T10:00:00',
      'door_locked',
      null,
    ],
    [
      'a lockdown beats an override',
      inBerlin({ doorMode: modes({ lockdowns: [fireDrill], override: { mode: 'unlocked', since: 0, until: null, actor: 'operator bob' } }) }),
      '2026-11-25T15:00:00',
      'door_locked',
      null,
    ],
    [
      'an egress of higher priority beats a lockdown',
      inBerlin({ credential: null, holder: null, doorMode: modes({ lockdowns: [fireDrill, evacuate] }) }),
      '2026-11-25T15:00:00',
      'granted',
      'door_mode',
    ],
    [
      'a lockdown of higher priority beats an egress',
      inBerlin({ doorMode: modes({ lockdowns: [{ ...fireDrill, priority: 30 }, evacuate] }) }),
      '2026-11-25T15:00:00',
      'door_locked',
      null,
    ],
    [
      'auto-revert: the egress past its until reveals the lockdown',
      inBerlin({ doorMode: modes({ lockdowns: [fireDrill, { ...evacuate, until: berlin('2026-11-25T15:00:00') }] }) }),
      '2026-11-25T15:00:00',
      'door_locked',
      null,
    ],
    ['before a plan’s start it does not hold', inBerlin({ doorMode: modes({ lockdowns: [fireDrill] }) }), '2026-11-25T14:01:59', 'granted', 'level'],
    [
      'a holiday (single day): no unlock schedule',
      inBerlin({
        credential: null,
        holder: null,
        doorMode: modes({ unlockRows: [officeUnlocked], holidays: [{ name: 'Staff day', start: '2026-11-25', end: '2026-11-25', yearly: false }] }),
      }),
      '2026-11-25T10:00:00',
      'unknown_credential',
      null,
    ],
    [
      'a holiday range: a locked row does not hold either',
      inBerlin({
        doorMode: modes({
          unlockRows: [row('locked', '00:00:00', '23:59:59')],
          holidays: [{ name: 'Works', start: '2026-11-20', end: '2026-11-30', yearly: false }],
        }),
      }),
      '2026-11-25T10:00:00',
      'granted',
      'level',
    ],
    [
      'a yearly holiday, a later year: an access schedule observing it is inactive',
      inBerlin({ grants: [observing], doorMode: modes({ holidays: [christmas] }) }),
      '2028-12-26T10:00:00',
      'outside_schedule',
      null,
    ],
    [
      'an access schedule not observing holidays still opens',
      inBerlin({ grants: [notObserving], doorMode: modes({ holidays: [christmas] }) }),
      '2028-12-26T10:00:00',
      'granted',
      'level',
    ],
    [
      'the day after the yearly holiday',
      inBerlin({ grants: [observing], doorMode: modes({ holidays: [christmas] }) }),
      '2028-12-27T00:00:00',
      'granted',
      'level',
    ],
    [
      'the last second before it',
      inBerlin({ grants: [observing], doorMode: modes({ holidays: [christmas] }) }),
      '2028-12-24T23:59:59',
      'granted',
      'level',
    ],
    [
      'midnight, site-local, starts it',
      inBerlin({ grants: [observing], doorMode: modes({ holidays: [christmas] }) }),
      '2028-12-25T00:00:00',
      'outside_schedule',
      null,
    ],
    [
      'first person in pending: access controlled',
      inBerlin({ doorMode: modes({ unlockRows: [{ ...officeUnlocked, firstPersonIn: true }], lastFirstIn: '2026-11-24' }) }),
      '2026-11-25T10:00:00',
      'granted',
      'level',
    ],
    [
      'first person in pending: nobody else gets in by the mode',
      inBerlin({
        credential: null,
        holder: null,
        doorMode: modes({ unlockRows: [{ ...officeUnlocked, firstPersonIn: true }], lastFirstIn: '2026-11-24' }),
      }),
      '2026-11-25T10:00:00',
      'unknown_credential',
      null,
    ],
    [
      'first person in recorded today: unlocked',
      inBerlin({
        credential: null,
        holder: null,
        doorMode: modes({ unlockRows: [{ ...officeUnlocked, firstPersonIn: true }], lastFirstIn: '2026-11-25' }),
      }),
      '2026-11-25T10:00:00',
      'granted',
      'door_mode',
    ],
  ];
  it.each(rows)('%s', (_label, input, at, reason, via) => {
    const decision = decide(input, berlin(at));
    expect([decision.reason, decision.rule?.via ?? null]).toEqual([reason, via]);
  });

  describe('Berlin’s daylight-saving days (last Sundays of March and October 2026)', () => {
    const office = (over: Partial<DoorModeFacts> = {}) =>
      inBerlin({ credential: null, holder: null, doorMode: modes({ unlockRows: [officeUnlocked], ...over }) });
    const dst: [string, DecisionFacts, number, boolean][] = [
      ['spring: 07:59:59 CEST is before the row', office(), Date.UTC(2026, 2, 29, 5, 59, 59), false],
      ['spring: 08:00 CEST opens it', office(), Date.UTC(2026, 2, 29, 6, 0, 0), true],
      ['spring: 17:59:59 CEST is its last second', office(), Date.UTC(2026, 2, 29, 15, 59, 59), true],
      ['autumn: 08:00 CET opens it', office(), Date.UTC(2026, 9, 25, 7, 0, 0), true],
      ['autumn: 07:59:59 CET is before it', office(), Date.UTC(2026, 9, 25, 6, 59, 59), false],
      [
        'a holiday on the autumn change day begins at its local midnight (22:00 UTC the day before, CEST)',
        office({
          unlockRows: [row('unlocked', '00:00:00', '23:59:59')],
          holidays: [{ name: 'Change day', start: '2026-10-25', end: '2026-10-25', yearly: false }],
        }),
        Date.UTC(2026, 9, 24, 22, 0, 0),
        false,
      ],
      [
        '… and ends at the next local midnight (23:00 UTC, CET)',
        office({
          unlockRows: [row('unlocked', '00:00:00', '23:59:59')],
          holidays: [{ name: 'Change day', start: '2026-10-25', end: '2026-10-25', yearly: false }],
        }),
        Date.UTC(2026, 9, 25, 23, 0, 0),
        true,
      ],
      [
        '… and is still on at 22:59:59 UTC, an hour longer than a day',
        office({
          unlockRows: [row('unlocked', '00:00:00', '23:59:59')],
          holidays: [{ name: 'Change day', start: '2026-10-25', end: '2026-10-25', yearly: false }],
        }),
        Date.UTC(2026, 9, 25, 22, 59, 59),
        false,
      ],
      [
        'a holiday on the spring change day: the day before is open until 22:59:59 UTC (CET)',
        office({
          unlockRows: [row('unlocked', '00:00:00', '23:59:59')],
          holidays: [{ name: 'Change day', start: '2026-03-29', end: '2026-03-29', yearly: false }],
        }),
        Date.UTC(2026, 2, 28, 22, 59, 59),
        true,
      ],
    ];
    it.each(dst)('%s', (_label, input, at, granted) => {
      expect(decide(input, at).granted).toBe(granted);
    });
  });

  it('names the plan, the override or the schedule behind the answer', () => {
    const at = berlin('2026-11-25T15:00:00');
    expect(decide(inBerlin({ doorMode: modes({ lockdowns: [fireDrill] }) }), at).explanation).toBe(
      "Door Front Door is locked by lockdown 'Fire drill' (priority 10) since 14:02, by operator alice.",
    );
    expect(decide(inBerlin({ holderLevelIds: [99], doorMode: modes({ lockdowns: [fireDrill] }) }), at).explanation).toBe(
      "Granted by a responder level of lockdown 'Fire drill' (priority 10) since 14:02, by operator alice.",
    );
    const override = { mode: 'unlocked' as const, since: berlin('2026-11-24T09:00:00'), until: berlin('2026-11-25T16:30:00'), actor: 'operator bob' };
    expect(decide(inBerlin({ doorMode: modes({ override }) }), at).explanation).toBe(
      'Granted by door mode unlocked: override by operator bob since 2026-11-24 09:00 until 16:30.',
    );
    expect(decide(inBerlin({ doorMode: modes({ unlockRows: [row('card_and_pin', '00:00:00', '23:59:59')] }) }), at).explanation).toBe(
      "Door Front Door needs a card and its user's PIN, by unlock schedule 'card_and_pin 00:00:00'.",
    );
    expect(
      decide(
        inBerlin({
          doorMode: modes({ unlockRows: [officeUnlocked], holidays: [{ name: 'Staff day', start: '2026-11-25', end: '2026-11-25', yearly: false }] }),
        }),
        at,
      ).explanation,
    ).toBe("Granted by access level All hours. Door mode access controlled: holiday 'Staff day', on which unlock schedules do not apply.");
  });
});
