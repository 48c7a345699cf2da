import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDoor, seedSchedule } from '../../../test/factories/access.ts';
import { seedAccessLevel } from '../../../test/factories/people.ts';
import { consoleSignIns } from '../../../test/console.ts';
import { DIALECTS, type Harness, createHarness } from '../../../test/harness.ts';
import { fixedClock } from '../../lib/clock.ts';
import { changeOperator } from '../users/operators.service.ts';
import { CONSOLE_IDLE_MS, CONSOLE_MAX_MS } from '../operator-sessions/operator-sessions.service.ts';

const START = Date.UTC(2026, 11, 4, 9, 0, 0);

describe.each(DIALECTS)('operator console (%s)', (dialect) => {
  let h: Harness;
  const clock = fixedClock(START);

  beforeAll(async () => {
    h = await createHarness(dialect, { clock });
  });
  afterAll(async () => h.close());

  const { signIn, callerOf, operator } = consoleSignIns(() => h, clock, dialect);

  it('serves the page and its assets from this server under a policy with no inline script', async () => {
    const page = await h.request('GET', '/console', { as: null });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const policy = String(page.headers['content-security-policy']);
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(page.text).toContain('/console/assets/app.js');
    expect((await h.request('GET', '/console/people/12', { as: null })).text).toBe(page.text);
    const chart = await h.request('GET', '/console/assets/chart.umd.min.js', { as: null });
    expect(chart.status).toBe(200);
    expect(chart.text).toContain('Chart');
    expect((await h.request('GET', '/console/assets/..%2Fconsole.routes.ts', { as: null })).status).toBe(404);
    expect((await h.request('GET', '/console/api/nothing-here', { as: null })).status).toBe(404);
  });

  it('signs in with the password into an HttpOnly, Secure, SameSite=Strict cookie; refuses a wrong one; signs out', async () => {
    const admin = await operator('admin');
    const answer = await signIn(admin.username, admin.password);
    const cookie = String(answer.headers['set-cookie']);
    expect(cookie).toMatch(/^__Host-portcullis-console=[^;]+; Path=\/; Secure; HttpOnly; SameSite=Strict/);
    expect(answer.body).toEqual({ username: admin.username, role: 'admin', capabilities: expect.any(Array), csrf_token: expect.any(String) });
    expect(JSON.stringify(answer.body)).not.toContain(cookie.split(';')[0]?.split('=')[1]);

    const wrong = await signIn(admin.username, 'not the password');
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Wrong login or password');
    // The panel face's throttle counted it: one throttle, whichever face was tried.
    const counted = await h.store.db.selectFrom('login_throttle').select('failures').where('username_key', '=', admin.username).executeTakeFirst();
    expect(counted?.failures).toBe(1);

    const session = await admin.get('/console/api/session');
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ username: admin.username, role: 'admin', site: { name: 'Test Site', timezone: 'UTC' } });
    expect((await h.request('GET', '/console/api/session', { as: null })).status).toBe(401);

    expect((await admin.send('DELETE', '/console/api/session', undefined, { csrf: null })).status).toBe(403);
    const out = await admin.send('DELETE', '/console/api/session');
    expect(out.status).toBe(200);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await admin.get('/console/api/session')).status).toBe(401);
  });

  it("keeps the two faces' sessions apart: a panel token is no cookie, a cookie no panel token", async () => {
    const panel = await h.operator('admin');
    expect(
      (await h.request('GET', '/console/api/session', { as: null, headers: { cookie: `__Host-portcullis-console=${panel.token}` } })).status,
    ).toBe(401);
    const admin = await operator('admin');
    const token = admin.cookie.split('=')[1] as string;
    expect((await h.request('GET', '/api/v1/apartment/items', { as: null, headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('refuses every write without the session’s CSRF token', async () => {
    const manager = await operator('manager');
    const other = await operator('manager');
    const body = { first_name: 'No', last_name: 'Token', id_num: 'CSRF-1', email: 'csrf@example.com', phone: '555-0100-222', pin: '482913' };
    for (const token of [null, 'forged', other.csrf]) {
      const refused = await manager.send('POST', '/console/api/people', body, { csrf: token });
      expect(refused.status).toBe(403);
      expect(refused.text).toContain('CSRF');
    }
    expect((await manager.get('/console/api/people?q=csrf')).body.people).toEqual([]);
  });

  it('ends a session after the idle timeout, moves it on with use, and at the latest after the maximum', async () => {
    const admin = await operator('admin');
    clock.set(clock.now() + CONSOLE_IDLE_MS - 60_000);
    expect((await admin.get('/console/api/session')).status).toBe(200);
    clock.set(clock.now() + CONSOLE_IDLE_MS - 60_000);
    expect((await admin.get('/console/api/session')).status).toBe(200);
    clock.set(clock.now() + CONSOLE_IDLE_MS + 1);
    expect((await admin.get('/console/api/session')).status).toBe(401);

    const busy = await operator('admin');
    const started = clock.now();
    while (clock.now() < started + CONSOLE_MAX_MS - CONSOLE_IDLE_MS) {
      clock.set(clock.now() + CONSOLE_IDLE_MS / 2);
      expect((await busy.get('/console/api/session')).status).toBe(200);
    }
    clock.set(started + CONSOLE_MAX_MS);
    expect((await busy.get('/console/api/session')).status).toBe(401);
  });

  it('signs the operator out everywhere when the password changes or the account is disabled or removed', async () => {
    for (const change of [{ kind: 'set-password', password: 'a brand new password' }, { kind: 'disable' }, { kind: 'remove' }] as const) {
      const admin = await operator('admin');
      const again = callerOf((await signIn(admin.username, admin.password)).headers['set-cookie']?.toString().split(';')[0] as string, '');
      await changeOperator(h.store.db, h.site.id, admin.username, change, { kind: 'cli', name: 'test' }, clock);
      expect((await admin.get('/console/api/session')).status).toBe(401);
      expect((await again.get('/console/api/session')).status).toBe(401);
    }
  });

  it('refuses (403) what a role may not do, and says what each role may', async () => {
    const installer = await operator('installer');
    const manager = await operator('manager');
    expect((await installer.get('/console/api/session')).body.capabilities).toEqual(['events.read', 'doors.manage', 'devices.manage']);
    // Spelled out, not read from console-permissions.ts: a capability added to the manager's role must fail here.
    expect((await manager.get('/console/api/session')).body.capabilities).toEqual([
      'events.read',
      'people.read',
      'people.write',
      'access.explain',
      'audit.read',
      'access.manage',
      'doors.unlock',
      'doors.override',
      'lockdown.operate',
    ]);
    expect((await installer.get('/console/api/dashboard')).status).toBe(200);
    for (const url of ['/console/api/people', '/console/api/people/1', '/console/api/access-levels']) {
      expect((await installer.get(url)).status).toBe(403);
    }
    const refused = await installer.send('POST', '/console/api/people', { first_name: 'A' });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('The installer role may not do this.');
    expect((await installer.send('PATCH', '/console/api/people/1', { enabled: false })).status).toBe(403);
    expect((await installer.send('DELETE', '/console/api/credentials/1')).status).toBe(403);

    const device = await h.device({ name: `Reader ${dialect}` });
    expect((await manager.send('POST', `/console/api/devices/${device.id}/revoke`)).status).toBe(403);
    expect((await device.request('POST', '/api/v1/device/events', { body: { events: [] } })).status).not.toBe(401);
    expect((await installer.send('POST', `/console/api/devices/${device.id}/revoke`)).status).toBe(200);
    expect((await device.request('POST', '/api/v1/device/access', { body: { door_id: 1, card_num: '1' } })).status).toBe(401);
  });

  it('creates a person with a card and access, finds them as you type, shows their page without the PIN, and changes them', async () => {
    const manager = await operator('manager');
    const level = await seedAccessLevel(h.store.db, h.site.id, `Staff ${dialect}`);
    expect((await manager.get('/console/api/access-levels')).body.access_levels).toContainEqual({ id: level, name: `Staff ${dialect}` });

    const invalid = await manager.send('POST', '/console/api/people', {
      first_name: 'Ada',
      last_name: 'Lovelace',
      id_num: 'P-100',
      email: 'not an email',
      phone: '555-0100-123',
      pin: '482913',
    });
    expect(invalid.status).toBe(400);
    expect(invalid.text).toContain('not an email');

    const person = { first_name: 'Ada', last_name: 'Lovelace', id_num: 'P-100', email: 'Ada@Example.com', phone: '555-0100-123', pin: '482913' };
    const created = await manager.send('POST', '/console/api/people', { ...person, card_num: '7301234', access_levels: [level] });
    expect(created.status).toBe(200);
    const id = created.body.id as number;
    await h.request('POST', '/api/v1/user', {
      body: {
        users: [
          { id: -1, id_num: 'P-101', first_name: 'Adrian', last_name: 'Smith', email: 'adrian@example.com', phone: '555-0100-124', pin: '482914' },
        ],
      },
    });

    const found = async (q: string) =>
      ((await manager.get(`/console/api/people?q=${encodeURIComponent(q)}`)).body.people as { id: number }[]).map((p) => p.id);
    expect(await found('ad')).toHaveLength(2);
    expect(await found('ada')).toEqual([id]);
    expect(await found('LOVE')).toEqual([id]);
    expect(await found('ada@ex')).toEqual([id]);
    expect(await found('7301')).toEqual([id]);
    expect(await found('ada love')).toEqual([id]);
    expect(await found('lovelace ada')).toEqual([id]);
    expect(await found('zzz')).toEqual([]);
    const first = await found('');
    expect(first.length).toBeGreaterThanOrEqual(2);
    expect((await manager.get(`/console/api/people?q=ad&after=${id}`)).body.people.map((p: { id: number }) => p.id)).not.toContain(id);

    const page = await manager.get(`/console/api/people/${id}`);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({
      id,
      first_name: 'Ada',
      email: 'Ada@Example.com',
      has_pin: true,
      enabled: true,
      credentials: [{ card_num: '7301234', fob: false }],
      access_levels: [{ id: level, name: `Staff ${dialect}` }],
      events: [],
    });
    expect(page.text).not.toContain('482913');
    expect((await manager.get('/console/api/people/999999')).status).toBe(404);

    const changed = await manager.send('PATCH', `/console/api/people/${id}`, { enabled: false, last_name: 'King' });
    expect(changed.body).toEqual({ id });
    expect((await manager.get(`/console/api/people/${id}`)).body).toMatchObject({ enabled: false, last_name: 'King' });
    const card = page.body.credentials[0].id as number;
    expect((await manager.send('DELETE', `/console/api/credentials/${card}`)).status).toBe(200);
    expect((await manager.get(`/console/api/people/${id}`)).body.credentials).toEqual([]);
    expect((await manager.send('PATCH', `/console/api/people/${id}`, { card_num: '7309999', access_levels: [] })).status).toBe(200);
    expect((await manager.get(`/console/api/people/${id}`)).body).toMatchObject({ credentials: [{ card_num: '7309999' }], access_levels: [] });
    const audit = await h.store.db.selectFrom('audit').select(['actor', 'resource']).where('resource', '=', 'users').execute();
    expect(audit.map((a) => a.actor)).toContain(manager.username);
  });

  it('shows the dashboard: doors, devices online, the newest events linked to their person and door, and decisions per hour', async () => {
    const admin = await operator('admin');
    const door = await seedDoor(h.store.db, h.site.id, `Front ${dialect}`);
    const schedule = await seedSchedule(h.store.db, h.site.id, `Always ${dialect}`);
    const level = await seedAccessLevel(h.store.db, h.site.id, `Front access ${dialect}`);
    await h.store.db
      .insertInto('access_level_door')
      .values({ access_level_id: level, door_id: door, schedule_id: schedule, site_id: h.site.id })
      .execute();
    const created = await admin.send('POST', '/console/api/people', {
      first_name: 'Grace',
      last_name: 'Hopper',
      id_num: 'P-200',
      email: 'grace@example.com',
      phone: '555-0100-200',
      pin: '771234',
      card_num: '5550001',
      access_levels: [level],
    });
    const person = created.body.id as number;
    const device = await h.device({ name: `Door controller ${dialect}`, doorIds: [door] });
    expect((await device.request('POST', '/api/v1/device/access', { body: { door_id: door, card_num: '5550001' } })).body.data.granted).toBe(true);
    expect((await device.request('POST', '/api/v1/device/access', { body: { door_id: door, card_num: '5559999' } })).body.data.granted).toBe(false);

    const board = await admin.get('/console/api/dashboard');
    expect(board.status).toBe(200);
    expect(board.body.doors).toContainEqual(expect.objectContaining({ id: door, name: `Front ${dialect}`, state: 'unknown', enabled: true }));
    expect(board.body.devices).toContainEqual(expect.objectContaining({ id: device.id, online: true, last_seen_at: clock.now() }));
    const [denied, granted] = board.body.events;
    expect(denied).toMatchObject({ outcome: 'denied', door: { id: door }, device: { id: device.id }, card_num: '5559999' });
    expect(granted).toMatchObject({ outcome: 'granted', text: 'Access Granted', person: { id: person, name: 'Hopper, Grace' }, door: { id: door } });
    expect(board.body.decisions).toHaveLength(24);
    expect(board.body.decisions[23]).toMatchObject({ granted: 1, denied: 1 });
    expect((await admin.get(`/console/api/people/${person}`)).body.events).toEqual([expect.objectContaining({ id: granted.id, outcome: 'granted' })]);
  });
});
