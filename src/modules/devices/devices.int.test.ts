import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { itRequiresApiKey } from '../../../test/common-route-tests.ts';
import { runCli } from '../../../test/cli-runner.ts';
import { seedDoor, seedDoors, seedSchedule, seedUserWithCard } from '../../../test/factories/access.ts';
import { seedAccessLevel } from '../../../test/factories/places.ts';
import { DIALECTS, type Harness, type TestStore, createHarness, storeUrl } from '../../../test/harness.ts';
import { openStore } from '../../db/open.ts';
import { EVENT_CATEGORIES, EVENT_CODES } from '../../event-log/catalogue.ts';
import { systemClock } from '../../lib/clock.ts';
import { hashPin } from '../../lib/pins.ts';
import { COMMAND_TTL_MS, commandSignalsOf, requestUnlock } from './device-commands.service.ts';
import { createDevice } from './devices.service.ts';

describe.each(DIALECTS)('device API on %s', (dialect) => {
  let h: Harness;
  let frontDoor: number;
  let backDoor: number;
  beforeEach(async () => {
    h = await createHarness(dialect);
    [frontDoor, backDoor] = await seedDoors(h.store.db, h.site.id, ['Front Door', 'Back Door']);
  });
  afterEach(async () => {
    await h.close();
  });

  const store = () => h.store as TestStore;
  const addDevice = async (name: string, doorIds: number[] = [frontDoor]) => {
    const issued = await createDevice(h.store.db, h.site, { name, doorIds }, systemClock);
    return { id: issued.device.id, key: issued.deviceKey };
  };
  const asDevice = (key: string, method: 'GET' | 'POST', url: string, body?: unknown) =>
    h.request(method, url, { as: null, headers: { authorization: `Bearer ${key}` }, ...(body === undefined ? {} : { body }) });
  const eventRows = () => h.store.db.selectFrom('event').selectAll().where('site_id', '=', h.site.id).orderBy('id').execute();
  const waitingPolls = (deviceId: number) => commandSignalsOf(h.store.db).listenerCount(String(deviceId));

  describe('CLI', () => {
    /** The CLI pointed at the store the app uses: the SQLite file, or the PostgreSQL schema. */
    const cli = (...args: string[]) => {
      const databaseUrl = storeUrl(store());
      return runCli([...args, '--data', store().dataDir, ...(databaseUrl ? ['--database-url', databaseUrl] : [])]);
    };

    it('create prints the key once; list never shows it; attach, detach and revoke take effect', async () => {
      const created = await cli('device', 'create', '--site', String(h.site.id), '--name', 'Lobby Panel', '--doors', `${frontDoor}`, '--json');
      expect(created.code, created.stderr).toBe(0);
      const issued = JSON.parse(created.stdout);
      expect(issued).toEqual({ device: { id: expect.any(Number), name: 'Lobby Panel' }, device_key: expect.stringMatching(/^[a-z0-9]{40}$/) });
      const id = String(issued.device.id);

      const attached = await cli('device', 'attach', '--device', id, '--door', String(backDoor), '--json');
      expect(JSON.parse(attached.stdout)).toEqual({ device_id: issued.device.id, door_id: backDoor, lock_number: 2 });

      const listed = await cli('device', 'list', '--site', String(h.site.id), '--json');
      expect(listed.stdout).not.toContain(issued.device_key);
      expect(JSON.parse(listed.stdout)).toEqual([
        {
          id: issued.device.id,
          name: 'Lobby Panel',
          site_id: h.site.id,
          revoked: false,
          last_seen_at: null,
          doors: [
            { door_id: frontDoor, name: 'Front Door', lock_number: 1 },
            { door_id: backDoor, name: 'Back Door', lock_number: 2 },
          ],
        },
      ]);

      // The key works against the app sharing the store, for the doors the CLI attached.
      const state = await asDevice(issued.device_key, 'POST', '/api/v1/device/state', {
        door_id: backDoor,
        battery_level: 0.5,
        online: true,
        door_open: false,
      });
      expect(state.status, JSON.stringify(state.body)).toBe(200);

      expect((await cli('device', 'detach', '--device', id, '--door', String(backDoor))).code).toBe(0);
      const detached = await asDevice(issued.device_key, 'POST', '/api/v1/device/state', {
        door_id: backDoor,
        battery_level: 0.5,
        online: true,
        door_open: false,
      });
      expect(detached.status).toBe(400);

      const revoked = await cli('device', 'revoke', '--device', id, '--json');
      expect(JSON.parse(revoked.stdout)).toMatchObject({ id: issued.device.id, revoked: true });
      expect((await asDevice(issued.device_key, 'GET', '/api/v1/device/commands?wait=0')).status).toBe(401);
    });

    it('refuses a taken or too long name, a door of another site, a taken lock and bad arguments', async () => {
      const other = await h.addSite('Other');
      const theirs = await seedDoor(h.store.db, other.site.id, 'Their Door');
      const site = String(h.site.id);
      expect((await cli('device', 'create', '--site', site, '--name', 'Panel')).code).toBe(0);
      const [device] = JSON.parse((await cli('device', 'list', '--site', site, '--json')).stdout);
      const id = String(device.id);
      const cases: [string[], number, RegExp][] = [
        [['device', 'create', '--site', site, '--name', ' panel '], 1, /Device Name Already Exists: panel$/m],
        [['device', 'create', '--site', site, '--name', 'X', '--doors', `${theirs}`], 1, new RegExp(`Invalid door id: ${theirs}`)],
        [['device', 'create', '--site', site, '--name', 'X', '--doors', '1,,2'], 2, /--doors must be comma-separated ids/],
        [['device', 'create', '--site', site, '--name', 'p'.repeat(256)], 1, /Invalid name length found \(at most 255 characters\)/],
        [['device', 'attach', '--device', id, '--door', String(theirs)], 1, new RegExp(`No door with id ${theirs} in site ${site}`)],
        [['device', 'attach', '--device', '999999', '--door', String(frontDoor)], 1, /No device with id 999999/],
        [['device', 'detach', '--device', id, '--door', String(frontDoor)], 1, /is not attached to device/],
        [['device', 'list', '--site', 'abc'], 2, /--site must be a whole number/],
      ];
      for (const [args, code, message] of cases) {
        const result = await cli(...args);
        expect(result.code, args.join(' ')).toBe(code);
        expect(result.stderr, args.join(' ')).toMatch(message);
      }
      expect((await cli('device', 'attach', '--device', id, '--door', String(frontDoor), '--lock', '2')).code).toBe(0);
      const taken = await cli('device', 'attach', '--device', id, '--door', String(backDoor), '--lock', '2');
      expect(taken.stderr).toMatch(new RegExp(`Lock 2 of device ${id} already drives door ${frontDoor}`));
      // The lowest free lock is 1, below the one taken.
      const next = await cli('device', 'attach', '--device', id, '--door', String(backDoor), '--json');
      expect(JSON.parse(next.stdout).lock_number).toBe(1);
    });
  });

  describe('device authentication', () => {
    it('refuses a missing, malformed, unknown or revoked key with 401, unknown and revoked alike', async () => {
      const { id, key } = await addDevice('Panel');
      await h.store.db.updateTable('device').set({ revoked_at: Date.now() }).where('id', '=', id).execute();
      const attempts: Record<string, string>[] = [{}, { authorization: `Basic ${key}` }, { authorization: 'Bearer ' }];
      for (const headers of attempts) {
        const response = await h.request('POST', '/api/v1/device/access', { as: null, headers, body: { door_id: frontDoor, card_num: '1' } });
        expect(response.status, JSON.stringify(headers)).toBe(401);
        expect(response.body).toEqual({ data: { error: expect.any(String) } });
      }
      const unknown = await asDevice('x'.repeat(40), 'POST', '/api/v1/device/access', { door_id: frontDoor, card_num: '1' });
      const revoked = await asDevice(key, 'POST', '/api/v1/device/access', { door_id: frontDoor, card_num: '1' });
      expect([unknown.status, revoked.status]).toEqual([401, 401]);
      expect(revoked.body).toEqual({ data: { error: 'Invalid device credentials.' } });
      expect(unknown.body).toEqual(revoked.body);
      expect(await eventRows()).toEqual([]);
    });

    it('refuses the site’s API key on device routes, and a device key on Lockt routes', async () => {
      const { key } = await addDevice('Panel');
      for (const [method, url] of [
        ['GET', '/api/v1/device/commands?wait=0'],
        ['POST', '/api/v1/device/state'],
        ['POST', '/api/v1/device/events'],
      ] as const) {
        const response = await h.request(method, url, method === 'POST' ? { body: {} } : {});
        expect(response.status, url).toBe(401);
        expect(response.body, url).toEqual({ data: { error: expect.any(String) } });
      }
      const ping = await asDevice(key, 'GET', '/api/v1/ping');
      expect(ping.status).toBe(401);
      expect(ping.body).toEqual({ data: { error: expect.any(String) } });
    });

    it('notes when the device was last seen', async () => {
      const { id, key } = await addDevice('Panel');
      await asDevice(key, 'GET', '/api/v1/device/commands?wait=0');
      const row = await h.store.db.selectFrom('device').select('last_seen_at').where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.last_seen_at).toEqual(expect.any(Number));
    });
  });

  describe('POST /device/access', () => {
    let device: { id: number; key: string };
    beforeEach(async () => {
      const schedule = await seedSchedule(h.store.db, h.site.id, 'Always');
      const level = await seedAccessLevel(h.store.db, h.site.id, 'Staff', [frontDoor], { scheduleId: schedule });
      const user = await seedUserWithCard(h.store.db, h.site.id, 'Ann', level, { number: '12345', key: 'ABCD-EFGH-JKLM-NPQR' });
      const { pin_secret } = await h.store.db.selectFrom('site').select('pin_secret').where('id', '=', h.site.id).executeTakeFirstOrThrow();
      await h.store.db
        .updateTable('user')
        .set({ pin_hash: hashPin('4321', pin_secret) })
        .where('id', '=', user)
        .execute();
      device = await addDevice('Lobby Panel', [frontDoor]);
    });
    const ask = (body: unknown) => asDevice(device.key, 'POST', '/api/v1/device/access', body);

    it('grants a card with a level on an open schedule, and records who, where and why', async () => {
      const response = await ask({ door_id: String(frontDoor), card_num: 12345 });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        data: { granted: true, code: 48, code_text: 'Access Granted', subcode: 100, subcode_text: 'Granted', event_id: expect.any(Number) },
      });
      const [event] = await eventRows();
      expect(event).toMatchObject({
        id: response.body.data.event_id,
        code: EVENT_CODES.ACCESS_GRANTED,
        subcode: 100,
        category: EVENT_CATEGORIES.ACCESS_GRANTED,
        device_id: device.id,
        device_name: 'Lobby Panel',
        door_id: frontDoor,
        door_name: 'Front Door',
        schedule_name: 'Always',
        card_num: '12345',
        user_name: 'Test, Ann',
      });
    });

    it('grants by PIN and by mobile credential key, never recording the PIN', async () => {
      const byPin = await ask({ door_id: frontDoor, pin: '4321' });
      const byKey = await ask({ door_id: frontDoor, credential_key: 'ABCD-EFGH-JKLM-NPQR' });
      expect([byPin.body.data.granted, byKey.body.data.granted]).toEqual([true, true]);
      const events = await eventRows();
      expect(events.map((e) => e.card_num)).toEqual(['', '12345']);
      expect(JSON.stringify(events)).not.toContain('4321');
    });

    it('answers a denial with 200 and its reason: unknown card, no grant, a door of another site', async () => {
      const other = await h.addSite('Other');
      const theirs = await seedDoor(h.store.db, other.site.id, 'Their Door');
      const cases: [unknown, number, string][] = [
        [{ door_id: frontDoor, card_num: '999' }, 101, 'Unknown Credential'],
        // Not attached to this device, but a door of its site: decided all the same.
        [{ door_id: backDoor, card_num: '12345' }, 112, 'No Access To Door'],
        [{ door_id: theirs, card_num: '12345' }, 110, 'Unknown Door'],
      ];
      for (const [body, subcode, text] of cases) {
        const response = await ask(body);
        expect(response.status, JSON.stringify(body)).toBe(200);
        expect(response.body.data, JSON.stringify(body)).toMatchObject({
          granted: false,
          code: 49,
          code_text: 'Access Denied',
          subcode,
          subcode_text: text,
        });
      }
      const events = await eventRows();
      expect(events.map((e) => [e.code, e.subcode, e.category])).toEqual([
        [49, 101, EVENT_CATEGORIES.ACCESS_DENIED],
        [49, 112, EVENT_CATEGORIES.ACCESS_DENIED],
        [49, 110, EVENT_CATEGORIES.ACCESS_DENIED],
      ]);
      expect(events[1]).toMatchObject({ door_name: 'Back Door', user_name: 'Test, Ann', device_name: 'Lobby Panel' });
    });

    it('refuses malformed questions with 400 and records nothing', async () => {
      const cases: [unknown, RegExp][] = [
        [{ door_id: frontDoor }, /exactly one of card_num, pin or credential_key, or card_num with pin \(got none\)/],
        [{ door_id: frontDoor, card_num: '1', pin: '2', credential_key: 'k' }, /\(got card_num and pin and credential_key\)/],
        [{ door_id: frontDoor, pin: '2', credential_key: 'k' }, /\(got pin and credential_key\)/],
        [{ door_id: frontDoor, card_num: '1', pin: 'x2' }, /Non-Numeric pin found: x2/],
        [{ door_id: 'front', card_num: '1' }, /Non-Numeric door_id found: front/],
        [{ card_num: '1' }, /Missing or blank door_id/],
        [{ door_id: frontDoor, card_num: '12a' }, /Non-Numeric card_num found: 12a/],
        [{ door_id: frontDoor, pin: 'abcd' }, /Non-Numeric pin found: abcd/],
        [{ door_id: 99_999_999_999, card_num: '1' }, /Invalid door_id found: 99999999999/],
        [[1, 2], /Could not parse input/],
      ];
      for (const [body, message] of cases) {
        const response = await ask(body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.body, JSON.stringify(body)).toEqual({ data: { error: expect.stringMatching(message) } });
      }
      expect(await eventRows()).toEqual([]);
    });
  });

  describe('POST /device/events', () => {
    it('records door alarms and device events with the catalogue’s codes, times read in the site zone', async () => {
      const { id, key } = await addDevice('Panel');
      const response = await asDevice(key, 'POST', '/api/v1/device/events', {
        events: [
          { type: 'door_forced', door_id: frontDoor, hw_time: '2026-01-02 03:04:05', detail: 'contact opened' },
          { type: 'battery_low', hw_time: '2026-01-02T03:04:05+02:00' },
        ],
      });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body).toEqual({ data: { submitted: 2, inserted: 2, errors: 0, event_ids: [expect.any(Number), expect.any(Number)] } });
      const events = await eventRows();
      expect(events.map((e) => e.id)).toEqual(response.body.data.event_ids);
      expect(events[0]).toMatchObject({
        code: EVENT_CODES.DOOR_FORCED,
        category: EVENT_CATEGORIES.DOOR_ALARM,
        device_id: id,
        device_name: 'Panel',
        door_id: frontDoor,
        door_name: 'Front Door',
        detail: 'contact opened',
        hw_time: Date.UTC(2026, 0, 2, 3, 4, 5),
      });
      expect(events[1]).toMatchObject({
        code: EVENT_CODES.BATTERY_LOW,
        category: EVENT_CATEGORIES.DEVICE,
        door_id: null,
        hw_time: Date.UTC(2026, 0, 2, 1, 4, 5),
      });
    });

    it('reports every failing record and stores nothing', async () => {
      const { key } = await addDevice('Panel');
      const other = await h.addSite('Other');
      const theirs = await seedDoor(h.store.db, other.site.id, 'Their Door');
      const events = [
        { type: 'tamper', hw_time: '2026-01-02 03:04:05' },
        { type: 'exploded', hw_time: '2026-01-02 03:04:05' },
        { type: 'door_held_open', hw_time: '2026-01-02 03:04:05' },
        { type: 'tamper', door_id: theirs, hw_time: 'yesterday' },
        { type: 'device_online' },
        { type: 'battery_low', hw_time: '9999-12-31T23:30:00-01:00' },
        { type: 'battery_low', hw_time: '0000-06-01 00:00:00' },
      ];
      const response = await asDevice(key, 'POST', '/api/v1/device/events', { events });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        result: ['Validation errors found. Batch has failed. Details provided.'],
        errors: [
          { error: [expect.stringMatching(/^Invalid type found \(expected one of door_forced, .*\): exploded$/)], input_data: events[1] },
          { error: ['Missing or blank door_id (required for door_held_open)'], input_data: events[2] },
          { error: [`Invalid door id: ${theirs}`, 'Invalid hw_time date found: yesterday'], input_data: events[3] },
          { error: ['Missing or blank hw_time'], input_data: events[4] },
          { error: ['Invalid hw_time date found: 9999-12-31T23:30:00-01:00 (event times run from year 1 to 9999, UTC)'], input_data: events[5] },
          { error: ['Invalid hw_time date found: 0000-06-01 00:00:00 (event times run from year 1 to 9999, UTC)'], input_data: events[6] },
        ],
      });
      expect(await eventRows()).toEqual([]);
      const empty = await asDevice(key, 'POST', '/api/v1/device/events', { events: [] });
      expect(empty.status).toBe(400);
      expect(empty.body).toEqual({ data: { error: expect.stringMatching(/Could not parse input/) } });
    });
  });

  describe('POST /device/state', () => {
    it('keeps the latest report of an attached door, which GET /doorstate shows', async () => {
      const { key } = await addDevice('Panel');
      const report = (battery_level: number | null) =>
        asDevice(key, 'POST', '/api/v1/device/state', { door_id: frontDoor, battery_level, online: true, door_open: 'false' });
      const first = await report(0.64);
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body).toEqual({ data: { door_id: frontDoor, battery_level: 0.64, online: true, door_open: false, locked: null } });
      await report(0.5);
      const states = await h.request('GET', '/api/v1/doorstate');
      expect(states.body.data).toEqual([
        { id: frontDoor, name: 'Front Door', battery_level: 0.5, mode: null },
        { id: backDoor, name: 'Back Door', battery_level: null, mode: null },
      ]);
    });

    it('keeps the mode the door applied, until the device reports another (extension)', async () => {
      const { key } = await addDevice('Panel');
      const report = (extra: object) =>
        asDevice(key, 'POST', '/api/v1/device/state', { door_id: frontDoor, battery_level: null, online: true, door_open: false, ...extra });
      const applied = await report({ mode: 'locked' });
      expect(applied.body).toEqual({
        data: { door_id: frontDoor, battery_level: null, online: true, door_open: false, locked: null, mode: 'locked' },
      });
      await report({});
      const modeOf = async () => (await h.request('GET', '/api/v1/doorstate')).body.data[0].mode;
      expect(await modeOf()).toBe('locked');
      const refused = await report({ mode: 'open' });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({
        data: { error: expect.stringMatching(/Invalid mode found \(expected one of access_controlled, unlocked, locked, card_and_pin\): open/) },
      });
      await report({ mode: 'access_controlled' });
      expect(await modeOf()).toBe('access_controlled');
    });

    it('refuses a door the device does not drive and out-of-range values with 400', async () => {
      const { key } = await addDevice('Panel');
      const cases: [unknown, RegExp][] = [
        [{ door_id: backDoor, battery_level: 0.5, online: true, door_open: false }, new RegExp(`Door ${backDoor} is not attached to this device`)],
        [{ door_id: frontDoor, battery_level: 1.5, online: true, door_open: false }, /Invalid battery_level found .*: 1.5/],
        [{ door_id: frontDoor, battery_level: 0.5, online: 'yes', door_open: false }, /Invalid online found \(expected true or false\): yes/],
        [{ door_id: frontDoor, online: true, door_open: false }, /Missing or blank battery_level/],
      ];
      for (const [body, message] of cases) {
        const response = await asDevice(key, 'POST', '/api/v1/device/state', body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.body).toEqual({ data: { error: expect.stringMatching(message) } });
      }
      expect((await h.request('GET', '/api/v1/doorstate')).body.data[0].battery_level).toBeNull();
    });
  });

  describe('remote unlock', () => {
    itRequiresApiKey(() => h, 'POST', '/api/v1/door/unlock', { doors: [{ id: 1 }] });

    it('a waiting poll receives the unlock, the ack closes it, and each step is an event', async () => {
      const panel = await addDevice('Panel', [backDoor, frontDoor]);
      const poll = asDevice(panel.key, 'GET', '/api/v1/device/commands?wait=20');
      await vi.waitFor(() => expect(waitingPolls(panel.id)).toBe(1));

      const unlocked = await h.request('POST', '/api/v1/door/unlock', { body: { doors: [{ id: String(frontDoor) }] } });
      expect(unlocked.status, JSON.stringify(unlocked.body)).toBe(200);
      expect(unlocked.body).toEqual({ data: { submitted: 1, processed: 1, errors: 0 } });

      const delivered = await poll;
      expect(delivered.status).toBe(200);
      expect(delivered.body).toEqual({
        data: [{ id: expect.any(Number), command: 'unlock', door_id: frontDoor, lock_number: 2, requested_at: expect.any(String) }],
      });
      const [command] = delivered.body.data;

      const acked = await asDevice(panel.key, 'POST', '/api/v1/device/commands/ack', { commands: [{ id: command.id, result: 'ok' }] });
      expect(acked.status, JSON.stringify(acked.body)).toBe(200);
      expect(acked.body).toEqual({ data: { submitted: 1, processed: 1, errors: 0 } });
      // Acknowledging again (the first answer lost) changes nothing.
      const again = await asDevice(panel.key, 'POST', '/api/v1/device/commands/ack', { commands: [{ id: command.id }] });
      expect(again.body).toEqual({ data: { submitted: 1, processed: 0, errors: 0 } });

      const events = await eventRows();
      expect(events.map((e) => [e.code, e.category, e.device_name, e.door_name])).toEqual([
        [EVENT_CODES.REMOTE_UNLOCK_REQUESTED, EVENT_CATEGORIES.REMOTE_COMMAND, 'Panel', 'Front Door'],
        [EVENT_CODES.REMOTE_UNLOCK_DELIVERED, EVENT_CATEGORIES.REMOTE_COMMAND, 'Panel', 'Front Door'],
        [EVENT_CODES.REMOTE_UNLOCK_ACKNOWLEDGED, EVENT_CATEGORIES.REMOTE_COMMAND, 'Panel', 'Front Door'],
      ]);
      expect(events[0]?.detail).toBe(`Unlock command ${command.id} requested by API key ${h.credentials.apiuser}.`);
      expect(events[2]?.detail).toBe(`Unlock command ${command.id} acknowledged: ok.`);
      const row = await h.store.db.selectFrom('door_command').selectAll().where('id', '=', command.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        device_id: panel.id,
        door_id: frontDoor,
        command: 'unlock',
        result: 'ok',
        delivered_at: expect.any(Number),
        acked_at: expect.any(Number),
      });
      expect((await asDevice(panel.key, 'GET', '/api/v1/device/commands?wait=0')).body).toEqual({ data: [] });
    });

    it('is also reached as POST /door?unlock, the spelling beside the Lockt door endpoint', async () => {
      const panel = await addDevice('Panel', [frontDoor]);
      const unlocked = await h.request('POST', '/api/v1/door?unlock', { body: { doors: [{ id: frontDoor }] } });
      expect(unlocked.body).toEqual({ data: { submitted: 1, processed: 1, errors: 0 } });
      const got = await asDevice(panel.key, 'GET', '/api/v1/device/commands?wait=0');
      expect(got.body.data).toEqual([expect.objectContaining({ command: 'unlock', door_id: frontDoor })]);
      expect((await h.request('GET', '/api/v1/door')).body.data).toHaveLength(2);
    });

    it('queues for every device of a door; refuses doors without a device, of another site or unknown', async () => {
      const a = await addDevice('A', [frontDoor]);
      const b = await addDevice('B', [frontDoor]);
      const other = await h.addSite('Other');
      const theirs = await seedDoor(h.store.db, other.site.id, 'Their Door');
      const refused = await h.request('POST', '/api/v1/door/unlock', {
        body: { doors: [{ id: frontDoor }, { id: backDoor }, { id: theirs }, { id: 'x' }] },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([
        { error: [`No Device Attached To Door: ${backDoor}`], input_data: { id: backDoor } },
        { error: [`Invalid door id: ${theirs}`], input_data: { id: theirs } },
        { error: ['Non-Numeric id found: x'], input_data: { id: 'x' } },
      ]);
      expect(await h.store.db.selectFrom('door_command').selectAll().execute()).toEqual([]);

      await h.request('POST', '/api/v1/door/unlock', { body: { doors: [{ id: frontDoor }] } });
      for (const device of [a, b]) {
        const got = await asDevice(device.key, 'GET', '/api/v1/device/commands?wait=0');
        expect(got.body.data, device.key).toEqual([expect.objectContaining({ door_id: frontDoor, lock_number: 1 })]);
      }
    });

    it('delivers on the next poll what another process queued, but not once it has expired', async () => {
      const panel = await addDevice('Panel');
      const { dataDir, databaseUrl, pgSchema } = store();
      // A second handle on the same store stands for another process: its signal never reaches this app.
      const elsewhere = openStore({ dataDir, databaseUrl, pgSchema });
      try {
        await requestUnlock(elsewhere.db, h.site, [frontDoor], 'operator jane', Date.now() - COMMAND_TTL_MS - 1000);
        await requestUnlock(elsewhere.db, h.site, [frontDoor], 'operator jane', Date.now());
      } finally {
        await elsewhere.close();
      }
      const got = await asDevice(panel.key, 'GET', '/api/v1/device/commands?wait=0');
      expect(got.body.data).toHaveLength(1);
      const [requested] = await eventRows();
      expect(requested?.detail).toMatch(/requested by operator jane\.$/);
      await expect(requestUnlock(h.store.db, h.site, [backDoor], 'x', Date.now())).rejects.toThrow(/Validation errors found/);
    });

    it('refuses to acknowledge another device’s command', async () => {
      const a = await addDevice('A', [frontDoor]);
      const b = await addDevice('B', [backDoor]);
      await requestUnlock(h.store.db, h.site, [frontDoor], 'test', Date.now());
      const [command] = (await asDevice(a.key, 'GET', '/api/v1/device/commands?wait=0')).body.data;
      const response = await asDevice(b.key, 'POST', '/api/v1/device/commands/ack', {
        commands: [{ id: command.id }, { id: command.id, result: 'maybe' }],
      });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        { error: [`Invalid command id: ${command.id}`], input_data: { id: command.id } },
        {
          error: ['Invalid result found (expected ok or failed): maybe', `Invalid command id: ${command.id}`],
          input_data: { id: command.id, result: 'maybe' },
        },
      ]);
      const row = await h.store.db.selectFrom('door_command').select('acked_at').where('id', '=', command.id).executeTakeFirstOrThrow();
      expect(row.acked_at).toBeNull();
    });

    it('answers an empty list when the wait runs out', async () => {
      const { key } = await addDevice('Panel');
      const response = await asDevice(key, 'GET', '/api/v1/device/commands?wait=1');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: [] });
      expect((await asDevice(key, 'GET', '/api/v1/device/commands?wait=soon')).status).toBe(400);
    });

    /** A poll over a real socket: closing the server and leaving are things only a socket can show. */
    const pollOverSocket = async (key: string) => {
      await h.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = h.app.server.address() as AddressInfo;
      const request = httpRequest({ host: '127.0.0.1', port, path: '/api/v1/device/commands?wait=30', headers: { authorization: `Bearer ${key}` } });
      const answer = new Promise<string>((resolve, reject) => {
        request.on('response', (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => {
            body += chunk.toString();
          });
          response.on('end', () => resolve(body));
        });
        request.on('error', reject);
      });
      request.end();
      return { request, answer };
    };

    it('ends a waiting poll with an empty list when the server closes, without waiting it out', async () => {
      const panel = await addDevice('Panel');
      const { answer } = await pollOverSocket(panel.key);
      await vi.waitFor(() => expect(waitingPolls(panel.id)).toBe(1));
      await h.app.close();
      expect(JSON.parse(await answer)).toEqual({ data: [] });
    });

    it('stops waiting when the client goes away', async () => {
      const panel = await addDevice('Panel');
      const { request, answer } = await pollOverSocket(panel.key);
      answer.catch(() => {});
      await vi.waitFor(() => expect(waitingPolls(panel.id)).toBe(1));
      request.destroy();
      await vi.waitFor(() => expect(waitingPolls(panel.id)).toBe(0));
    });
  });
});
