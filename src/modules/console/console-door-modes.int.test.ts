import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSignIns } from '../../../test/console.ts';
import { seedDoors, seedSchedule, seedUserWithCard } from '../../../test/factories/access.ts';
import { seedAccessLevel } from '../../../test/factories/places.ts';
import { DIALECTS, type DeviceCaller, type Harness, createHarness } from '../../../test/harness.ts';
import { fixedClock } from '../../lib/clock.ts';
import { EVENT_CODES } from '../../event-log/catalogue.ts';

const START = Date.UTC(2026, 11, 5, 9, 0, 0);

/**
 * Door modes in the console (docs/console.md): lockdown plans listed, started, cleared, created and deleted,
 * and a door's override set and returned, each through the Lockt face's operations, with their messages,
 * events and audit; each door's mode and its cause on the doors screen and a door's page.
 */
describe.each(DIALECTS)('operator console: lockdown and door modes (%s)', (dialect) => {
  let h: Harness;
  const clock = fixedClock(START);
  const { operator } = consoleSignIns(() => h, clock, dialect);
  let front: number;
  let back: number;
  let device: DeviceCaller;

  const decide = async () => (await device.request('POST', '/api/v1/device/access', { body: { door_id: front, card_num: '1001' } })).body.data;
  const doorOf = async (caller: { get(url: string): Promise<{ body: { doors: { id: number }[] } }> }, id: number) =>
    (await caller.get('/console/api/doors')).body.doors.find((d) => d.id === id);

  beforeAll(async () => {
    h = await createHarness(dialect, { clock });
    const db = h.store.db;
    [front, back] = await seedDoors(db, h.site.id, ['Front', 'Back']);
    device = await h.device({ name: 'Front reader', doorIds: [front] });
    const always = await seedSchedule(db, h.site.id, 'Always');
    const staff = await seedAccessLevel(db, h.site.id, 'Staff', [front], { scheduleId: always });
    await seedUserWithCard(db, h.site.id, 'Ann', staff, { number: '1001', key: 'K1001' });
  });
  afterAll(async () => h.close());

  it('lets an admin create a plan and a manager start it: the door shows locked with its cause and a device is denied', async () => {
    const admin = await operator('admin');
    const created = await admin.send('POST', '/console/api/lockdowns', { name: 'Fire drill', priority: 10, door_ids: [front] });
    expect(created.status, created.text).toBe(200);
    const id = created.body.id;
    expect((await decide()).granted).toBe(true);

    const manager = await operator('manager');
    const plans = (await manager.get('/console/api/lockdowns')).body.lockdowns;
    expect(plans).toEqual([expect.objectContaining({ id, name: 'Fire drill', mode: 'lockdown', priority: 10, scope: 'doors', active: false })]);
    expect((await manager.send('POST', `/console/api/lockdowns/${id}/start`)).body).toEqual({ changed: true });
    expect((await manager.send('POST', `/console/api/lockdowns/${id}/start`)).body).toEqual({ changed: false });
    expect(await decide()).toMatchObject({ granted: false, subcode: 118 });

    const by = `operator ${manager.username} (manager)`;
    expect((await manager.get('/console/api/lockdowns')).body.lockdowns[0]).toMatchObject({ active: true, active_by: by });
    const door = (await manager.get(`/console/api/doors/${front}`)).body.door;
    expect(door).toMatchObject({ mode: 'locked', overridden: false });
    expect(door.mode_cause).toBe(`lockdown 'Fire drill' (priority 10) since 09:00, by ${by}`);
    expect(await doorOf(manager, back)).toMatchObject({ mode: 'access_controlled', mode_cause: 'no unlock schedule, override or plan' });

    // Deleting a started plan is refused with the Lockt message; clearing lets the card in again.
    const refused = await admin.send('DELETE', `/console/api/lockdowns/${id}`);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Fire drill');
    expect((await manager.send('POST', `/console/api/lockdowns/${id}/clear`)).body).toEqual({ changed: true });
    expect((await decide()).granted).toBe(true);
    expect(await doorOf(manager, front)).toMatchObject({ mode: 'access_controlled' });

    const events = await h.store.db
      .selectFrom('event')
      .select('code')
      .where('code', 'in', [EVENT_CODES.LOCKDOWN_STARTED, EVENT_CODES.LOCKDOWN_CLEARED])
      .execute();
    expect(events.map((e) => e.code).sort()).toEqual([EVENT_CODES.LOCKDOWN_STARTED, EVENT_CODES.LOCKDOWN_CLEARED].sort());
    const audit = await h.store.db.selectFrom('audit').select(['actor', 'resource']).where('resource', '=', 'lockdowns').orderBy('id').execute();
    expect(audit).toEqual([
      { actor: admin.username, resource: 'lockdowns' },
      { actor: manager.username, resource: 'lockdowns' },
      { actor: manager.username, resource: 'lockdowns' },
    ]);

    expect((await admin.send('DELETE', `/console/api/lockdowns/${id}`)).status).toBe(200);
    expect((await admin.get('/console/api/lockdowns')).body.lockdowns).toEqual([]);
  });

  it('answers the Lockt plan messages, writing nothing', async () => {
    const admin = await operator('admin');
    const bad = await admin.send('POST', '/console/api/lockdowns', { name: 'Bad', location_id: 999999, door_ids: [front] });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Only one of location_id and door_ids may be given');
    expect(bad.text).toContain('Invalid location_id: 999999');
    expect((await admin.send('POST', '/console/api/lockdowns', { name: 'Twice' })).status).toBe(200);
    const again = await admin.send('POST', '/console/api/lockdowns', { name: ' twice ' });
    expect(again.text).toContain('Lockdown Plan Name Already Exists');
    expect((await admin.get('/console/api/lockdowns')).body.lockdowns.map((p: { name: string }) => p.name)).toEqual(['Twice']);
    expect((await admin.send('POST', '/console/api/lockdowns/999999/start')).text).toContain('999999');
  });

  it('lets a manager override a door until a time or the next change and return it to schedule, recorded as theirs', async () => {
    const manager = await operator('manager');
    const set = await manager.send('POST', `/console/api/doors/${front}/override`, { mode: 'locked', until: '2030-01-01 10:00:00' });
    expect(set.status, set.text).toBe(200);
    const door = (await manager.get(`/console/api/doors/${front}`)).body.door;
    expect(door).toMatchObject({ mode: 'locked', overridden: true });
    expect(door.mode_cause).toMatch(new RegExp(`^override by operator ${manager.username} \\(manager\\) since .+ until 2030-01-01 10:00$`));
    expect(await decide()).toMatchObject({ granted: false, subcode: 118 });

    expect((await manager.send('POST', `/console/api/doors/${front}/override`, { mode: 'unlocked', until_next_change: true })).status).toBe(200);
    expect(await doorOf(manager, front)).toMatchObject({ mode: 'unlocked', overridden: true });

    expect((await manager.send('DELETE', `/console/api/doors/${front}/override`)).status).toBe(200);
    expect(await doorOf(manager, front)).toMatchObject({ mode: 'access_controlled', overridden: false });
    expect((await decide()).granted).toBe(true);
    const codes = await h.store.db
      .selectFrom('event')
      .select('code')
      .where('code', 'in', [EVENT_CODES.DOOR_OVERRIDDEN, EVENT_CODES.DOOR_RETURNED_TO_SCHEDULE])
      .orderBy('id')
      .execute();
    expect(codes.map((c) => c.code)).toEqual([EVENT_CODES.DOOR_OVERRIDDEN, EVENT_CODES.DOOR_OVERRIDDEN, EVENT_CODES.DOOR_RETURNED_TO_SCHEDULE]);

    const bad = await manager.send('POST', `/console/api/doors/${front}/override`, { mode: 'open', until: 'soon' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Invalid mode found');
    expect((await manager.send('POST', '/console/api/doors/999999/override', { mode: 'locked' })).text).toContain('999999');
  });

  it('refuses installers (403), managers plan writes (403), writes without CSRF, and callers not signed in', async () => {
    const installer = await operator('installer');
    expect((await installer.get('/console/api/lockdowns')).status).toBe(403);
    expect((await installer.send('POST', `/console/api/doors/${front}/override`, { mode: 'locked' })).status).toBe(403);
    const manager = await operator('manager');
    expect((await manager.send('POST', '/console/api/lockdowns', { name: 'Mine' })).status).toBe(403);
    const admin = await operator('admin');
    const plan = (await admin.send('POST', '/console/api/lockdowns', { name: 'Drill 2' })).body.id;
    expect((await manager.send('DELETE', `/console/api/lockdowns/${plan}`)).status).toBe(403);
    expect((await installer.send('POST', `/console/api/lockdowns/${plan}/start`)).status).toBe(403);
    expect((await manager.send('POST', `/console/api/lockdowns/${plan}/start`, undefined, { csrf: null })).status).toBe(403);
    expect((await manager.send('POST', `/console/api/doors/${front}/override`, { mode: 'locked' }, { csrf: 'forged' })).status).toBe(403);
    expect((await h.request('POST', `/console/api/lockdowns/${plan}/start`, { as: null })).status).toBe(401);
    expect((await admin.get('/console/api/lockdowns')).body.lockdowns.find((p: { id: number }) => p.id === plan).active).toBe(false);
    expect(await doorOf(admin, front)).toMatchObject({ mode: 'access_controlled' });
  });
});
