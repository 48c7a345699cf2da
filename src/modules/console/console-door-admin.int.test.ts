import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSignIns } from '../../../test/console.ts';
import { seedDoor } from '../../../test/factories/access.ts';
import { DIALECTS, type DeviceCaller, type Harness, createHarness } from '../../../test/harness.ts';
import { fixedClock } from '../../lib/clock.ts';
import { createOperator } from '../users/operators.service.ts';

const START = Date.UTC(2026, 11, 5, 9, 0, 0);

/**
 * Doors managed from the console (docs/console.md): created, renamed, placed and removed by installers and
 * admins through the Lockt door writes; an admin's call-off of an emergency; the lock state devices report;
 * and a sign-in that names its site.
 */
describe.each(DIALECTS)('operator console: managing doors, emergencies and lock state (%s)', (dialect) => {
  let h: Harness;
  const clock = fixedClock(START);
  const { operator, signIn, callerOf } = consoleSignIns(() => h, clock, dialect);
  let lobby: number;
  let annex: number;
  let front: number;
  let device: DeviceCaller;

  async function location(name: string, type: number): Promise<number> {
    const made = await h.request('POST', '/api/v1/location', { body: { locations: [{ name, locationtype: type }] } });
    expect(made.status, made.text).toBe(200);
    const list = await h.request('GET', '/api/v1/location');
    return (list.body.data as { id: number; name: string }[]).find((l) => l.name === name)?.id ?? 0;
  }

  beforeAll(async () => {
    h = await createHarness(dialect, { clock });
    await h.request('POST', '/api/v1/locationtype', { body: { locationtypes: [{ name: 'Building' }] } });
    const type = (await h.request('GET', '/api/v1/locationtype')).body.data[0].id;
    lobby = await location('Lobby', type);
    annex = await location('Annex', type);
    front = await seedDoor(h.store.db, h.site.id, 'Front');
    device = await h.device({ name: 'Front reader', doorIds: [front] });
  });
  afterAll(async () => h.close());

  it('lets an installer create, rename, place and remove a door through the door writes, audited as theirs', async () => {
    const installer = await operator('installer');
    expect((await installer.get('/console/api/locations')).body.locations).toEqual([
      { id: annex, name: 'Annex' },
      { id: lobby, name: 'Lobby' },
    ]);
    const created = await installer.send('POST', '/console/api/doors', { name: '  Loading bay ', location_id: lobby });
    expect(created.status, created.text).toBe(200);
    const id = created.body.id;
    expect((await installer.get(`/console/api/doors/${id}`)).body.door).toMatchObject({
      id,
      name: 'Loading bay',
      location_id: lobby,
      location_name: 'Lobby',
    });

    expect((await installer.send('PATCH', `/console/api/doors/${id}`, { name: 'Dock', location_id: annex })).status).toBe(200);
    expect((await installer.get(`/console/api/doors/${id}`)).body.door).toMatchObject({ name: 'Dock', location_name: 'Annex' });
    expect((await installer.send('PATCH', `/console/api/doors/${id}`, { location_id: null })).status).toBe(200);
    expect((await installer.get(`/console/api/doors/${id}`)).body.door).toMatchObject({ name: 'Dock', location_id: null, location_name: null });

    const audit = await h.store.db
      .selectFrom('audit')
      .select(['actor', 'actor_kind', 'resource', 'action'])
      .where('resource', '=', 'doors')
      .execute();
    expect(audit).toEqual([
      { actor: installer.username, actor_kind: 'operator', resource: 'doors', action: 'write' },
      { actor: installer.username, actor_kind: 'operator', resource: 'doors', action: 'write' },
      { actor: installer.username, actor_kind: 'operator', resource: 'doors', action: 'write' },
    ]);

    expect((await installer.send('DELETE', `/console/api/doors/${id}`)).status).toBe(200);
    expect((await installer.get(`/console/api/doors/${id}`)).status).toBe(404);
    expect((await installer.send('DELETE', `/console/api/doors/${id}`)).text).toContain(`Invalid door id: ${id}`);
  });

  it('answers the door writes’ own messages, and nothing is written', async () => {
    const admin = await operator('admin');
    const taken = await admin.send('POST', '/console/api/doors', { name: 'front' });
    expect(taken.status).toBe(400);
    expect(taken.text).toContain('Door Name Already Exists: front');
    expect((await admin.send('POST', '/console/api/doors', { name: 'Side', location_id: 999999 })).text).toContain('Invalid location id: 999999');
    expect((await admin.send('POST', '/console/api/doors', { location_id: lobby })).status).toBe(400);
    expect((await admin.send('POST', '/console/api/doors', { name: 'Side', colour: 'red' })).status).toBe(400);
    expect((await admin.send('PATCH', '/console/api/doors/999999', { name: 'Nowhere' })).text).toContain('Invalid door id: 999999');
    expect((await admin.send('PATCH', '/console/api/doors/abc', { name: 'Nowhere' })).status).toBe(400);
    const names = await h.store.db.selectFrom('door').select('name').where('site_id', '=', h.site.id).execute();
    expect(names.map((d) => d.name)).toEqual(['Front']);
  });

  it('refuses managers the door writes (403), a write without its CSRF token, and a caller not signed in', async () => {
    const manager = await operator('manager');
    expect((await manager.get('/console/api/locations')).status).toBe(403);
    expect((await manager.send('POST', '/console/api/doors', { name: 'Side' })).status).toBe(403);
    expect((await manager.send('PATCH', `/console/api/doors/${front}`, { name: 'Side' })).status).toBe(403);
    expect((await manager.send('DELETE', `/console/api/doors/${front}`)).status).toBe(403);
    const installer = await operator('installer');
    expect((await installer.send('POST', '/console/api/doors', { name: 'Side' }, { csrf: null })).status).toBe(403);
    expect((await installer.send('POST', '/console/api/doors', { name: 'Side' }, { csrf: 'forged' })).status).toBe(403);
    expect((await h.request('POST', '/console/api/doors', { as: null, body: { name: 'Side' } })).status).toBe(401);
    expect(installer.csrf).toBeTruthy();
    expect((await h.store.db.selectFrom('door').select('id').where('name', '=', 'Side').execute()).length).toBe(0);
  });

  it('lets an admin call off an emergency opening: the unlocks not yet collected are withdrawn, audited as theirs', async () => {
    const admin = await operator('admin');
    expect((await admin.send('POST', '/console/api/emergency-open', { lock_number: 0 })).body).toEqual({ queued: 1 });
    const closed = await admin.send('POST', '/console/api/emergency-close', { lock_number: 0 });
    expect(closed.status, closed.text).toBe(200);
    expect(closed.body).toEqual({ withdrawn: 1 });
    // The opening's egress plan queues mode commands too (docs/door-modes.md); this is about the unlock.
    const command = await h.store.db
      .selectFrom('door_command')
      .select(['result', 'requested_by'])
      .where('command', '=', 'unlock')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(command).toEqual({ result: 'withdrawn', requested_by: `operator ${admin.username} (admin; emergency)` });
    const audited = await h.store.db
      .selectFrom('audit')
      .select(['actor', 'actor_kind', 'action'])
      .where('resource', '=', 'door_command')
      .executeTakeFirstOrThrow();
    expect(audited).toEqual({ actor: admin.username, actor_kind: 'operator', action: 'withdraw' });
    // No unlock is left to collect; the device is told its door is back to its own mode.
    const collected: { command: string; mode?: string }[] = (await device.request('GET', '/api/v1/device/commands?wait=0')).body.data;
    expect(collected.map((c) => [c.command, c.mode])).toEqual([['mode', 'access_controlled']]);
    expect((await admin.send('POST', '/console/api/emergency-close', { lock_number: 0 })).body).toEqual({ withdrawn: 0 });
    expect((await admin.send('POST', '/console/api/emergency-close', { lock_number: 9 })).text).toContain('No panel of the site drives lock 9');
    expect((await admin.send('POST', '/console/api/emergency-close', { lock_number: -1 })).status).toBe(400);
    expect((await admin.send('POST', '/console/api/emergency-close', {})).status).toBe(400);
    for (const role of ['manager', 'installer'] as const) {
      expect((await (await operator(role)).send('POST', '/console/api/emergency-close', { lock_number: 0 })).status).toBe(403);
    }
  });

  it('shows a door locked or unlocked once its device reports it, and neither when it does not say or is offline', async () => {
    const installer = await operator('installer');
    const report = (body: object) =>
      device.request('POST', '/api/v1/device/state', { body: { door_id: front, battery_level: 0.8, online: true, door_open: false, ...body } });
    const frontDoor = async () => (await installer.get(`/console/api/doors/${front}`)).body.door;

    const locked = await report({ locked: true });
    expect(locked.status, locked.text).toBe(200);
    expect(locked.body.data).toEqual({ door_id: front, battery_level: 0.8, online: true, door_open: false, locked: true });
    expect(await frontDoor()).toMatchObject({ state: 'closed', locked: true });
    await report({ locked: 'false' });
    expect(await frontDoor()).toMatchObject({ state: 'closed', locked: false });
    expect((await installer.get('/console/api/doors')).body.doors).toContainEqual(expect.objectContaining({ id: front, locked: false }));
    // Each report replaces the last whole: one that does not say leaves the lock unknown.
    expect((await report({})).body.data.locked).toBeNull();
    expect(await frontDoor()).toMatchObject({ locked: null });
    await report({ locked: true, online: false });
    expect(await frontDoor()).toMatchObject({ state: 'offline', locked: null });

    const wrong = await report({ locked: 'maybe' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Invalid locked found (expected true or false)');
  });

  it('answers an asset the page already holds with 304 (its ETag), so each screen does not fetch every module again', async () => {
    const first = await h.request('GET', '/console/assets/door-admin.js', { as: null });
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('no-cache');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    const again = await h.request('GET', '/console/assets/door-admin.js', { as: null, headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers['content-security-policy']).toContain("script-src 'self'");
    const other = await h.request('GET', '/console/assets/doors.js', { as: null, headers: { 'if-none-match': etag } });
    expect(other.status).toBe(200);
    expect(other.headers.etag).not.toBe(etag);
  });

  it('signs in as <site id>/<username> when several sites hold the username, as the BAS-IP prefix names a site', async () => {
    const other = await h.addSite(`Elsewhere ${dialect}`);
    const username = `shared-${dialect}`;
    await createOperator(h.store.db, h.site.id, { username, password: 'first site password', role: 'installer' }, clock);
    await createOperator(h.store.db, other.site.id, { username, password: 'other site password', role: 'admin' }, clock);

    const bare = await signIn(username, 'first site password');
    expect(bare.status).toBe(400);
    expect(bare.text).toContain('Wrong login or password');

    const first = await signIn(`${h.site.id}/${username}`, 'first site password');
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ username, role: 'installer' });
    const session = await callerOf(String(first.headers['set-cookie']).split(';')[0] ?? '', first.body.csrf_token).get('/console/api/session');
    expect(session.body.site.name).toBe(h.site.name);

    const second = await signIn(` ${other.site.id}/${username.toUpperCase()} `, 'other site password');
    expect(second.status, second.text).toBe(200);
    expect(second.body).toMatchObject({ username: username.toUpperCase(), role: 'admin' });
    const seen = await callerOf(String(second.headers['set-cookie']).split(';')[0] ?? '', second.body.csrf_token).get('/console/api/session');
    expect(seen.body.site.name).toBe(`Elsewhere ${dialect}`);

    expect((await signIn(`${other.site.id}/${username}`, 'first site password')).status).toBe(400);
    expect((await signIn(`999999999/${username}`, 'first site password')).status).toBe(400);
  });
});
