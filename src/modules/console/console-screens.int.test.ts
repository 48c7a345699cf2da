import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSignIns } from '../../../test/console.ts';
import { seedDoor, seedSchedule } from '../../../test/factories/access.ts';
import { seedAccessLevel } from '../../../test/factories/people.ts';
import { DIALECTS, type DeviceCaller, type Harness, createHarness } from '../../../test/harness.ts';
import { fixedClock } from '../../lib/clock.ts';
import { formatSiteTime } from '../../lib/site-time.ts';
import { createDevice } from '../devices/devices.service.ts';

const START = Date.UTC(2026, 11, 4, 9, 0, 0);

/**
 * The console's doors, explanations, events and audit (docs/console.md): each over the service the faces
 * use (the command queue, the BAS-IP emergency opening, the access engine, the event and audit logs).
 */
describe.each(DIALECTS)('operator console: doors, devices, explain, events and audit (%s)', (dialect) => {
  let h: Harness;
  const clock = fixedClock(START);
  const { operator } = consoleSignIns(() => h, clock, dialect);
  let front: number;
  let back: number;
  let level: number;
  let device: DeviceCaller;
  let grace: number;
  let alan: number;

  /** A person made through the console's own write, with a card and the given levels. */
  async function person(first: string, card: string, levels: number[]): Promise<number> {
    const manager = await operator('manager');
    const created = await manager.send('POST', '/console/api/people', {
      first_name: first,
      last_name: 'Tester',
      id_num: `ID-${first}`,
      email: `${first.toLowerCase()}@example.com`,
      phone: '555-0100-300',
      pin: '771234',
      card_num: card,
      access_levels: levels,
    });
    expect(created.status, created.text).toBe(200);
    return created.body.id;
  }

  beforeAll(async () => {
    h = await createHarness(dialect, { clock });
    front = await seedDoor(h.store.db, h.site.id, 'Front');
    back = await seedDoor(h.store.db, h.site.id, 'Back');
    const schedule = await seedSchedule(h.store.db, h.site.id, 'Always');
    level = await seedAccessLevel(h.store.db, h.site.id, 'Staff');
    await h.store.db
      .insertInto('access_level_door')
      .values({ access_level_id: level, door_id: front, schedule_id: schedule, site_id: h.site.id })
      .execute();
    device = await h.device({ name: 'Front reader', doorIds: [front] });
    grace = await person('Grace', '5550001', [level]);
    alan = await person('Alan', '5550002', [level]);
    await person('Edsger', '5550003', []);
  });
  afterAll(async () => h.close());

  it('lists doors with their live state, forced when the device raised it since its report, and shows a door page', async () => {
    const installer = await operator('installer');
    const now = formatSiteTime(clock.now(), 'UTC');
    expect(
      (await device.request('POST', '/api/v1/device/state', { body: { door_id: front, battery_level: 0.9, online: true, door_open: true } })).status,
    ).toBe(200);
    expect(
      (await device.request('POST', '/api/v1/device/events', { body: { events: [{ type: 'door_forced', door_id: front, hw_time: now }] } })).status,
    ).toBe(200);
    const list = await installer.get('/console/api/doors');
    expect(list.status).toBe(200);
    expect(list.body.doors).toEqual([
      expect.objectContaining({ id: back, name: 'Back', state: 'unknown', enabled: true }),
      expect.objectContaining({ id: front, name: 'Front', state: 'forced' }),
    ]);
    // A later report moves past the alarm: the door is open, no longer forced.
    clock.set(clock.now() + 1000);
    await device.request('POST', '/api/v1/device/state', { body: { door_id: front, battery_level: 0.9, online: true, door_open: true } });
    expect((await installer.get(`/console/api/doors/${front}`)).body.door.state).toBe('open');
    await device.request('POST', '/api/v1/device/state', { body: { door_id: front, battery_level: 0.9, online: true, door_open: false } });

    const page = await installer.get(`/console/api/doors/${front}`);
    expect(page.body).toMatchObject({
      door: { id: front, name: 'Front', state: 'closed' },
      devices: [{ id: device.id, name: 'Front reader' }],
      events: [expect.objectContaining({ text: 'Door Forced Open', door: { id: front, name: 'Front' } })],
    });
    expect((await installer.get(`/console/api/doors/${back}`)).body).toMatchObject({ devices: [], events: [] });
    expect((await installer.get('/console/api/doors/999999')).status).toBe(404);
    expect((await installer.get('/console/api/doors/99999999999999')).status).toBe(404);
  });

  it('says who can open a door now, asking the access engine: a disabled person is left out', async () => {
    const manager = await operator('manager');
    const names = async () => ((await manager.get(`/console/api/doors/${front}/people`)).body.people as { id: number }[]).map((p) => p.id);
    const answer = await manager.get(`/console/api/doors/${front}/people`);
    expect(answer.body).toEqual({
      anyone: [],
      people: [
        { id: grace, name: 'Grace Tester', credential: 'Card 5550001', rule: 'access level Staff on schedule Always' },
        { id: alan, name: 'Alan Tester', credential: 'Card 5550002', rule: 'access level Staff on schedule Always' },
      ],
      next: null,
    });
    expect((await manager.send('PATCH', `/console/api/people/${alan}`, { enabled: false })).status).toBe(200);
    expect(await names()).toEqual([grace]);
    await manager.send('PATCH', `/console/api/people/${alan}`, { enabled: true });
    expect((await manager.get(`/console/api/doors/${back}/people`)).body.people).toEqual([]);
    // A person with a PIN and no card opens it with the PIN: the engine is asked about the PIN as a keypad's.
    const created = await manager.send('POST', '/console/api/people', {
      first_name: 'Barbara',
      last_name: 'Tester',
      id_num: 'ID-Barbara',
      email: 'barbara@example.com',
      phone: '555-0100-301',
      pin: '661234',
      access_levels: [level],
    });
    const barbara = created.body.id;
    expect((await manager.get(`/console/api/doors/${front}/people`)).body.people).toContainEqual({
      id: barbara,
      name: 'Barbara Tester',
      credential: 'PIN',
      rule: 'access level Staff on schedule Always',
    });
    expect((await manager.get(`/console/api/explain?door_id=${front}&person_id=${barbara}`)).body.explanations).toEqual([
      expect.objectContaining({ credential: 'PIN', granted: true }),
    ]);
    await manager.send('PATCH', `/console/api/people/${barbara}`, { enabled: false });
    expect(await names()).toEqual([grace, alan]);
    expect((await (await operator('installer')).get(`/console/api/doors/${front}/people`)).status).toBe(403);
  });

  it('unlocks a door remotely through the command queue, recorded as the operator’s; refuses installers, and the emergency to managers', async () => {
    const manager = await operator('manager');
    const installer = await operator('installer');
    const admin = await operator('admin');
    expect((await installer.send('POST', `/console/api/doors/${front}/unlock`)).status).toBe(403);
    expect((await manager.send('POST', `/console/api/doors/${front}/unlock`, undefined, { csrf: null })).status).toBe(403);
    const unlocked = await manager.send('POST', `/console/api/doors/${front}/unlock`);
    expect(unlocked.body).toEqual({ queued: 1 });
    const command = await h.store.db
      .selectFrom('door_command')
      .select(['door_id', 'device_id', 'requested_by'])
      .orderBy('id', 'desc')
      .executeTakeFirst();
    expect(command).toEqual({ door_id: front, device_id: device.id, requested_by: `operator ${manager.username} (manager)` });
    expect((await manager.get(`/console/api/doors/${front}`)).body.events[0]).toMatchObject({ text: 'Remote Unlock Requested' });
    const undriven = await manager.send('POST', `/console/api/doors/${back}/unlock`);
    expect(undriven.status).toBe(400);
    expect(undriven.text).toContain(`No Device Attached To Door: ${back}`);

    expect((await manager.send('POST', '/console/api/emergency-open', { lock_number: 0 })).status).toBe(403);
    const emergency = await admin.send('POST', '/console/api/emergency-open', { lock_number: 0 });
    expect(emergency.body).toEqual({ queued: 1 });
    const recorded = await h.store.db.selectFrom('door_command').select('requested_by').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(recorded.requested_by).toBe(`operator ${admin.username} (admin; emergency)`);
    expect((await admin.send('POST', '/console/api/emergency-open', { lock_number: 9 })).text).toContain('No panel of the site drives lock 9');
    // The emergency holds its doors unlocked (the panel face's egress plan) until the panel face closes it.
    const panelAdmin = await h.operator('admin');
    const closed = await panelAdmin.request('POST', '/api/v1/access/general/lock/close/emergency', { body: { locks: [0] } });
    expect(closed.status, closed.text).toBe(200);
    expect((await h.request('GET', '/api/v1/lockdown')).body.data).toEqual([expect.objectContaining({ name: 'BAS-IP emergency', active: false })]);
  });

  it('explains a decision for a card or each credential of a person, at a time in the site’s zone, check by check', async () => {
    const manager = await operator('manager');
    const unknown = await manager.get(`/console/api/explain?door_id=${front}&card_num=9999999`);
    expect(unknown.status).toBe(200);
    expect(unknown.body.explanations).toEqual([
      expect.objectContaining({
        credential: 'Card 9999999',
        granted: false,
        reason: 'Unknown Credential',
        trace: [{ check: 'unknown_credential', text: 'The credential is known', passed: false }],
      }),
    ]);
    const granted = await manager.get(`/console/api/explain?door_id=${front}&person_id=${grace}&at=2026-12-01%2010:00:00`);
    expect(granted.body).toMatchObject({
      at: Date.UTC(2026, 11, 1, 10, 0, 0),
      person: { id: grace, name: 'Grace Tester' },
      explanations: [
        { credential: 'Card 5550001', granted: true, rule: 'access level Staff on schedule Always' },
        { credential: 'PIN', granted: true, rule: 'access level Staff on schedule Always' },
      ],
    });
    expect(granted.body.explanations[0].trace.at(-1)).toEqual({ check: 'granted', text: 'Access granted', passed: true });
    const noGrant = await manager.get(`/console/api/explain?door_id=${back}&card_num=5550001`);
    expect(noGrant.body.explanations[0]).toMatchObject({ granted: false, reason: 'No Access To Door' });

    expect((await manager.get(`/console/api/explain?door_id=${front}`)).status).toBe(400);
    expect((await manager.get(`/console/api/explain?door_id=${front}&card_num=1&person_id=${grace}`)).status).toBe(400);
    expect((await manager.get(`/console/api/explain?door_id=${front}&card_num=12ab`)).text).toContain('Non-Numeric card_num found: 12ab');
    expect((await manager.get(`/console/api/explain?door_id=${front}&card_num=1&at=yesterday`)).text).toContain('Invalid at date found: yesterday');
    expect((await manager.get(`/console/api/explain?door_id=${front}&person_id=999999`)).status).toBe(404);
    expect((await (await operator('installer')).get(`/console/api/explain?door_id=${front}&card_num=1`)).status).toBe(403);
  });

  it('filters events by time, door, person, outcome and reason, pages them, and exports the filtered rows as CSV', async () => {
    clock.set(START + 3_600_000);
    const installer = await operator('installer');
    const ask = (card: string) => device.request('POST', '/api/v1/device/access', { body: { door_id: front, card_num: card } });
    const granted = (await ask('5550001')).body.data.event_id;
    const unknown = (await ask('1234567')).body.data.event_id;
    const noAccess = (await ask('5550003')).body.data.event_id;
    const ids = async (query: string) => {
      const page = await installer.get(`/console/api/events?${query}`);
      expect(page.status, page.text).toBe(200);
      return (page.body.events as { id: number }[]).map((e) => e.id);
    };

    expect(await ids('outcome=denied')).toEqual([noAccess, unknown]);
    expect(await ids('outcome=granted')).toEqual([granted]);
    expect(await ids('reason=101')).toEqual([unknown]);
    expect(await ids(`person_id=${grace}`)).toEqual([granted]);
    expect(await ids(`door_id=${back}`)).toEqual([]);
    expect(await ids(`from=${encodeURIComponent('2026-12-04 10:00:00')}&door_id=${front}&outcome=denied`)).toEqual([noAccess, unknown]);
    expect(await ids(`to=${encodeURIComponent('2026-12-04 10:00:00')}&outcome=denied`)).toEqual([]);
    expect(await ids(`before=${noAccess}&outcome=denied`)).toEqual([unknown]);
    // Log ids run past the ids of rows (PostgreSQL's are transaction ids × 65,536): any is a place to page from.
    expect(await ids('before=99999999999999999999&outcome=denied')).toEqual([noAccess, unknown]);
    expect((await installer.get('/console/api/events?from=tomorrow')).text).toContain('Invalid from date found: tomorrow');
    expect((await installer.get('/console/api/events?outcome=maybe')).status).toBe(400);
    expect((await installer.get('/console/api/events?reason=100')).text).toContain('Invalid reason found: 100');
    expect((await installer.get('/console/api/events?reason=99999999999')).text).toContain('Invalid reason found: 99999999999');
    expect((await installer.get('/console/api/events/reasons')).body.reasons).toContainEqual({ subcode: 112, text: 'No Access To Door' });

    const csv = await installer.get('/console/api/events.csv?outcome=denied');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toBe('attachment; filename="events.csv"');
    expect(csv.text.trim().split('\n')).toEqual([
      'id,time,event,outcome,reason,person,person_id,door,door_id,device,card_num',
      `${unknown},2026-12-04 10:00:00,Access Denied,denied,Unknown Credential,,,Front,${front},Front reader,1234567`,
      `${noAccess},2026-12-04 10:00:00,Access Denied,denied,No Access To Door,"Tester, Edsger",${(await h.store.db.selectFrom('user').select('id').where('first_name', '=', 'Edsger').executeTakeFirstOrThrow()).id},Front,${front},Front reader,5550003`,
    ]);
    expect((await installer.get('/console/api/events.csv?door_id=999999')).text.trim()).toBe(
      'id,time,event,outcome,reason,person,person_id,door,door_id,device,card_num',
    );
  });

  it('shows the audit log, newest first, with who changed what; not to installers', async () => {
    const manager = await operator('manager');
    await manager.send('PATCH', `/console/api/people/${grace}`, { phone: '555-0100-999' });
    const audit = await manager.get('/console/api/audit');
    expect(audit.status).toBe(200);
    expect(audit.body.records[0]).toMatchObject({
      actor: manager.username,
      actor_kind: 'operator',
      resource: 'users',
      action: 'write',
      record_ids: [grace],
    });
    expect((await manager.get('/console/api/audit?before=99999999999999999999')).body.records[0]).toEqual(audit.body.records[0]);
    const older = await manager.get(`/console/api/audit?before=${audit.body.records[0].id}`);
    expect(older.body.records[0].id).toBeLessThan(audit.body.records[0].id);
    expect((await (await operator('installer')).get('/console/api/audit')).status).toBe(403);
  });

  it('lets an admin create a device (its key shown once, with the panel URL), attach and detach doors, and revoke it; installers only list and revoke', async () => {
    const admin = await operator('admin');
    const installer = await operator('installer');
    const manager = await operator('manager');
    const made = await admin.send('POST', '/console/api/devices', { name: 'Back panel', door_ids: [back] });
    expect(made.status, made.text).toBe(200);
    expect(made.body).toEqual({
      id: expect.any(Number),
      name: 'Back panel',
      device_key: expect.any(String),
      panel_url: `http://localhost:80/api/v1/panel/${made.body.device_key}/access`,
    });
    const key = made.body.device_key as string;
    const asked = await h.request('POST', '/api/v1/device/access', {
      as: null,
      headers: { authorization: `Bearer ${key}` },
      body: { door_id: back, card_num: '5550001' },
    });
    expect(asked.status).toBe(200);
    const listed = await installer.get('/console/api/devices');
    expect(listed.body.panel_url_template).toBe('http://localhost:80/api/v1/panel/{device_key}/access');
    const device = (listed.body.devices as { id: number }[]).find((d) => d.id === made.body.id);
    expect(device).toMatchObject({ name: 'Back panel', online: true, doors: [{ door_id: back, name: 'Back', lock_number: 1 }] });
    expect(JSON.stringify(listed.body)).not.toContain(key);

    expect((await admin.send('POST', '/console/api/devices', { name: 'Back panel', door_ids: [] })).text).toContain(
      'Device Name Already Exists: Back panel',
    );
    expect((await admin.send('POST', '/console/api/devices', { name: 'Other', door_ids: [999999] })).text).toContain('Invalid door id: 999999');
    expect((await admin.send('POST', `/console/api/devices/${made.body.id}/doors`, { door_id: front })).body).toEqual({
      device_id: made.body.id,
      door_id: front,
      lock_number: 2,
    });
    expect((await admin.send('DELETE', `/console/api/devices/${made.body.id}/doors/${back}`)).status).toBe(200);
    expect((await admin.send('DELETE', `/console/api/devices/${made.body.id}/doors/${back}`)).status).toBe(404);
    for (const [method, url, body] of [
      ['POST', '/console/api/devices', { name: 'Not mine', door_ids: [] }],
      ['POST', `/console/api/devices/${made.body.id}/doors`, { door_id: back }],
      ['DELETE', `/console/api/devices/${made.body.id}/doors/${front}`, undefined],
    ] as const) {
      expect((await installer.send(method, url, body)).status, url).toBe(403);
      expect((await manager.send(method, url, body)).status, url).toBe(403);
    }
    expect((await manager.get('/console/api/devices')).status).toBe(403);
    const other = await h.addSite(`Other site ${dialect}`);
    const foreign = await createDevice(h.store.db, other.site, { name: 'Foreign', doorIds: [] }, clock);
    expect((await admin.send('POST', `/console/api/devices/${foreign.device.id}/revoke`)).status).toBe(404);
    expect((await admin.send('POST', `/console/api/devices/${foreign.device.id}/doors`, { door_id: front })).status).toBe(404);
    expect((await installer.send('POST', `/console/api/devices/${made.body.id}/revoke`)).status).toBe(200);
    expect((await installer.get('/console/api/devices')).body.devices.map((d: { id: number }) => d.id)).not.toContain(made.body.id);
  });

  it('lets an admin change the site’s settings through the site rules, recorded as theirs; nobody else', async () => {
    const admin = await operator('admin');
    expect((await admin.get('/console/api/site')).body).toEqual({
      name: 'Test Site',
      timezone: 'UTC',
      card_num_max_length: expect.any(Number),
      pin_min_length: expect.any(Number),
      pin_max_length: expect.any(Number),
      unique_pins: expect.any(Boolean),
      events_limit: expect.any(Number),
    });
    const changed = await admin.send('PATCH', '/console/api/site', { timezone: 'Europe/London', events_limit: 500 });
    expect(changed.body).toMatchObject({ name: 'Test Site', timezone: 'Europe/London', events_limit: 500 });
    expect((await admin.get('/console/api/session')).body.site).toEqual({ name: 'Test Site', timezone: 'Europe/London' });
    const [record] = (await admin.get('/console/api/audit')).body.records;
    expect(record).toMatchObject({
      actor: admin.username,
      resource: 'site',
      action: 'update',
      record_ids: [h.site.id],
      detail: { changed: ['timezone', 'events_limit'] },
    });
    expect((await admin.send('PATCH', '/console/api/site', { timezone: 'Mars/Olympus' })).text).toContain('Unknown IANA time zone: Mars/Olympus');
    expect((await admin.send('PATCH', '/console/api/site', { pin_min_length: 9, pin_max_length: 8 })).text).toContain(
      'pin_min_length 9 exceeds pin_max_length 8.',
    );
    expect((await admin.send('PATCH', '/console/api/site', { events_limit: 0 })).status).toBe(400);

    for (const role of ['manager', 'installer'] as const) {
      const other = await operator(role);
      expect((await other.get('/console/api/site')).status).toBe(403);
      expect((await other.send('PATCH', '/console/api/site', { name: 'Mine now' })).status).toBe(403);
    }
    await admin.send('PATCH', '/console/api/site', { timezone: 'UTC' });
  });

  it('lets an admin create an API key (its secret shown once), set its batch size, switch it off and revoke it; nobody else', async () => {
    const admin = await operator('admin');
    const made = await admin.send('POST', '/console/api/api-keys');
    expect(made.status, made.text).toBe(200);
    const { apiuser, apikey } = made.body;
    const asKey = () => h.request('GET', '/api/v1/door', { as: null, headers: { apiuser, apikey } });
    expect((await asKey()).status).toBe(200);
    const listed = await admin.get('/console/api/api-keys');
    expect(listed.body.keys).toContainEqual({ apiuser, max_batch_size: 100, enabled: true, revoked: false, created_at: clock.now() });
    expect(listed.text).not.toContain(apikey);
    expect((await admin.send('PATCH', `/console/api/api-keys/${apiuser}`, { max_batch_size: 250 })).body).toMatchObject({ max_batch_size: 250 });
    expect((await admin.send('PATCH', `/console/api/api-keys/${apiuser}`, { max_batch_size: 0 })).text).toContain(
      'max_batch_size must be a whole number from 1 to 10000, got 0.',
    );
    expect((await admin.send('PATCH', `/console/api/api-keys/${apiuser}`, { enabled: false })).body).toMatchObject({ enabled: false });
    expect((await asKey()).status).toBe(401);
    expect((await admin.send('POST', `/console/api/api-keys/${apiuser}/revoke`)).body).toMatchObject({ revoked: true });
    expect((await admin.send('PATCH', `/console/api/api-keys/${apiuser}`, { enabled: true })).status).toBe(400);
    const other = await h.addSite(`Keys elsewhere ${dialect}`);
    expect((await admin.send('POST', `/console/api/api-keys/${other.credentials.apiuser}/revoke`)).status).toBe(404);
    expect((await h.request('GET', '/api/v1/door', { as: null, headers: { ...other.credentials } })).status).toBe(200);
    for (const role of ['manager', 'installer'] as const) {
      const refused = await operator(role);
      expect((await refused.get('/console/api/api-keys')).status).toBe(403);
      expect((await refused.send('POST', '/console/api/api-keys')).status).toBe(403);
    }
  });
});
