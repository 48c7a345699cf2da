import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedDoor, seedSchedule } from '../../../test/factories/access.ts';
import { itRequiresApiKey } from '../../../test/common-route-tests.ts';
import { DIALECTS, type Harness, createHarness } from '../../../test/harness.ts';

describe.each(DIALECTS)('/doorschedule on %s', (dialect) => {
  let h: Harness;
  let door: number;
  let hours: number;
  beforeEach(async () => {
    h = await createHarness(dialect);
    door = await seedDoor(h.store.db, h.site.id, 'Front');
    hours = await seedSchedule(h.store.db, h.site.id, 'Office hours');
  });
  afterEach(async () => {
    await h.close();
  });

  const post = (doorschedules: object[]) => h.request('POST', '/api/v1/doorschedule', { body: { doorschedules } });

  itRequiresApiKey(() => h, 'GET', '/api/v1/doorschedule');
  itRequiresApiKey(() => h, 'DELETE', '/api/v1/doorschedule', { doorschedules: [{ id: 1 }] });

  it('gives a door an unlock schedule, changes it and deletes it', async () => {
    const created = await post([{ door_id: door, schedule_id: String(hours), mode: 'unlocked', first_person_in: true }]);
    expect(created.body).toEqual({ data: { submitted: 1, inserted: 1, updated: 0, errors: 0 } });
    const [row] = (await h.request('GET', '/api/v1/doorschedules')).body.data;
    expect(row).toEqual({
      id: expect.any(Number),
      door_id: door,
      door_name: 'Front',
      schedule_id: hours,
      schedule_name: 'Office hours',
      mode: 'unlocked',
      first_person_in: true,
    });
    const refused = await h.request('PUT', '/api/v1/doorschedule', { body: { doorschedules: [{ id: row.id, mode: 'locked' }] } });
    expect(refused.body.errors[0].error).toEqual(['first_person_in requires mode unlocked: locked']);
    const changed = await h.request('PUT', '/api/v1/doorschedule', {
      body: { doorschedules: [{ id: row.id, mode: 'locked', first_person_in: false }] },
    });
    expect(changed.body.data.updated).toBe(1);
    expect((await h.request('GET', '/api/v1/doorschedule')).body.data[0]).toMatchObject({ mode: 'locked', first_person_in: false });
    const inUse = await h.request('DELETE', '/api/v1/schedule', { body: { schedules: [{ id: hours }] } });
    expect(inUse.body.errors[0].error).toEqual([`Schedule Office hours (id ${hours}) is used by the unlock schedule of door Front`]);
    const deleted = await h.request('DELETE', '/api/v1/doorschedule', { body: { doorschedules: [{ id: row.id }] } });
    expect(deleted.body.data.deleted).toBe(1);
  });

  it('refuses unknown doors and schedules, a bad mode, and a pair given twice', async () => {
    await post([{ door_id: door, schedule_id: hours, mode: 'unlocked' }]);
    const response = await post([
      { door_id: door, schedule_id: hours, mode: 'locked' },
      { door_id: 999999, schedule_id: hours, mode: 'locked' },
      { door_id: door, schedule_id: 999999, mode: 'locked' },
      { door_id: door, schedule_id: hours, mode: 'open' },
    ]);
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { error: string[] }) => e.error)).toEqual([
      [`Door Schedule Already Exists: door ${door}, schedule ${hours}`],
      ['Invalid door_id: 999999'],
      ['Invalid schedule_id: 999999'],
      ['Invalid mode found (expected one of unlocked, locked, card_and_pin): open'],
    ]);
  });

  it('shows observes_holidays on schedules and first_person_in on access levels (extensions)', async () => {
    const schedule = await h.request('POST', '/api/v1/schedule', {
      body: { schedules: [{ name: 'Night', start: '22:00:00', stop: '06:00:00', d0: 1, observes_holidays: true }] },
    });
    expect(schedule.body.data.inserted).toBe(1);
    const schedules = (await h.request('GET', '/api/v1/schedule')).body.data;
    expect(schedules.map((s: { name: string; observes_holidays?: boolean }) => [s.name, s.observes_holidays])).toEqual([
      ['Office hours', undefined],
      ['Night', true],
    ]);
    const bad = await h.request('PUT', '/api/v1/schedule', { body: { schedules: [{ id: hours, observes_holidays: 'yes' }] } });
    expect(bad.body.errors[0].error).toEqual(['Invalid observes_holidays found (expected true or false): yes']);
    await h.request('POST', '/api/v1/accesslevel', { body: { accesslevels: [{ name: 'Managers', first_person_in: true }] } });
    const [level] = (await h.request('GET', '/api/v1/accesslevel')).body.data;
    expect(level).toMatchObject({ name: 'Managers', first_person_in: true });
    await h.request('PUT', '/api/v1/accesslevel', { body: { accesslevels: [{ id: level.id, first_person_in: false }] } });
    expect((await h.request('GET', '/api/v1/accesslevel')).body.data[0]).not.toHaveProperty('first_person_in');
  });
});
