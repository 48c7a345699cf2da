import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleOperator, consoleSignIns } from '../../../test/console.ts';
import { seedDoor, seedSchedule } from '../../../test/factories/access.ts';
import { DIALECTS, type Harness, createHarness } from '../../../test/harness.ts';
import { fixedClock } from '../../lib/clock.ts';
import { createTimeProfile } from '../time-profiles/time-profiles.service.ts';

const START = Date.UTC(2026, 11, 4, 9, 0, 0);
const HOUR = 3_600_000;

/** A week day's wall-clock hours as the week view answers them. */
type Hour = { hour: number; seconds: number; open: number };
type Instant = { at: number; local: string };

/**
 * The console's access screens (docs/console.md): access levels as a door × schedule grid and schedules
 * written through the Lockt operations (their rules, messages and audit), and the week view answered by the
 * engine's own schedule and time-profile evaluation on the site's clocks, across both DST changes.
 */
describe.each(DIALECTS)('operator console: access levels, schedules and the audit filters (%s)', (dialect) => {
  let h: Harness;
  const clock = fixedClock(START);
  const { operator } = consoleSignIns(() => h, clock, dialect);
  let front: number;
  let back: number;
  let always: number;
  let profile: number;

  beforeAll(async () => {
    h = await createHarness(dialect, { clock });
    front = await seedDoor(h.store.db, h.site.id, 'Front');
    back = await seedDoor(h.store.db, h.site.id, 'Back');
    always = await seedSchedule(h.store.db, h.site.id, 'Always');
    const weekdays = {
      name: 'Office weekdays',
      // Wall-clock seconds: Monday 23 March 2026, 08:00 to 17:00, then every working day.
      time_options: { is_all_day: false, date_from: Date.UTC(2026, 2, 23, 8) / 1000, date_to: Date.UTC(2026, 2, 23, 17) / 1000 },
      repeat_options: {
        repeat_enable: true,
        repeat_format: {
          repeat_type: 'custom',
          repeat_end: { format: 'never' },
          repeat_custom: { repeat_point_type: 'week', repeat_looper: 1, repeat_options: ['MON', 'TUE', 'WED', 'THU', 'FRI'] },
        },
      },
    };
    profile = await createTimeProfile(h.store.db, { site: h.site, actor: { kind: 'cli', name: 'test' }, now: START }, weekdays);
    const admin = await operator('admin');
    expect((await admin.send('PATCH', '/console/api/site', { timezone: 'Europe/Berlin' })).status).toBe(200);
  });
  afterAll(async () => h.close());

  it('creates, edits, renames and deletes a schedule through the Lockt schedule writes, with their messages', async () => {
    const manager = await operator('manager');
    const days = [false, false, false, false, false, false, true];
    const made = await manager.send('POST', '/console/api/access/schedules', { name: 'Sunday nights', days, start: '01:00:00', stop: '03:59:59' });
    expect(made.status, made.text).toBe(200);
    const id = made.body.id;
    const listed = await manager.get('/console/api/access/schedules');
    expect(listed.body.schedules).toEqual([
      { id: always, name: 'Always', kind: 'schedule', days: [true, true, true, true, true, true, true], start: '00:00:00', stop: '23:59:59' },
      expect.objectContaining({ id: profile, name: 'Office weekdays', kind: 'time_profile' }),
      { id, name: 'Sunday nights', kind: 'schedule', days, start: '01:00:00', stop: '03:59:59' },
    ]);
    expect(
      (await manager.send('POST', '/console/api/access/schedules', { name: 'sunday NIGHTS', days, start: '01:00:00', stop: '02:00:00' })).text,
    ).toContain('Schedule Name Already Exists: sunday NIGHTS');
    expect((await manager.send('POST', '/console/api/access/schedules', { name: 'Late', days, start: '25:00:00', stop: '02:00:00' })).text).toContain(
      'Invalid start time found',
    );
    expect(
      (await manager.send('POST', '/console/api/access/schedules', { name: 'Late', days: [true], start: '01:00:00', stop: '02:00:00' })).status,
    ).toBe(400);
    const renamed = await manager.send('PATCH', `/console/api/access/schedules/${id}`, { name: 'Sunday small hours' });
    expect(renamed.body).toEqual({ id });
    expect((await manager.send('PATCH', `/console/api/access/schedules/${id}`, { name: 'Always' })).text).toContain(
      'Schedule Name Already Exists: Always',
    );
    expect((await manager.send('PATCH', '/console/api/access/schedules/999999', { name: 'Nope' })).text).toContain('Invalid schedule id: 999999');
    const [record] = (await manager.get('/console/api/audit')).body.records;
    expect(record).toMatchObject({ actor: manager.username, actor_kind: 'operator', resource: 'schedules', action: 'write', record_ids: [] });

    const spare = await manager.send('POST', '/console/api/access/schedules', { name: 'Spare', days, start: '10:00:00', stop: '11:00:00' });
    expect((await manager.send('DELETE', `/console/api/access/schedules/${spare.body.id}`)).status).toBe(200);
    expect((await manager.send('DELETE', `/console/api/access/schedules/${spare.body.id}`)).text).toContain(`Invalid schedule id: ${spare.body.id}`);
  });

  it('shows a level as a door × schedule grid and writes it through the Lockt access-level operations', async () => {
    const manager = await operator('manager');
    const night = (
      await manager.send('POST', '/console/api/access/schedules', { name: 'Night', days: Array(7).fill(true), start: '22:00:00', stop: '05:59:59' })
    ).body.id;
    const made = await manager.send('POST', '/console/api/access/levels', { name: 'Cleaners', doors: [{ door_id: front, schedule_id: night }] });
    expect(made.status, made.text).toBe(200);
    const level = made.body.id;
    expect((await manager.get('/console/api/access/levels')).body.levels).toContainEqual({
      id: level,
      name: 'Cleaners',
      is_delegate: false,
      doors: 1,
    });
    const page = await manager.get(`/console/api/access/levels/${level}`);
    expect(page.body.level).toEqual({ id: level, name: 'Cleaners', is_delegate: false });
    expect(page.body.doors).toEqual([
      { id: back, name: 'Back', location_name: null, schedule_id: null },
      { id: front, name: 'Front', location_name: null, schedule_id: night },
    ]);
    expect(page.body.schedules.map((s: { name: string }) => s.name)).toContain('Night');

    // Edit cells: the front door moves to Always, the back door joins on Night; then the level is renamed.
    const doors = [
      { door_id: front, schedule_id: always },
      { door_id: back, schedule_id: night },
    ];
    expect((await manager.send('PATCH', `/console/api/access/levels/${level}`, { doors })).body).toEqual({ id: level });
    expect((await manager.send('PATCH', `/console/api/access/levels/${level}`, { name: 'Night cleaners' })).status).toBe(200);
    const edited = await manager.get(`/console/api/access/levels/${level}`);
    expect(edited.body.level.name).toBe('Night cleaners');
    expect(edited.body.doors.map((d: { id: number; schedule_id: number | null }) => [d.id, d.schedule_id])).toEqual([
      [back, night],
      [front, always],
    ]);
    const [record] = (await manager.get('/console/api/audit')).body.records;
    expect(record).toMatchObject({ actor: manager.username, resource: 'accesslevels', action: 'write', detail: { updated: 1 } });

    // The Lockt rules and messages, and nothing written when a record fails.
    const bad = await manager.send('PATCH', `/console/api/access/levels/${level}`, {
      doors: [
        { door_id: 999999, schedule_id: always },
        { door_id: front, schedule_id: 888888 },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Invalid door id: 999999');
    expect(bad.text).toContain('Invalid schedule_id: 888888');
    expect((await manager.get(`/console/api/access/levels/${level}`)).body.doors).toEqual(edited.body.doors);
    const twice = await manager.send('PATCH', `/console/api/access/levels/${level}`, { doors: [doors[0], doors[0]] });
    expect(twice.text).toContain(`Duplicate door id ${front}`);
    expect((await manager.send('POST', '/console/api/access/levels', { name: 'night CLEANERS' })).text).toContain(
      'Access Level Name Already Exists: night CLEANERS',
    );
    expect((await manager.send('DELETE', `/console/api/access/schedules/${night}`)).text).toContain(
      `Schedule Night (id ${night}) is used by access level Night cleaners`,
    );

    expect((await manager.send('DELETE', `/console/api/access/levels/${level}`)).status).toBe(200);
    expect((await manager.get(`/console/api/access/levels/${level}`)).status).toBe(404);
    expect((await manager.send('DELETE', `/console/api/access/levels/${level}`)).text).toContain(`Invalid Access Level id: ${level}`);
    expect((await manager.get('/console/api/access/levels/99999999999999')).status).toBe(404);
  });

  it('refuses installers every access route, and writes without the CSRF token', async () => {
    const installer = await operator('installer');
    const manager = await operator('manager');
    for (const url of ['/console/api/access/levels', '/console/api/access/schedules', `/console/api/access/schedules/${always}/week`]) {
      expect((await installer.get(url)).status, url).toBe(403);
    }
    expect((await installer.send('POST', '/console/api/access/levels', { name: 'Mine' })).status).toBe(403);
    expect((await installer.send('PATCH', `/console/api/access/schedules/${always}`, { name: 'Mine' })).status).toBe(403);
    expect((await manager.send('POST', '/console/api/access/levels', { name: 'No token' }, { csrf: null })).status).toBe(403);
    expect((await manager.send('DELETE', `/console/api/access/schedules/${always}`, undefined, { csrf: 'forged' })).status).toBe(403);
    expect((await h.request('GET', '/console/api/access/levels', { as: null })).status).toBe(401);
    expect((await (await operator('admin')).get('/console/api/access/levels')).status).toBe(200);
  });

  /** The week holding `date` of a schedule, as the console answers it. */
  async function week(manager: ConsoleOperator, id: number, date?: string) {
    const answer = await manager.get(`/console/api/access/schedules/${id}/week${date ? `?date=${date}` : ''}`);
    expect(answer.status, answer.text).toBe(200);
    return answer.body as {
      zone: string;
      from: Instant;
      to: Instant;
      days: { date: string; hours: Hour[] }[];
      rule: unknown;
      intervals: { from: Instant; to: Instant }[];
    };
  }

  it('shows a week of a schedule on the site’s clocks: the skipped hour in March, the repeated hour in October', async () => {
    const manager = await operator('manager');
    const days = [false, false, false, false, false, false, true];
    const id = (await manager.send('POST', '/console/api/access/schedules', { name: 'Small hours', days, start: '01:00:00', stop: '03:59:59' })).body
      .id;

    // Berlin's clocks go from 02:00 to 03:00 on Sunday 29 March 2026: 01:00 to 04:00 lasts two hours.
    const march = await week(manager, id, '2026-03-25');
    expect(march.zone).toBe('Europe/Berlin');
    expect(march.from.local).toBe('2026-03-23 00:00:00 +01:00');
    expect(march.to.local).toBe('2026-03-30 00:00:00 +02:00');
    expect(march.to.at - march.from.at).toBe(167 * HOUR);
    expect(march.intervals).toEqual([
      {
        from: { at: Date.UTC(2026, 2, 29, 0), local: '2026-03-29 01:00:00 +01:00' },
        to: { at: Date.UTC(2026, 2, 29, 2), local: '2026-03-29 04:00:00 +02:00' },
      },
    ]);
    const sunday = march.days[6];
    expect(sunday?.date).toBe('2026-03-29');
    expect(sunday?.hours.slice(0, 5)).toEqual([
      { hour: 0, seconds: 3600, open: 0 },
      { hour: 1, seconds: 3600, open: 3600 },
      { hour: 2, seconds: 0, open: 0 },
      { hour: 3, seconds: 3600, open: 3600 },
      { hour: 4, seconds: 3600, open: 0 },
    ]);

    // On Sunday 25 October 2026 they go from 03:00 back to 02:00: 01:00 to 04:00 lasts four hours, 02:00 twice.
    const october = await week(manager, id, '2026-10-25');
    expect(october.to.at - october.from.at).toBe(169 * HOUR);
    expect(october.intervals).toEqual([
      {
        from: { at: Date.UTC(2026, 9, 24, 23), local: '2026-10-25 01:00:00 +02:00' },
        to: { at: Date.UTC(2026, 9, 25, 3), local: '2026-10-25 04:00:00 +01:00' },
      },
    ]);
    expect(october.days[6]?.hours[2]).toEqual({ hour: 2, seconds: 7200, open: 7200 });

    // Any other week: three hours, on the hour. With no date, the week holding today on the site's clocks.
    const june = await week(manager, id, '2026-06-10');
    expect(june.intervals.map((i) => i.to.at - i.from.at)).toEqual([3 * HOUR]);
    expect((await week(manager, id)).from.local).toBe('2026-11-30 00:00:00 +01:00');
  });

  it('shows a week of a BAS-IP time profile through its own rule, and refuses a date that is not one', async () => {
    const manager = await operator('manager');
    const march = await week(manager, profile, '2026-03-29');
    expect(march.intervals.map((i) => [i.from.local, i.to.local])).toEqual([
      ['2026-03-23 08:00:00 +01:00', '2026-03-23 17:00:01 +01:00'],
      ['2026-03-24 08:00:00 +01:00', '2026-03-24 17:00:01 +01:00'],
      ['2026-03-25 08:00:00 +01:00', '2026-03-25 17:00:01 +01:00'],
      ['2026-03-26 08:00:00 +01:00', '2026-03-26 17:00:01 +01:00'],
      ['2026-03-27 08:00:00 +01:00', '2026-03-27 17:00:01 +01:00'],
    ]);
    expect(march.days[0]?.hours[8]).toEqual({ hour: 8, seconds: 3600, open: 3600 });
    expect(march.days[0]?.hours[17]).toEqual({ hour: 17, seconds: 3600, open: 1 });
    // The week before its first day: nothing.
    expect((await week(manager, profile, '2026-03-16')).intervals).toEqual([]);

    expect((await manager.get(`/console/api/access/schedules/${profile}/week?date=2026-13-40`)).text).toContain('Invalid date found: 2026-13-40');
    expect((await manager.get(`/console/api/access/schedules/${profile}/week?date=monday`)).text).toContain('Invalid date found: monday');
    expect((await manager.get('/console/api/access/schedules/999999/week')).status).toBe(404);
    const other = await h.addSite(`Other site ${dialect}`);
    const foreign = await seedSchedule(h.store.db, other.site.id, 'Foreign');
    expect((await manager.get(`/console/api/access/schedules/${foreign}/week`)).status).toBe(404);
  });

  it('edits a time profile’s rule through the panel face’s write: its checks and messages, audited as the operator’s', async () => {
    const made = await createTimeProfile(
      h.store.db,
      { site: h.site, actor: { kind: 'cli', name: 'test' }, now: START },
      {
        name: 'Cleaners',
        time_options: { is_all_day: false, date_from: Date.UTC(2026, 10, 30, 6) / 1000, date_to: Date.UTC(2026, 10, 30, 7) / 1000 },
        repeat_options: { repeat_enable: false },
      },
    );
    const manager = await operator('manager');
    const rule = {
      time_options: { is_all_day: false, date_from: Date.UTC(2026, 10, 30, 6) / 1000, date_to: Date.UTC(2026, 10, 30, 8) / 1000 },
      repeat_options: { repeat_enable: true, repeat_format: { repeat_type: 'day', repeat_end: { format: 'never' } } },
    };
    const saved = await manager.send('PATCH', `/console/api/access/time-profiles/${made}`, rule);
    expect(saved.status, saved.text).toBe(200);
    const shown = await week(manager, made, '2026-12-02');
    expect(shown.rule).toEqual(rule);
    expect(shown.intervals.map((i) => [i.from.local, i.to.local])).toEqual(
      ['11-30', '12-01', '12-02', '12-03', '12-04', '12-05', '12-06'].map((day) => [`2026-${day} 06:00:00 +01:00`, `2026-${day} 08:00:01 +01:00`]),
    );
    const audit = await manager.get(`/console/api/audit?actor=${encodeURIComponent(manager.username)}&resource=time_profile`);
    expect(audit.body.records).toEqual([expect.objectContaining({ action: 'write', resource: 'time_profile', record_ids: [made] })]);

    // The panel face's messages, nothing written.
    const missing = await manager.send('PATCH', `/console/api/access/time-profiles/${made}`, { repeat_options: { repeat_enable: true } });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('repeat_options.repeat_format is required when repeat_enable is true');
    const backwards = await manager.send('PATCH', `/console/api/access/time-profiles/${made}`, {
      time_options: { ...rule.time_options, date_to: rule.time_options.date_from - 3600 },
    });
    expect(backwards.status).toBe(400);
    expect(backwards.text).toContain('date_to');
    expect((await week(manager, made, '2026-12-02')).rule).toEqual(rule);
    // A weekly schedule has no rule to edit; another site's profile is not found.
    expect((await manager.send('PATCH', `/console/api/access/time-profiles/${always}`, rule)).status).toBe(404);
    expect((await manager.send('PATCH', '/console/api/access/time-profiles/999999', rule)).status).toBe(404);

    // Only access.manage: installers are refused, and so is a write without its CSRF token or signed out.
    const installer = await operator('installer');
    expect((await installer.send('PATCH', `/console/api/access/time-profiles/${made}`, rule)).status).toBe(403);
    expect((await manager.send('PATCH', `/console/api/access/time-profiles/${made}`, rule, { csrf: null })).status).toBe(403);
    const anonymous = await h.request('PATCH', `/console/api/access/time-profiles/${made}`, { as: null, body: rule });
    expect(anonymous.status).toBe(401);
  });

  it('filters the audit log by actor, resource and time in the site’s zone, and lists who and what it names', async () => {
    const first = await operator('manager');
    const second = await operator('manager');
    await first.send('POST', '/console/api/access/schedules', { name: 'By first', days: Array(7).fill(true), start: '08:00:00', stop: '09:00:00' });
    await second.send('POST', '/console/api/access/levels', { name: 'By second' });
    const records = async (query: string) => {
      const page = await first.get(`/console/api/audit?${query}`);
      expect(page.status, page.text).toBe(200);
      return (page.body.records as { actor: string; resource: string }[]).map((r) => `${r.actor} ${r.resource}`);
    };
    expect(await records(`actor=${encodeURIComponent(first.username)}`)).toEqual([`${first.username} schedules`]);
    expect(await records(`actor=${encodeURIComponent(second.username)}&resource=schedules`)).toEqual([]);
    expect(await records(`actor=${encodeURIComponent(second.username)}&resource=accesslevels`)).toEqual([`${second.username} accesslevels`]);
    // The time zone change was recorded at the clock's 09:00 UTC, 10:00 in Berlin: `from` includes it, `to` does not.
    const zoneChange = `${(await records('resource=site'))[0]}`;
    expect(zoneChange).toMatch(/^console-admin-.* site$/);
    expect(await records(`resource=site&from=${encodeURIComponent('2026-12-04 10:00:00')}&to=${encodeURIComponent('2026-12-04 10:00:01')}`)).toEqual([
      zoneChange,
    ]);
    expect(await records(`resource=site&to=${encodeURIComponent('2026-12-04 10:00:00')}`)).toEqual([]);
    expect(await records(`resource=site&from=${encodeURIComponent('2026-12-04 10:00:01')}`)).toEqual([]);
    expect((await first.get('/console/api/audit?from=yesterday')).text).toContain('Invalid from date found: yesterday');
    expect((await first.get('/console/api/audit?to=2026-02-30')).text).toContain('Invalid to date found: 2026-02-30');

    const choices = await first.get('/console/api/audit/choices');
    expect(choices.body.actors).toContainEqual({ actor: first.username, actor_kind: 'operator' });
    expect(choices.body.resources).toEqual(['accesslevels', 'schedules', 'site', 'time_profile']);
    expect((await (await operator('installer')).get('/console/api/audit/choices')).status).toBe(403);
  });
});
