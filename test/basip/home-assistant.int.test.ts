import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/lib/clock.ts';
import { createDevice } from '../../src/modules/devices/devices.service.ts';
import { createOperator } from '../../src/modules/users/operators.service.ts';
import { DIALECTS, type Harness, type Response, createHarness } from '../harness.ts';

/**
 * The calls of the public Home Assistant integration for BAS-IP panels, as it makes them: it logs in with
 * `GET /api/v1/login?username=admin&password=<md5>`, then sends every request with
 * `Authorization: Bearer <token>`, `Content-Type: application/json` and `Accept: application/json`,
 * a JSON body only where it has one (aiohttp's `json=`), none otherwise (even on a POST). It polls every
 * sensor endpoint with GET each minute and the door status and exit button every second.
 */
type Method = 'GET' | 'POST';

describe.each(DIALECTS)('The Home Assistant integration on %s', (dialect) => {
  let h: Harness;
  let token: string;

  beforeEach(async () => {
    h = await createHarness(dialect, { timezone: 'Europe/Berlin' });
    await createOperator(h.store.db, h.site.id, { username: 'admin', password: 'panel secret', role: 'admin' }, systemClock);
    const md5 = createHash('md5').update('panel secret').digest('hex');
    const login = await h.request('GET', `/api/v1/login?username=admin&password=${md5}`, { as: null });
    token = login.body.token as string;
  });
  afterEach(async () => {
    await h.close();
  });

  const homeAssistant = (method: Method, endpoint: string, json?: unknown): Promise<Response> =>
    h.request(method, endpoint, {
      as: null,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      ...(json === undefined ? {} : { rawBody: JSON.stringify(json) }),
    });
  const ok = async (method: Method, endpoint: string, json?: unknown) => {
    const response = await homeAssistant(method, endpoint, json);
    expect(response.status, `${method} ${endpoint}: ${response.text}`).toBe(200);
    return response.body;
  };
  const expectError = (response: Response, status: number) => {
    expect(response.status, response.text).toBe(status);
    expect(Object.keys(response.body)).toEqual(['error']);
  };

  it('answers every sensor it polls, in the shape it reads, with the documented defaults', async () => {
    expect(await ok('GET', '/api/v1/access/general/lock/type')).toEqual({
      locks: [
        { lock_number: 1, type: 'electromagnetic' },
        { lock_number: 2, type: 'electromagnetic' },
      ],
    });
    expect(await ok('GET', '/api/v1/access/general/unlock/card/master')).toEqual({ master_card: '' });
    expect(await ok('GET', '/api/v1/device/relay/settings')).toEqual({ position_settings: { position: 'normally_closed' } });
    // Berlin keeps summer time: the panel's DST switch reads as the site's zone has it.
    expect(await ok('GET', '/api/v1/network/dst')).toEqual({ is_enabled: true });
    expect(await ok('GET', '/api/v1/network/management/link')).toEqual({ link_enable: false });
    expect(await ok('GET', '/api/v1/network/management/server')).toEqual({
      is_enabled: false,
      protocol: 'http',
      settings: { url: '', password: '', is_logging_enabled: false, is_encrypted: false },
    });
    expect(await ok('GET', '/api/v1/network/management/server/certificate')).toEqual({ uploaded: false });
    expect(await ok('GET', '/api/v1/device/sip/reregister')).toEqual({ is_reregister: false });
    for (const flag of ['device/call/auto_answer', 'device/call/drop', 'device/call/drop/lock-open', 'device/feature/rescue-service']) {
      expect(await ok('GET', `/api/v1/${flag}`), flag).toEqual({ is_enabled: false });
    }
    expect(await ok('GET', '/api/v1/access/exit/button/toggle')).toEqual({ enable: false });
    const language = await ok('GET', '/api/v1/device/language');
    expect(language.current_language).toBe('English');
    const time = await ok('GET', '/api/v1/device/time');
    expect(time.device_timezone).toBe(time.timezone);
  });

  it('stores what it and a panel tool write, per site, reading secrets back as ""', async () => {
    await ok('POST', '/api/v1/access/general/lock/type', { locks: [{ lock_number: 1, type: 'electromechanical' }] });
    expect((await ok('GET', '/api/v1/access/general/lock/type')).locks).toEqual([{ lock_number: 1, type: 'electromechanical' }]);
    await ok('POST', '/api/v1/device/feature/rescue-service', { is_enabled: true });
    expect(await ok('GET', '/api/v1/device/feature/rescue-service')).toEqual({ is_enabled: true });
    await ok('POST', '/api/v1/network/management/server', {
      is_enabled: true,
      protocol: 'mqtt',
      settings: { url: 'link.example.org:1883', password: 'link secret', is_logging_enabled: true, is_encrypted: false },
    });
    const server = await ok('GET', '/api/v1/network/management/server');
    expect(server.settings).toEqual({ url: 'link.example.org:1883', password: '', is_logging_enabled: true, is_encrypted: false });
    const stored = await h.store.db
      .selectFrom('panel_setting')
      .select('value')
      .where('setting', '=', 'network/management/server')
      .executeTakeFirstOrThrow();
    expect(stored.value).not.toContain('link secret');

    // Its set_static_ip and enable_dhcp services, and set_language (no body, the value in the query).
    await ok('POST', '/api/v1/network/settings/static', { ip_address: '192.0.2.10', mask: '255.255.255.0', gateway: '192.0.2.1', dns: '8.8.8.8' });
    expect(await ok('GET', '/api/v1/network/settings')).toEqual({
      dhcp: false,
      ip_address: '192.0.2.10',
      mask: '255.255.255.0',
      gateway: '192.0.2.1',
      dns: '8.8.8.8',
    });
    await ok('POST', '/api/v1/network/settings/dhcp');
    expect((await ok('GET', '/api/v1/network/settings')).dhcp).toBe(true);
    await ok('POST', '/api/v1/device/language?language=Deutsch');
    expect((await ok('GET', '/api/v1/device/language')).current_language).toBe('Deutsch');
    await ok('POST', '/api/v1/device/settings/volume', { volume_level: 4 });

    const other = await h.addSite('Other');
    await createOperator(h.store.db, other.site.id, { username: 'admin', password: 'other secret', role: 'admin' }, systemClock);
    const theirs = await h.request('GET', `/site/${other.site.id}/api/v1/device/feature/rescue-service`, {
      as: null,
      headers: { authorization: `Basic ${Buffer.from('admin:other secret').toString('base64')}` },
    });
    expect(theirs.body).toEqual({ is_enabled: false });
  });

  it("answers the lock-timeout sensor, which names no lock, with the first lock's timeout", async () => {
    expect(await ok('GET', '/api/v1/access/general/lock/timeout')).toEqual({ lock_timeout: 5 });
    await ok('POST', '/api/v1/access/general/lock/timeout/1', { lock_timeout: 12 });
    await ok('POST', '/api/v1/access/general/lock/timeout/2', { lock_timeout: 30 });
    expect(await ok('GET', '/api/v1/access/general/lock/timeout')).toEqual({ lock_timeout: 12 });
  });

  it('refuses bad values in the panel envelope, storing nothing', async () => {
    expectError(await homeAssistant('POST', '/api/v1/access/general/lock/type', { locks: [{ lock_number: 9, type: 'electromagnetic' }] }), 400);
    expectError(await homeAssistant('POST', '/api/v1/device/feature/rescue-service', { is_enabled: 'yes' }), 400);
    expectError(await homeAssistant('POST', '/api/v1/network/management/server', { protocol: 'smtp' }), 400);
    expectError(await homeAssistant('POST', '/api/v1/network/settings/static', { ip_address: 'not an address' }), 400);
    expect(await h.store.db.selectFrom('panel_setting').selectAll().execute()).toEqual([]);
  });

  it('refuses the debug calls (a SIP call Portcullis cannot place) as it refuses a reboot, touching nothing', async () => {
    expectError(await homeAssistant('POST', '/api/v1/system/debug/call/start', { number: 'sip:79020@ru.sip.bas-ip.com' }), 400);
    expectError(await homeAssistant('POST', '/api/v1/system/debug/call/end'), 400);
    expectError(await homeAssistant('GET', '/api/v1/system/reboot/run'), 400);
    expectError(await homeAssistant('GET', '/api/v1/photo/file'), 400);
  });

  it('refuses the firmware check (there is no panel firmware to update) in the panel format', async () => {
    const answer = await homeAssistant('GET', '/api/v1/system/firmware/check/status');
    expectError(answer, 400);
    expect(answer.body.error).toMatch(/firmware/);
  });

  it("answers the door status from what the site's devices report, and the exit button from the door sensor's mode", async () => {
    await h.request('POST', '/api/v1/door', { body: { doors: [{ name: 'Gate' }] } });
    const doorId = (await h.request('GET', '/api/v1/door')).body.data[0].id as number;
    const { deviceKey } = await createDevice(h.store.db, h.site, { name: 'Gate Panel', doorIds: [doorId] }, systemClock);
    const report = (door_open: boolean) =>
      h.request('POST', '/api/v1/device/state', {
        as: null,
        headers: { authorization: `Bearer ${deviceKey}` },
        body: { door_id: doorId, battery_level: null, online: true, door_open },
      });

    // Nothing reported yet: closed.
    expect(await ok('GET', '/api/v1/access/door/status')).toEqual({ is_timeout_exceed: false, status: 'closed', opentime: 0, mode: 'door_sensor' });
    expect((await report(true)).status).toBe(200);
    const open = await ok('GET', '/api/v1/access/door/status');
    expect(open.status).toBe('open');
    // The door sensor's opening delay (default a day) has not run out since the report.
    expect(open.is_timeout_exceed).toBe(false);
    await ok('POST', '/api/v1/access/door/sensor', { enable: true, opening_delay: 0 });
    expect((await ok('GET', '/api/v1/access/door/status')).is_timeout_exceed).toBe(true);
    expect((await report(false)).status).toBe(200);
    expect(await ok('GET', '/api/v1/access/door/status')).toMatchObject({ status: 'closed', is_timeout_exceed: false, opentime: 0 });

    await ok('POST', '/api/v1/access/door/sensor', { mode: 'exit_button' });
    expect(await ok('GET', '/api/v1/access/exit/button/toggle')).toEqual({ enable: true });
    expect((await ok('GET', '/api/v1/access/door/status')).mode).toBe('exit_button');
  });
});
