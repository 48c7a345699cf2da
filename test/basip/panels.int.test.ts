import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.ts';
import { revokeDevice } from '../../src/modules/devices/devices.service.ts';
import { seedDoor, seedPanelIdentifier } from '../factories/access.ts';
import { itRequiresDeviceKey, itRequiresOperator } from '../common-route-tests.ts';
import { DIALECTS, type Caller, type DeviceCaller, type Harness, type OperatorCaller, createHarness } from '../harness.ts';

/**
 * BAS-IP panels as Portcullis devices: the remote-access URL a panel posts each identifier to, remote and
 * emergency opening through the devices' command queue, and the site's remote-control settings.
 */

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

describe.each(DIALECTS)('BAS-IP panels on %s', (dialect) => {
  let h: Harness;
  const clock = fixedClock(NOW);
  let admin: OperatorCaller;
  let manager: OperatorCaller;
  let front: number;
  let back: number;
  let panel: DeviceCaller;
  let panelKey: string;
  let panelId: number;

  const ask = (key: string, body: unknown) => h.request('POST', `/api/v1/panel/${key}/access`, { as: null, body });

  beforeEach(async () => {
    clock.set(NOW);
    h = await createHarness(dialect, { clock });
    admin = await h.operator('admin', { username: 'boss', password: 'correct horse' });
    manager = await h.operator('manager', { username: 'clerk', password: 'battery staple' });
    front = await seedDoor(h.store.db, h.site.id, 'Front');
    back = await seedDoor(h.store.db, h.site.id, 'Back');
    panel = await h.device({ name: 'Lobby Panel', doorIds: [front, back] });
    panelKey = panel.key;
    panelId = panel.id;
  });
  afterEach(async () => {
    await h.close();
  });
  itRequiresOperator(() => h, 'POST', '/api/v1/access/general/lock/open/emergency', { locks: [{ lock_number: 1 }] });
  itRequiresDeviceKey(() => h, 'GET', '/api/v1/device/commands?wait=0');

  /** An identifier as the panel face makes one. */
  const identifier = (number: string, fields: { type?: string; lock?: string; passes?: number } = {}) =>
    seedPanelIdentifier(h.store.db, h.site.id, number, { lock: 'all', ...fields, createdAt: NOW });
  const events = () =>
    h.store.db.selectFrom('event').select(['code', 'subcode', 'door_id', 'device_id', 'card_num', 'detail']).orderBy('id').execute();

  describe('remote access: POST /api/v1/panel/{device_key}/access', () => {
    it('grants every lock (lock_number 0) to an identifier for all locks, and records one event', async () => {
      await identifier('00-00-00-1A-2B-3C-4D');
      const response = await ask(panelKey, { identifier_number: '00-00-00-1A-2B-3C-4D', identifier_type: 'card' });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body).toEqual({ handled: true, access: { granted: true, lock_number: 0 } });
      expect(await events()).toEqual([
        {
          code: 48,
          subcode: 100,
          door_id: front,
          device_id: panelId,
          card_num: '00-00-00-1A-2B-3C-4D',
          detail: 'Granted by the panel identifier, lock 1.',
        },
      ]);
    });

    it('grants the lowest granted lock to an identifier for one lock', async () => {
      await identifier('4242', { lock: 'second' });
      expect((await ask(panelKey, { identifier_number: 4242, identifier_type: 'ukey' })).body).toEqual({
        handled: true,
        access: { granted: true, lock_number: 2 },
      });
      expect(await events()).toMatchObject([{ code: 48, door_id: back }]);
    });

    it('denies an unknown identifier or one of another kind, recording the first lock’s denial', async () => {
      await identifier('1111', { type: 'inputCode' });
      for (const body of [
        { identifier_number: '9999', identifier_type: 'card' },
        { identifier_number: '1111', identifier_type: 'qr' },
      ]) {
        expect((await ask(panelKey, body)).body).toEqual({ handled: true, access: { granted: false, lock_number: 1 } });
      }
      expect(await events()).toMatchObject([
        { code: 49, subcode: 101, door_id: front },
        { code: 49, subcode: 101, door_id: front },
      ]);
    });

    it('answers {"handled": false} for a panel with no locks, or when the site turned remote control off', async () => {
      const bare = await h.device({ name: 'Bare Panel' });
      await identifier('5555');
      expect((await ask(bare.key, { identifier_number: '5555', identifier_type: 'card' })).body).toEqual({ handled: false });
      const off = await admin.request('POST', '/api/v1/access/general/remote/control/settings', {
        body: { enabled: true, custom_server_enabled: false },
      });
      expect(off.status, JSON.stringify(off.body)).toBe(200);
      expect((await ask(panelKey, { identifier_number: '5555', identifier_type: 'card' })).body).toEqual({ handled: false });
      expect(await events()).toEqual([]);
    });

    it('answers an unknown or revoked key with 401 "Log In" before reading the body', async () => {
      for (const key of ['not-a-key', 'x'.repeat(40)]) {
        const response = await h.request('POST', `/api/v1/panel/${key}/access`, { as: null, rawBody: '{not json' });
        expect(response.status).toBe(401);
        expect(response.body).toEqual({ error: 'Log In' });
      }
      await revokeDevice(h.store.db, panelId, clock);
      const revoked = await ask(panelKey, { identifier_number: '1', identifier_type: 'card' });
      expect(revoked.status).toBe(401);
      expect(revoked.body).toEqual({ error: 'Log In' });
    });

    it('refuses a malformed question with 400 in the panel’s words', async () => {
      const cases: [unknown, string][] = [
        [{ identifier_type: 'card' }, 'Wrong JSON body: no value for `identifier_number`'],
        [{ identifier_number: '1' }, 'Wrong JSON body: no value for `identifier_type`'],
        [{ identifier_number: '1', identifier_type: 'retina' }, 'Wrong JSON body: value `identifier_type` was of the wrong type'],
        [{ identifier_number: ' ', identifier_type: 'card' }, 'Wrong JSON body: value `identifier_number` was of the wrong type'],
        [[1, 2], 'Wrong JSON body'],
      ];
      for (const [body, error] of cases) {
        const response = await ask(panelKey, body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.body).toEqual({ error });
      }
      const garbled = await h.request('POST', `/api/v1/panel/${panelKey}/access`, { as: null, rawBody: '{"identifier_number":' });
      expect(garbled.body).toEqual({ error: 'Wrong JSON body' });
      expect(await events()).toEqual([]);
    });

    it('spends a pass per grant: 10 concurrent questions for 3 passes grant exactly 3', async () => {
      const credential = await identifier('3333', { passes: 3 });
      const answers = await Promise.all(Array.from({ length: 10 }, () => ask(panelKey, { identifier_number: '3333', identifier_type: 'card' })));
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
      expect(answers.filter((a) => a.body.access.granted)).toHaveLength(3);
      const row = await h.store.db.selectFrom('credential').select('passes_left').where('id', '=', credential).executeTakeFirstOrThrow();
      expect(row.passes_left).toBe(0);
      const recorded = await events();
      expect(recorded).toHaveLength(10);
      expect(recorded.filter((e) => e.code === 48)).toHaveLength(3);
      expect(recorded.filter((e) => e.code === 49).every((e) => e.subcode === 114)).toBe(true);
      expect((await ask(panelKey, { identifier_number: '3333', identifier_type: 'card' })).body.access.granted).toBe(false);
      const after = await h.store.db.selectFrom('credential').select('passes_left').where('id', '=', credential).executeTakeFirstOrThrow();
      expect(after.passes_left).toBe(0);
    });
  });

  describe('remote and emergency opening', () => {
    /** What the panel collects on its next poll. */
    const poll = async (device: DeviceCaller) => {
      const response = await device.request('GET', '/api/v1/device/commands?wait=0');
      expect(response.status).toBe(200);
      return (response.body.data as { door_id: number; lock_number: number; command: string; mode?: string }[]).map(
        ({ door_id, lock_number, command, mode }) => ({ door_id, lock_number, command, ...(mode === undefined ? {} : { mode }) }),
      );
    };

    it('queues an unlock of lock 1 that the panel’s long poll receives, recorded as asked by the operator', async () => {
      const response = await manager.request('GET', '/api/v1/access/general/lock/open/remote/accepted/1');
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body).toEqual({ queued: 1 });
      expect(await poll(panel)).toEqual([{ door_id: front, lock_number: 1, command: 'unlock' }]);
      expect(await events()).toMatchObject([
        { code: 70, door_id: front, device_id: panelId, detail: expect.stringContaining('requested by operator clerk (manager)') },
        { code: 71, door_id: front },
      ]);
    });

    it('opens every lock with 0, on every panel of the site that drives one', async () => {
      const side = await h.device({ name: 'Side Panel', doorIds: [back] });
      const response = await admin.request('GET', '/api/v1/access/general/lock/open/remote/accepted/0');
      expect(response.body).toEqual({ queued: 3 });
      expect(await poll(panel)).toEqual([
        { door_id: front, lock_number: 1, command: 'unlock' },
        { door_id: back, lock_number: 2, command: 'unlock' },
      ]);
      // The side panel drives the back door on its lock 1: it opens that door too.
      expect(await poll(side)).toEqual([{ door_id: back, lock_number: 1, command: 'unlock' }]);
    });

    it('refuses a lock no panel drives, a malformed lock number, and an anonymous caller', async () => {
      const none = await admin.request('GET', '/api/v1/access/general/lock/open/remote/accepted/3');
      expect(none.status).toBe(400);
      expect(none.body).toEqual({ error: 'No panel of the site drives lock 3' });
      const bad = await admin.request('GET', '/api/v1/access/general/lock/open/remote/accepted/first');
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({ error: 'Wrong lock number: first' });
      const anonymous = await h.caller({}).request('GET', '/api/v1/access/general/lock/open/remote/accepted/1');
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toEqual({ error: 'Log In' });
      expect(await poll(panel)).toEqual([]);
    });

    // A browser holding cached Basic credentials could be made to send this GET by another site (CSRF).
    it.each([
      ['an Origin of another site', { origin: 'https://evil.example' }],
      ['an Origin of "null"', { origin: 'null' }],
      ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
      ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
      ['a browser navigation', { 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'none' }],
    ])('refuses to open a lock by GET from a browser with %s, queuing nothing', async (_what, browser) => {
      const response = await h.caller({ ...manager.headers, ...browser }).request('GET', '/api/v1/access/general/lock/open/remote/accepted/1');
      expect(response.status).toBe(403);
      expect(response.body).toEqual({
        error: 'Opening a lock by GET is refused from a browser page or navigation: Origin or Sec-Fetch headers name one',
      });
      expect(await poll(panel)).toEqual([]);
    });

    it('opens a lock for a same-origin script, and for a client that sends no browser headers', async () => {
      const sameOrigin = { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', origin: 'http://localhost:80' };
      const response = await h.caller({ ...manager.headers, ...sameOrigin }).request('GET', '/api/v1/access/general/lock/open/remote/accepted/1');
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body).toEqual({ queued: 1 });
    });

    it('opens locks in an emergency for an administrator, recording the unlock times asked for', async () => {
      const response = await admin.request('POST', '/api/v1/access/general/lock/open/emergency', {
        body: { locks: [{ lock_number: 2, unlock_time: 10000 }] },
      });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body).toEqual({ queued: 1 });
      // The door is opened now, and held unlocked by the panel's emergency egress until it is closed.
      expect(await poll(panel)).toEqual([
        { door_id: back, lock_number: 2, command: 'unlock' },
        { door_id: back, lock_number: 2, command: 'mode', mode: 'unlocked' },
      ]);
      const [requested, started] = await events();
      expect(started?.detail).toBe("Egress 'BAS-IP emergency' (priority 1000) started by operator boss (admin; emergency); 1 doors.");
      expect(requested?.detail).toContain('requested by operator boss (admin; emergency; unlock_time lock 2: 10000 ms)');
    });

    it('refuses an emergency opening to a manager, an empty list and a malformed body', async () => {
      const manage = await manager.request('POST', '/api/v1/access/general/lock/open/emergency', { body: { locks: [{ lock_number: 1 }] } });
      expect(manage.status).toBe(403);
      expect(manage.body).toEqual({ error: 'Administrator rights required' });
      const empty = await admin.request('POST', '/api/v1/access/general/lock/open/emergency', { body: { locks: [] } });
      expect(empty.body).toEqual({ error: 'List cannot be empty' });
      const malformed = await admin.request('POST', '/api/v1/access/general/lock/open/emergency', { body: { locks: [{ unlock_time: 5 }] } });
      expect(malformed.status).toBe(400);
      expect(malformed.body).toEqual({ error: 'Wrong JSON body: no value for `locks.0.lock_number`' });
      expect(await poll(panel)).toEqual([]);
    });

    it('tells the device how long to hold a lock open: the lock timeout a client saved for that lock number', async () => {
      const saved = await admin.request('POST', '/api/v1/access/general/lock/timeout/2', { body: { lock_timeout: 8 } });
      expect(saved.body).toEqual({ lock_timeout: 8 });
      await admin.request('GET', '/api/v1/access/general/lock/open/remote/accepted/0');
      const response = await panel.request('GET', '/api/v1/device/commands?wait=0');
      expect(response.body.data.map((c: { lock_number: number; unlock_seconds?: number }) => [c.lock_number, c.unlock_seconds])).toEqual([
        [1, undefined],
        [2, 8],
      ]);
    });

    it('calls an emergency off as a Home Assistant integration does: unlocks not yet collected are withdrawn', async () => {
      await admin.request('POST', '/api/v1/access/general/lock/open/emergency', { body: { locks: [{ lock_number: 1 }, { lock_number: 2 }] } });
      const close = await h.request('POST', '/api/v1/access/general/lock/close/emergency', {
        as: null,
        headers: admin.headers,
        rawBody: '{"locks": [1]}',
      });
      expect(close.status, close.text).toBe(200);
      expect(close.body).toEqual({ withdrawn: 1 });
      // Lock 1's door leaves the emergency egress; lock 2's stays unlocked.
      expect(await poll(panel)).toEqual([
        { door_id: back, lock_number: 2, command: 'unlock' },
        { door_id: back, lock_number: 2, command: 'mode', mode: 'unlocked' },
        { door_id: front, lock_number: 1, command: 'mode', mode: 'access_controlled' },
      ]);
      // Lock 2's command was collected by that poll: it is the panel's now, nothing is left to withdraw.
      expect((await admin.request('POST', '/api/v1/access/general/lock/close/emergency', { body: { locks: [0] } })).body).toEqual({ withdrawn: 0 });
      expect(await poll(panel)).toEqual([
        { door_id: back, lock_number: 2, command: 'unlock' },
        { door_id: front, lock_number: 1, command: 'mode', mode: 'access_controlled' },
        { door_id: back, lock_number: 2, command: 'mode', mode: 'access_controlled' },
      ]);
      const plans = (await h.request('GET', '/api/v1/lockdown')).body.data;
      expect(plans).toEqual([expect.objectContaining({ name: 'BAS-IP emergency', mode: 'egress', active: false, door_ids: [] })]);
    });

    it('refuses an emergency close to a manager, and an empty, unknown or malformed list, in the panel format', async () => {
      const cases: [Caller, unknown, number, string][] = [
        [manager, { locks: [1] }, 403, 'Administrator rights required'],
        [admin, { locks: [] }, 400, 'List cannot be empty'],
        [admin, { locks: [3] }, 400, 'No panel of the site drives lock 3'],
        [admin, { locks: [9] }, 400, 'Wrong JSON body: value `locks.0` was of the wrong type'],
        [admin, { locks: [{ lock_number: 1 }] }, 400, 'Wrong JSON body: value `locks.0` was of the wrong type'],
        [admin, {}, 400, 'Wrong JSON body: no value for `locks`'],
      ];
      for (const [who, body, status, error] of cases) {
        const response = await who.request('POST', '/api/v1/access/general/lock/close/emergency', { body });
        expect([response.status, response.body], JSON.stringify(body)).toEqual([status, { error }]);
      }
    });
  });

  describe('remote-control settings', () => {
    const URL = '/api/v1/access/general/remote/control/settings';

    it('shows the URL template for panels, stores the flags per site, and audits the change', async () => {
      const initial = await manager.request('GET', URL);
      expect(initial.status).toBe(200);
      expect(initial.body).toEqual({
        enabled: true,
        custom_server_enabled: true,
        custom_server_api_url: 'http://localhost:80/api/v1/panel/{device_key}/access',
      });
      const saved = await admin.request('POST', URL, {
        body: { enabled: false, custom_server_enabled: true, custom_server_api_url: 'https://doors.example.com/api/v1/panel/{device_key}/access' },
      });
      expect(saved.status, JSON.stringify(saved.body)).toBe(200);
      const expected = {
        enabled: false,
        custom_server_enabled: true,
        custom_server_api_url: 'https://doors.example.com/api/v1/panel/{device_key}/access',
      };
      expect(saved.body).toEqual(expected);
      expect((await manager.request('GET', URL)).body).toEqual(expected);
      const reset = await admin.request('POST', URL, { body: { enabled: true, custom_server_enabled: true, custom_server_api_url: '' } });
      expect(reset.body.custom_server_api_url).toBe('http://localhost:80/api/v1/panel/{device_key}/access');
      const other = await h.addSite('Elsewhere');
      const far = await h.operator('admin', { username: 'far', password: 'far away place', siteId: other.site.id });
      expect((await far.request('GET', URL)).body.enabled).toBe(true);
      const audit = await h.store.db.selectFrom('audit').select(['actor', 'resource', 'action']).execute();
      expect(audit).toEqual([
        { actor: 'boss', resource: 'panel_settings', action: 'write' },
        { actor: 'boss', resource: 'panel_settings', action: 'write' },
      ]);
    });

    it('refuses a URL without {device_key}, a malformed body, a manager and an anonymous caller', async () => {
      const noKey = await admin.request('POST', URL, {
        body: { enabled: true, custom_server_enabled: true, custom_server_api_url: 'https://doors.example.com/access' },
      });
      expect(noKey.status).toBe(400);
      expect(noKey.body).toEqual({ error: 'custom_server_api_url must be an http(s) URL containing {device_key}: https://doors.example.com/access' });
      const missing = await admin.request('POST', URL, { body: { enabled: true } });
      expect(missing.body).toEqual({ error: 'Wrong JSON body: no value for `custom_server_enabled`' });
      const typed = await admin.request('POST', URL, { body: { enabled: 'yes', custom_server_enabled: true } });
      expect(typed.body).toEqual({ error: 'Wrong JSON body: value `enabled` was of the wrong type' });
      expect((await manager.request('POST', URL, { body: { enabled: true, custom_server_enabled: true } })).status).toBe(403);
      expect((await h.caller({}).request('GET', URL)).body).toEqual({ error: 'Log In' });
      expect(await h.store.db.selectFrom('panel_settings').selectAll().execute()).toEqual([]);
    });
  });
});
