import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.ts';
import { createDevice } from '../../src/modules/devices/devices.service.ts';
import { createOperator } from '../../src/modules/users/operators.service.ts';
import { seedDoor } from '../factories/access.ts';
import { DIALECTS, type Harness, createHarness } from '../harness.ts';

/**
 * The two panel settings that open a panel's doors without asking who (issue 13): the public unlock code
 * and free access, saved as SmartYard-Server saves them (HTTP Basic, PHP's json_encode), then decided at
 * the panel's doors: through the panel's remote-access URL, a device's `device/access`, and explain.
 */

// Wednesday 2026-11-25 10:00 in Berlin (09:00 UTC).
const NOW = Date.UTC(2026, 10, 25, 9, 0, 0);
const basic = `Basic ${Buffer.from('admin:panel secret').toString('base64')}`;

describe.each(DIALECTS)('Panel doors open to anyone on %s', (dialect) => {
  let h: Harness;
  const clock = fixedClock(NOW);
  let gate: number;
  let lobby: number;
  let loose: number;
  let panelKey: string;
  let panelId: number;

  beforeEach(async () => {
    clock.set(NOW);
    h = await createHarness(dialect, { clock, timezone: 'Europe/Berlin' });
    await createOperator(h.store.db, h.site.id, { username: 'admin', password: 'panel secret', role: 'admin' }, clock);
    gate = await seedDoor(h.store.db, h.site.id, 'Gate');
    lobby = await seedDoor(h.store.db, h.site.id, 'Lobby');
    loose = await seedDoor(h.store.db, h.site.id, 'Storeroom');
    // Gate on lock 1, Lobby on lock 2; the storeroom is no panel's.
    const panel = await createDevice(h.store.db, h.site, { name: 'Entrance Panel', doorIds: [gate, lobby] }, clock);
    panelKey = panel.deviceKey;
    panelId = panel.device.id;
  });
  afterEach(async () => {
    await h.close();
  });

  const save = async (url: string, body: string) => {
    const response = await h.request('POST', `/api/v1/${url}`, { as: null, headers: { authorization: basic }, rawBody: body });
    expect(response.status, response.text).toBe(200);
    return response.body;
  };
  const read = async (url: string) => (await h.request('GET', `/api/v1/${url}`, { as: null, headers: { authorization: basic } })).body;
  const atPanel = async (identifier_number: string, identifier_type: string) => {
    const response = await h.request('POST', `/api/v1/panel/${panelKey}/access`, { as: null, body: { identifier_number, identifier_type } });
    expect(response.status, response.text).toBe(200);
    return response.body;
  };
  const asDevice = async (door_id: number, presented: Record<string, string>) => {
    const response = await h.request('POST', '/api/v1/device/access', {
      as: null,
      headers: { authorization: `Bearer ${panelKey}` },
      body: { door_id, ...presented },
    });
    expect(response.status, response.text).toBe(200);
    return response.body.data;
  };
  const explain = async (door: number, query: string) =>
    (await h.request('GET', `/api/v1/access?door_id=${door}&${query}&device_id=${panelId}`)).body.data[0];
  const lastEvent = () =>
    h.store.db
      .selectFrom('event')
      .select(['code', 'door_id', 'user_id', 'credential_id', 'card_num', 'detail'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();

  describe('the public unlock code (access/general/unlock/input/code)', () => {
    it('opens the panel’s doors while enabled, named as itself, recorded without the code', async () => {
      await save('access/general/unlock/input/code', '{"input_code_enable":true,"input_code_number":4711}');
      expect(await atPanel('4711', 'inputCode')).toEqual({ handled: true, access: { granted: true, lock_number: 0 } });
      expect(await lastEvent()).toEqual({
        code: 48,
        door_id: gate,
        user_id: null,
        credential_id: null,
        card_num: '',
        detail: 'Granted by the public unlock code, lock 1.',
      });
      expect((await asDevice(lobby, { pin: '4711' })).granted).toBe(true);
      const explained = await explain(lobby, 'pin=4711');
      expect(explained.rule).toBe('the public unlock code, lock 2');

      // Another code, the code at a door no panel drives, a card with the code's number: refused.
      expect((await atPanel('4712', 'inputCode')).access.granted).toBe(false);
      expect((await asDevice(gate, { card_num: '4711' })).granted).toBe(false);
      expect((await explain(loose, 'pin=4711')).granted).toBe(false);
      // Explain decides as the device named, if it drives the door; without one, as no panel (these were free
      // access's, which is now the door's mode whoever asks).
      expect((await h.request('GET', `/api/v1/access?door_id=${gate}&pin=4711`)).body.data[0].granted).toBe(false);
      const other = await h.addSite('Other');
      const theirs = await createDevice(
        h.store.db,
        other.site,
        { name: 'Their Panel', doorIds: [await seedDoor(h.store.db, other.site.id, 'Theirs')] },
        clock,
      );
      expect((await h.request('GET', `/api/v1/access?door_id=${gate}&pin=4711&device_id=${theirs.device.id}`)).body.data[0].granted).toBe(false);
      const malformed = await h.request('GET', `/api/v1/access?door_id=${gate}&pin=4711&device_id=panel`);
      expect(malformed.status).toBe(400);
      expect((await h.request('GET', `/api/v1/access?door_id=${gate}&pin=4711&device_id=99999999999999999999`)).body.data[0].granted).toBe(false);
    });

    it('is stored only as a keyed hash and read back as 0; switching it off, or saving another, takes effect at once', async () => {
      await save('access/general/unlock/input/code', '{"input_code_enable":true,"input_code_number":4711}');
      expect(await read('access/general/unlock/input/code')).toEqual({ input_code_enable: true, input_code_number: 0 });
      const stored = await h.store.db
        .selectFrom('panel_setting')
        .select('value')
        .where('setting', '=', 'access/general/unlock/input/code')
        .executeTakeFirstOrThrow();
      expect(Object.keys(JSON.parse(stored.value))).toEqual(['input_code_enable', 'input_code_hash']);
      expect(stored.value).not.toContain('"4711"');

      expect((await atPanel('4711', 'inputCode')).access.granted).toBe(true);
      await save('access/general/unlock/input/code', '{"input_code_enable":false}');
      expect((await atPanel('4711', 'inputCode')).access.granted).toBe(false);
      // Enabled again without a number: the code saved before is kept.
      await save('access/general/unlock/input/code', '{"input_code_enable":true}');
      expect((await atPanel('4711', 'inputCode')).access.granted).toBe(true);
      await save('access/general/unlock/input/code', '{"input_code_enable":true,"input_code_number":90210}');
      expect((await atPanel('4711', 'inputCode')).access.granted).toBe(false);
      expect((await atPanel('90210', 'inputCode')).access.granted).toBe(true);
    });
  });

  describe('free access (access/freeaccess)', () => {
    const wednesday = (lock: string, from: number, to: number) => `{"lock":"${lock}","enable":true,"time_from":${from},"time_to":${to},"day":"WED"}`;

    it('lets anyone through the doors of the lock inside an enabled window (site time), as the door’s mode', async () => {
      await save('access/freeaccess', `{"enable":true,"days":[${wednesday('first', 8 * 3600, 18 * 3600)}]}`);
      expect(await atPanel('999999', 'card')).toEqual({ handled: true, access: { granted: true, lock_number: 1 } });
      // The rule was "free access, lock 1: …" before door modes carried free access; the panel's 18:00 is a whole minute.
      expect(await lastEvent()).toMatchObject({
        code: 48,
        door_id: gate,
        card_num: '999999',
        detail: 'Granted by door mode unlocked: BAS-IP free access, lock 1, until 18:01.',
      });
      expect((await asDevice(gate, { card_num: '31337' })).granted).toBe(true);
      // Lock 2 (the lobby) is not in the window, nor is the storeroom.
      expect((await asDevice(lobby, { card_num: '31337' })).granted).toBe(false);
      expect((await explain(gate, 'card_num=31337')).rule).toBe('door mode unlocked: BAS-IP free access, lock 1, until 18:01');
      expect((await explain(loose, 'card_num=31337')).granted).toBe(false);
      // The door's mode holds whoever asks: explain without a device, and a Lockt reader on the door, too.
      const asked = (await h.request('GET', `/api/v1/access?door_id=${gate}&card_num=31337`)).body.data[0];
      expect([asked.granted, asked.rule]).toEqual([true, 'door mode unlocked: BAS-IP free access, lock 1, until 18:01']);
      const reader = await createDevice(h.store.db, h.site, { name: 'Gate Reader', doorIds: [gate] }, clock);
      const response = await h.request('POST', '/api/v1/device/access', {
        as: null,
        headers: { authorization: `Bearer ${reader.deviceKey}` },
        body: { door_id: gate, card_num: '31337' },
      });
      expect(response.body.data.granted).toBe(true);
    });

    it('opens only inside the window, on its day, while free access and the day are enabled', async () => {
      // 10:00 Berlin is 36,000 s: a window ending at 09:59:59 is over.
      await save('access/freeaccess', `{"enable":true,"days":[${wednesday('all', 8 * 3600, 10 * 3600 - 1)}]}`);
      expect((await asDevice(gate, { card_num: '31337' })).granted).toBe(false);
      await save('access/freeaccess', `{"enable":true,"days":[${wednesday('all', 10 * 3600, 10 * 3600)}]}`);
      expect((await asDevice(lobby, { card_num: '31337' })).granted).toBe(true);
      await save('access/freeaccess', '{"enable":false}');
      expect((await asDevice(lobby, { card_num: '31337' })).granted).toBe(false);
      await save('access/freeaccess', `{"enable":true,"days":[{"lock":"all","enable":false,"time_from":0,"time_to":86399,"day":"WED"}]}`);
      expect((await asDevice(lobby, { card_num: '31337' })).granted).toBe(false);
      await save('access/freeaccess', `{"enable":true,"days":[{"lock":"all","enable":true,"time_from":0,"time_to":86399,"day":"THU"}]}`);
      expect((await asDevice(lobby, { card_num: '31337' })).granted).toBe(false);
      clock.set(Date.UTC(2026, 10, 25, 23, 0, 0)); // Thursday 00:00 in Berlin
      expect((await asDevice(lobby, { card_num: '31337' })).granted).toBe(true);
    });

    it("opens all day, to the last second before midnight, with SmartYard's setFreePassEnabled(true) (every day 0 to 86340, 23:59)", async () => {
      const days = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'].map(
        (day) => `{"lock":"all","enable":true,"time_from":0,"time_to":86340,"day":"${day}"}`,
      );
      await save('access/freeaccess', `{"enable":true,"days":[${days.join(',')}]}`);
      expect(await read('access/freeaccess')).toMatchObject({ enable: true });
      clock.set(Date.UTC(2026, 10, 25, 22, 59, 59)); // Wednesday 23:59:59 in Berlin
      expect((await asDevice(gate, { card_num: '31337' })).granted).toBe(true);
      clock.set(Date.UTC(2026, 10, 25, 23, 0, 0)); // Thursday 00:00:00
      expect((await asDevice(lobby, { card_num: '31337' })).granted).toBe(true);
      await save('access/freeaccess', `{"enable":false,"days":[${days.join(',')}]}`);
      expect((await asDevice(lobby, { card_num: '31337' })).granted).toBe(false);
    });

    it('spends no pass of a pass-limited identifier that comes through an open door', async () => {
      const { uid } = await save(
        'access/identifier',
        '{"identifier_number":"5550001","identifier_type":"card","lock":"all","valid":{"passes":{"is_permanent":false,"max_passes":1}}}',
      );
      await save('access/freeaccess', `{"enable":true,"days":[${wednesday('all', 0, 86399)}]}`);
      expect((await atPanel('5550001', 'card')).access.granted).toBe(true);
      expect((await read(`access/identifier/item/${uid}`)).additional).toEqual({ passes_left: 1 });
    });
  });
});
