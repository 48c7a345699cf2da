import { DateTime } from 'luxon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.ts';
import { createDevice } from '../../src/modules/devices/devices.service.ts';
import { seedDoor, seedPanelIdentifier } from '../factories/access.ts';
import { seedAccessLevel } from '../factories/places.ts';
import { itRequiresOperator } from '../common-route-tests.ts';
import { DIALECTS, type Harness, type OperatorCaller, createHarness } from '../harness.ts';

/**
 * Time profiles through the panel face: created, read, changed, listed and deleted over HTTP, then
 * attached to identifiers and decided through a panel's remote-access URL at instants inside and outside
 * their windows, on the clocks of the site (Europe/London, which changes them twice a year).
 */

const ZONE = 'Europe/London';
/** A wall-clock date-time as the panel stores it: Unix seconds whose UTC fields read `text`. */
const wall = (text: string) => Date.parse(`${text.replace(' ', 'T')}Z`) / 1000;
/** The instant the site's clocks read `text`. */
const local = (text: string) => DateTime.fromISO(text, { zone: ZONE }).toMillis();

type Wire = Record<string, unknown>;

function profile(name: string, from: string, to: string, repeatFormat?: Wire, isAllDay = false): Wire {
  return {
    name,
    time_options: { is_all_day: isAllDay, date_from: wall(from), date_to: wall(to) },
    repeat_options: repeatFormat ? { repeat_enable: true, repeat_format: repeatFormat } : { repeat_enable: false },
  };
}

/** The documented examples, each with instants (site clocks) inside and outside its windows. */
const EXAMPLES: [string, Wire, [string, boolean][]][] = [
  [
    'One day',
    profile('One day', '2020-10-05 08:00:00', '2020-10-05 18:00:00', undefined, true),
    [
      ['2020-10-04T23:59:59', false],
      ['2020-10-05T00:00:00', true],
      ['2020-10-05T23:59:59', true],
      ['2020-10-06T00:00:00', false],
    ],
  ],
  [
    'Daily',
    profile('Daily', '2020-10-05 08:00:00', '2020-10-05 18:00:00', { repeat_type: 'day', repeat_end: { format: 'never' } }),
    [
      ['2020-10-04T12:00:00', false],
      ['2020-10-05T07:59:59', false],
      ['2020-10-06T18:00:00', true],
      ['2020-10-06T18:00:01', false],
      ['2025-02-28T12:00:00', true],
    ],
  ],
  [
    'Daily until date',
    profile('Daily until date', '2020-10-05 08:00:00', '2020-10-05 18:00:00', {
      repeat_type: 'day',
      repeat_end: { format: 'date', date: wall('2020-10-09 00:00:00') },
    }),
    [
      ['2020-10-07T12:00:00', true],
      ['2020-10-09T18:00:00', true],
      ['2020-10-09T18:00:01', false],
      ['2020-10-10T12:00:00', false],
    ],
  ],
  [
    'Weekly',
    profile('Weekly', '2020-10-05 08:00:00', '2020-10-05 18:00:00', { repeat_type: 'week' }),
    [
      ['2020-09-28T12:00:00', false],
      ['2020-10-12T08:00:00', true],
      ['2020-10-13T12:00:00', false],
      ['2020-10-19T18:00:01', false],
    ],
  ],
  [
    'Every two weeks',
    profile('Every two weeks', '2020-10-05 08:00:00', '2020-10-05 18:00:00', { repeat_type: 'twoWeeks' }),
    [
      ['2020-10-05T12:00:00', true],
      ['2020-10-12T12:00:00', false],
      ['2020-10-19T12:00:00', true],
      ['2020-10-26T12:00:00', false],
    ],
  ],
  [
    'Monthly',
    profile('Monthly', '2020-10-05 08:00:00', '2020-10-05 18:00:00', { repeat_type: 'month' }),
    [
      ['2020-11-04T12:00:00', false],
      ['2020-11-05T12:00:00', true],
      ['2021-02-05T18:00:00', true],
      ['2021-02-05T18:00:01', false],
    ],
  ],
  [
    'Yearly',
    profile('Yearly', '2020-10-05 08:00:00', '2020-10-05 18:00:00', { repeat_type: 'year' }),
    [
      ['2019-10-05T12:00:00', false],
      ['2021-10-05T12:00:00', true],
      ['2021-10-06T12:00:00', false],
    ],
  ],
  [
    'First day of the month',
    profile(
      'First day of the month',
      '2020-10-01 00:00:00',
      '2020-10-01 00:00:00',
      {
        repeat_type: 'custom',
        repeat_custom: { repeat_point_type: 'month', repeat_looper: 1, repeat_options: { format: 'dayNumbers', range: [1] } },
      },
      true,
    ),
    [
      ['2020-10-01T00:00:00', true],
      ['2020-10-02T00:00:00', false],
      ['2020-11-01T23:59:59', true],
      ['2021-03-01T12:00:00', true],
    ],
  ],
  [
    'Work week',
    profile(
      'Work week',
      '2020-10-05 09:00:00',
      '2020-10-05 09:00:00',
      {
        repeat_type: 'custom',
        repeat_end: { format: 'date', date: wall('2020-10-30 12:00:00') },
        repeat_custom: { repeat_point_type: 'week', repeat_looper: 1, repeat_options: ['MON', 'TUE', 'WED', 'THU', 'FRI'] },
      },
      true,
    ),
    [
      ['2020-10-02T12:00:00', false],
      ['2020-10-09T23:59:59', true],
      ['2020-10-10T12:00:00', false],
      ['2020-10-30T23:59:59', true],
      ['2020-11-02T12:00:00', false],
    ],
  ],
];

describe.each(DIALECTS)('BAS-IP time profiles on %s', (dialect) => {
  let h: Harness;
  // Sessions are logged in at BASE and last two hours on this clock: a decision at another instant puts it back.
  const BASE = Date.UTC(2020, 9, 1);
  const clock = fixedClock(BASE);
  let admin: OperatorCaller;
  let manager: OperatorCaller;
  let deviceKey: string;

  beforeEach(async () => {
    clock.set(BASE);
    h = await createHarness(dialect, { clock, timezone: ZONE });
    admin = await h.operator('admin', { username: 'boss', password: 'correct horse' });
    manager = await h.operator('manager', { username: 'clerk', password: 'battery staple' });
    const doors = [await seedDoor(h.store.db, h.site.id, 'Front'), await seedDoor(h.store.db, h.site.id, 'Back')];
    deviceKey = (await createDevice(h.store.db, h.site, { name: 'Lobby Panel', doorIds: doors }, clock)).deviceKey;
  });
  afterEach(async () => {
    await h.close();
  });
  itRequiresOperator(() => h, 'POST', '/api/v1/access/timeprofile', EXAMPLES[1]?.[1]);

  const create = async (body: Wire): Promise<number> => {
    const response = await admin.request('POST', '/api/v1/access/timeprofile', { body });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toEqual({ uid: expect.any(Number) });
    return response.body.uid as number;
  };

  /** An identifier as the panel face makes one, attached to these time profiles. */
  const identifier = async (number: string, profileUids: number[]) => {
    const id = await seedPanelIdentifier(h.store.db, h.site.id, number, { createdAt: clock.now() });
    if (profileUids.length > 0) {
      await h.store.db
        .insertInto('credential_time_profile')
        .values(profileUids.map((uid) => ({ credential_id: id, schedule_id: uid, site_id: h.site.id })))
        .execute();
    }
    return id;
  };

  /** What the panel is told when `number` is read at `at`, on the site's clocks. */
  const decide = async (number: string, at: number) => {
    clock.set(at);
    const response = await h.request('POST', `/api/v1/panel/${deviceKey}/access`, {
      as: null,
      body: { identifier_number: number, identifier_type: 'card' },
    });
    clock.set(BASE);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body as { handled: boolean; access: { granted: boolean; lock_number: number } };
  };

  it.each(EXAMPLES)('"%s": created over HTTP, read back, and deciding at the panel inside and outside its windows', async (name, body, instants) => {
    const uid = await create(body);
    const read = await manager.request('GET', `/api/v1/access/timeprofile/item/${uid}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ item_uid: uid, name, link_id: null, time_options: body.time_options, repeat_options: body.repeat_options });
    await identifier('1234567', [uid]);
    const seen: [string, boolean][] = [];
    for (const [time] of instants) seen.push([time, (await decide('1234567', local(time))).access.granted]);
    expect(seen).toEqual(instants);
  });

  it('reads the windows on the site’s clocks across both daylight-saving changes', async () => {
    const daily = await create(profile('Mornings', '2020-10-01 08:00:00', '2020-10-01 09:00:00', { repeat_type: 'day' }));
    const smallHours = await create(profile('Small hours', '2021-03-20 01:00:00', '2021-03-20 01:30:00', { repeat_type: 'day' }));
    await identifier('111', [daily]);
    await identifier('222', [smallHours]);
    const cases: [string, number, boolean][] = [
      // Saturday before the clocks go back: 07:30 UTC is 08:30 BST, inside; Monday after: 07:30 UTC is 07:30 GMT.
      ['111', Date.UTC(2020, 9, 24, 7, 30), true],
      ['111', Date.UTC(2020, 9, 26, 7, 30), false],
      ['111', Date.UTC(2020, 9, 26, 8, 30), true],
      ['111', Date.UTC(2020, 9, 24, 8, 30), false],
      // 28 March 2021 skips 01:00–02:00: the window never opens that day, and is back the next.
      ['222', Date.UTC(2021, 2, 27, 1, 15), true],
      ['222', Date.UTC(2021, 2, 28, 1, 15), false],
      ['222', Date.UTC(2021, 2, 28, 0, 15), false],
      ['222', Date.UTC(2021, 2, 29, 0, 15), true],
    ];
    const seen: [string, number, boolean][] = [];
    for (const [number, at] of cases) seen.push([number, at, (await decide(number, at)).access.granted]);
    expect(seen).toEqual(cases);
  });

  it('records a denial outside the profile as "Outside Time Profile"', async () => {
    const uid = await create(EXAMPLES[0]?.[1] as Wire);
    const credential = await identifier('555', [uid]);
    expect((await decide('555', local('2020-10-07T12:00:00'))).access).toEqual({ granted: false, lock_number: 1 });
    const events = await h.store.db.selectFrom('event').select(['code', 'subcode', 'credential_id']).execute();
    expect(events).toEqual([{ code: 49, subcode: 117, credential_id: credential }]);
  });

  it('refuses every problem of a rule with 400 and the panel’s words', async () => {
    const base = profile('Bad', '2020-10-05 08:00:00', '2020-10-05 18:00:00');
    const cases: [Wire, string | RegExp][] = [
      [{ ...base, name: undefined }, 'Wrong JSON body: no value for `name`'],
      [{ ...base, name: '   ' }, 'Wrong JSON body: no value for `name`'],
      [{ ...base, time_options: { is_all_day: false, date_from: 1 } }, 'Wrong JSON body: no value for `time_options.date_to`'],
      [
        { ...base, time_options: { is_all_day: 'no', date_from: 1, date_to: 2 } },
        'Wrong JSON body: value `time_options.is_all_day` was of the wrong type',
      ],
      [{ ...base, repeat_options: undefined }, 'Wrong JSON body: no value for `repeat_options`'],
      [
        { ...base, time_options: { is_all_day: false, date_from: 200, date_to: 100 } },
        /^time_options\.date_to must not be before time_options\.date_from \(200\): 100$/,
      ],
      [{ ...base, repeat_options: { repeat_enable: true } }, /repeat_options\.repeat_format is required when repeat_enable is true/],
      [
        { ...base, repeat_options: { repeat_enable: true, repeat_format: { repeat_type: 'fortnight', repeat_end: { format: 'sometime' } } } },
        /repeat_type must be one of .*: fortnight; .*repeat_end\.format must be one of never, date: sometime/,
      ],
      [
        {
          ...base,
          repeat_options: {
            repeat_enable: true,
            repeat_format: { repeat_type: 'custom', repeat_custom: { repeat_point_type: 'week', repeat_looper: 0 } },
          },
        },
        /repeat_looper must be 1 to 1000: 0/,
      ],
    ];
    for (const [body, message] of cases) {
      const response = await admin.request('POST', '/api/v1/access/timeprofile', { body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      if (typeof message === 'string') expect(response.body).toEqual({ error: message });
      else expect(response.body.error).toMatch(message);
    }
    const garbled = await h.request('POST', '/api/v1/access/timeprofile', { as: null, headers: admin.headers, rawBody: '{"name":' });
    expect(garbled.status).toBe(400);
    expect(garbled.body).toEqual({ error: 'Wrong JSON body' });
    expect(await h.store.db.selectFrom('schedule').select('id').execute()).toEqual([]);
  });

  it('keeps names unique among time profiles and Lockt schedules, case and spacing ignored', async () => {
    await create(profile('Cleaners', '2020-10-05 08:00:00', '2020-10-05 18:00:00'));
    const again = await admin.request('POST', '/api/v1/access/timeprofile', {
      body: profile(' cleaners ', '2020-10-05 08:00:00', '2020-10-05 18:00:00'),
    });
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ error: 'Time Profile Name Already Exists: cleaners' });
    const lockt = await h.request('POST', '/api/v1/schedule', {
      body: { schedules: [{ name: 'Office', d0: 1, start: '08:00:00', stop: '17:00:00' }] },
    });
    expect(lockt.status).toBe(200);
    const clash = await admin.request('POST', '/api/v1/access/timeprofile', {
      body: profile('OFFICE', '2020-10-05 08:00:00', '2020-10-05 18:00:00'),
    });
    expect(clash.body).toEqual({ error: 'Time Profile Name Already Exists: OFFICE' });
  });

  it('answers "Log In" without a session and "Administrator rights required" to a manager writing', async () => {
    const body = EXAMPLES[1]?.[1] as Wire;
    for (const [method, url] of [
      ['POST', '/api/v1/access/timeprofile'],
      ['GET', '/api/v1/access/timeprofile/item/1'],
      ['PATCH', '/api/v1/access/timeprofile/item/1'],
      ['DELETE', '/api/v1/access/timeprofile/item/1'],
      ['GET', '/api/v1/access/timeprofile/items'],
    ] as const) {
      const anonymous = await h.caller({}).request(method, url, { body: method === 'GET' || method === 'DELETE' ? undefined : body });
      expect(anonymous.status, `${method} ${url}`).toBe(401);
      expect(anonymous.body).toEqual({ error: 'Log In' });
      const stale = await h
        .caller({ authorization: 'Bearer nope' })
        .request(method, url, { body: method === 'GET' || method === 'DELETE' ? undefined : body });
      expect(stale.body).toEqual({ error: 'Log In' });
    }
    const uid = await create(body);
    for (const [method, url] of [
      ['POST', '/api/v1/access/timeprofile'],
      ['PATCH', `/api/v1/access/timeprofile/item/${uid}`],
      ['DELETE', `/api/v1/access/timeprofile/item/${uid}`],
    ] as const) {
      const refused = await manager.request(method, url, { body: method === 'DELETE' ? undefined : { ...body, name: 'Other' } });
      expect(refused.status, `${method} ${url}`).toBe(403);
      expect(refused.body).toEqual({ error: 'Administrator rights required' });
    }
    expect((await manager.request('GET', `/api/v1/access/timeprofile/item/${uid}`)).status).toBe(200);
  });

  it('answers a malformed uid with 400 "Wrong Time profile uid", an unknown or Lockt-only one with 404', async () => {
    const lockt = await h.request('POST', '/api/v1/schedule', { body: { schedules: [{ name: 'Office', start: '08:00:00', stop: '17:00:00' }] } });
    expect(lockt.status).toBe(200);
    const [office] = await h.store.db.selectFrom('schedule').select('id').execute();
    const cases: [string, number, string][] = [
      ['999', 404, 'Time profile not found'],
      [String(office?.id), 404, 'Time profile not found'],
      ['abc', 400, 'Wrong Time profile uid'],
      ['0', 400, 'Wrong Time profile uid'],
      ['99999999999', 400, 'Wrong Time profile uid'],
    ];
    for (const [uid, status, error] of cases) {
      for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
        const response = await admin.request(method, `/api/v1/access/timeprofile/item/${uid}`, {
          body: method === 'PATCH' ? { name: 'X' } : undefined,
        });
        expect(response.status, `${method} ${uid}`).toBe(status);
        expect(response.body).toEqual({ error });
      }
    }
  });

  it('changes a profile with PATCH, and the panel decides by the new rule', async () => {
    const uid = await create(EXAMPLES[0]?.[1] as Wire);
    await identifier('777', [uid]);
    expect((await decide('777', local('2020-10-06T12:00:00'))).access.granted).toBe(false);
    const daily = EXAMPLES[1]?.[1] as Wire;
    const patched = await admin.request('PATCH', `/api/v1/access/timeprofile/item/${uid}`, {
      body: { name: 'Every day', repeat_options: daily.repeat_options },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toEqual({});
    const read = await admin.request('GET', `/api/v1/access/timeprofile/item/${uid}`);
    expect(read.body).toMatchObject({ name: 'Every day', repeat_options: daily.repeat_options });
    expect((await decide('777', local('2020-10-06T12:00:00'))).access.granted).toBe(true);
    const bad = await admin.request('PATCH', `/api/v1/access/timeprofile/item/${uid}`, {
      body: { time_options: { is_all_day: true, date_from: 10, date_to: 5 } },
    });
    expect(bad.status).toBe(400);
    expect((await admin.request('GET', `/api/v1/access/timeprofile/item/${uid}`)).body).toEqual(read.body);
  });

  it('deletes a profile with its attachments, so its identifiers are no longer bound by it', async () => {
    const uid = await create(EXAMPLES[0]?.[1] as Wire);
    const credential = await identifier('888', [uid]);
    expect((await decide('888', local('2021-01-01T12:00:00'))).access.granted).toBe(false);
    const deleted = await admin.request('DELETE', `/api/v1/access/timeprofile/item/${uid}`);
    expect(deleted.status).toBe(200);
    expect((await admin.request('GET', `/api/v1/access/timeprofile/item/${uid}`)).body).toEqual({ error: 'Time profile not found' });
    expect(await h.store.db.selectFrom('credential_time_profile').selectAll().execute()).toEqual([]);
    expect(await h.store.db.selectFrom('credential').select('id').where('id', '=', credential).execute()).toHaveLength(1);
    expect((await decide('888', local('2021-01-01T12:00:00'))).access.granted).toBe(true);
    const audit = await h.store.db.selectFrom('audit').select(['actor_kind', 'actor', 'resource', 'action', 'record_ids']).execute();
    expect(audit).toEqual([
      { actor_kind: 'operator', actor: 'boss', resource: 'time_profile', action: 'write', record_ids: String(uid) },
      { actor_kind: 'operator', actor: 'boss', resource: 'time_profile', action: 'delete', record_ids: String(uid) },
    ]);
  });

  it('refuses to delete a profile a Lockt access level opens a door on', async () => {
    const uid = await create(EXAMPLES[3]?.[1] as Wire);
    const [door] = await h.store.db.selectFrom('door').select('id').execute();
    await seedAccessLevel(h.store.db, h.site.id, 'Staff', [door?.id as number], { scheduleId: uid });
    const refused = await admin.request('DELETE', `/api/v1/access/timeprofile/item/${uid}`);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ error: `Time profile Weekly (uid ${uid}) is used by access level Staff` });
  });

  it('lists a page at a time, sorted and filtered on uid or name', async () => {
    const uids: number[] = [];
    for (let i = 1; i <= 12; i += 1)
      uids.push(await create(profile(`Profile ${String(i).padStart(2, '0')}`, '2020-10-05 08:00:00', '2020-10-05 18:00:00')));
    const second = await manager.request('GET', '/api/v1/access/timeprofile/items?limit=10&page_number=2');
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.list_option.pagination).toEqual({ total_items: 12, items_limit: 10, total_pages: 2, current_page: 2 });
    expect(second.body.list_items.map((p: { item_uid: number }) => p.item_uid)).toEqual(uids.slice(10));
    const byName = await manager.request('GET', '/api/v1/access/timeprofile/items?sort_field=name&sort_type=desc');
    expect(byName.body.list_items[0]).toMatchObject({ name: 'Profile 12', time_options: { is_all_day: false } });
    const filtered = await manager.request('GET', `/api/v1/access/timeprofile/items?filter=${encodeURIComponent("name eq 'Profile 03'")}`);
    expect(filtered.body.list_items.map((p: { item_uid: number }) => p.item_uid)).toEqual([uids[2]]);
    const flat = await manager.request(
      'GET',
      `/api/v1/access/timeprofile/items?filter_field=uid&filter_type=equal&filter_format=number&filter_value=${uids[4]}`,
    );
    expect(flat.body.list_option.pagination.total_items).toBe(1);
    expect((await manager.request('GET', '/api/v1/access/timeprofile/items?limit=101')).status).toBe(400);
  });

  it('shows time profiles in Lockt GET /schedule: the weekly reading of the rule and the rule itself', async () => {
    const workWeek = EXAMPLES.find(([name]) => name === 'Work week')?.[1] as Wire;
    const monthly = EXAMPLES.find(([name]) => name === 'Monthly')?.[1] as Wire;
    await create(workWeek);
    await create(monthly);
    const listed = await h.request('GET', '/api/v1/schedule');
    expect(listed.status).toBe(200);
    /** A time profile as Lockt lists it: its weekly reading (days, start, stop) and the rule it was sent with. */
    const asSchedule = (sent: Wire, week: { days: number[]; start: string; stop: string }) => ({
      id: expect.any(Number),
      name: sent.name,
      ...Object.fromEntries(week.days.map((on, day) => [`d${day}`, on])),
      start: week.start,
      stop: week.stop,
      time_profile: { time_options: sent.time_options, repeat_options: sent.repeat_options },
    });
    expect(listed.body.data).toEqual([
      asSchedule(workWeek, { days: [1, 1, 1, 1, 1, 0, 0], start: '00:00:00', stop: '23:59:59' }),
      asSchedule(monthly, { days: [0, 0, 0, 0, 0, 0, 0], start: '08:00:00', stop: '18:00:00' }),
    ]);
  });
});
