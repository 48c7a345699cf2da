import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/lib/clock.ts';
import { createOperator } from '../../src/modules/users/operators.service.ts';
import { DIALECTS, type Harness, type Response, createHarness } from '../harness.ts';

/**
 * The panel settings SmartYard-Server's configuration run reads and writes (its `Basip` classes), each
 * sent as it sends it: HTTP Basic `admin:<password>`, PHP's json_encode of the payload, or no body and
 * the values in the query string. Every one is stored per site and read back in the panel's shape.
 */
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

describe.each(DIALECTS)('BAS-IP panel settings on %s', (dialect) => {
  let h: Harness;

  beforeEach(async () => {
    h = await createHarness(dialect, { timezone: 'Europe/Moscow' });
    await createOperator(h.store.db, h.site.id, { username: 'admin', password: 'panel secret', role: 'admin' }, systemClock);
    await createOperator(h.store.db, h.site.id, { username: 'desk', password: 'desk secret', role: 'manager' }, systemClock);
  });
  afterEach(async () => {
    await h.close();
  });

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, rawBody?: string, who: [string, string] = ['admin', 'panel secret']) =>
    h.request(method, `/api${url}`, { as: null, headers: { authorization: basic(...who) }, ...(rawBody === undefined ? {} : { rawBody }) });
  const ok = async (method: 'GET' | 'POST' | 'DELETE', url: string, rawBody?: string) => {
    const response = await call(method, url, rawBody);
    expect(response.status, `${method} ${url}: ${response.text}`).toBe(200);
    return response.body;
  };
  const expectError = (response: Response, status: number, error: string) => {
    expect(response.status, response.text).toBe(status);
    expect(response.body).toEqual({ error });
  };

  it("answers every setting SmartYard's getConfig reads, with the documented defaults, before anything is saved", async () => {
    expect(await ok('GET', '/v1/access/general/lock/dtmf/1')).toEqual({ dtmf_code: '1' });
    expect(await ok('GET', '/v1/access/general/lock/dtmf/2')).toEqual({ dtmf_code: '2' });
    expect(await ok('GET', '/v1/device/sip/settings')).toEqual({
      outbound: '',
      password: '',
      proxy: '',
      realm: '',
      registration_interval: 900,
      transport: 'udp',
      user: '',
      user_id: '',
      stun: { ip: '', port: 3478 },
    });
    expect(await ok('GET', '/v1/network/ntp')).toEqual({ custom_server: '', enabled: true, use_default: true });
    // The site's own zone, as panels name zones: by offset, under both names models use.
    expect(await ok('GET', '/v1/network/timezone')).toEqual({ timezone: 'UTC+03:00', current_timezone: 'UTC+03:00' });
    expect(await ok('GET', '/v1/access/freeaccess')).toEqual({ enable: false, days: [] });
    expect(await ok('GET', '/v1/syslog/settings')).toEqual({ enabled: false, server: { port: 514, server: '', severity: 6 }, tag: '' });
    expect(await ok('GET', '/v1/device/mode/current')).toEqual({ current_panel_mode: 'Unit', building: 1, unit: 1, device: 1, no_unit: false });
    expect(await ok('GET', '/v1/device/settings/volume')).toEqual({ volume_level: 80 });
    expect(await ok('GET', '/v1/device/settings/mic')).toEqual({ mic_gain_level: 80 });
    expect((await ok('GET', '/v1/forward/items?limit=100&page_number=1')).list_items).toEqual([]);
  });

  it('stores what the configuration run writes and reads it back, per lock and per site, passwords never', async () => {
    const writes: [string, string][] = [
      [
        '/v1/device/sip/settings',
        '{"outbound":"","password":"sip-pass","proxy":"sip:10.0.0.5:5060","realm":"10.0.0.5:5060","registration_interval":900,"transport":"udp","user":"1000012","user_id":"1000012","stun":{"ip":"127.0.0.1","port":3478}}',
      ],
      ['/v1/device/sip/enable', '{"sip_enable":true}'],
      ['/v1/device/settings/volume', '{"volume_level":7}'],
      ['/v1/device/settings/mic', '{"mic_gain_level":9}'],
      ['/v1/access/general/lock/dtmf/1', '{"dtmf_code":"1"}'],
      ['/v1/access/general/lock/dtmf/2', '{"dtmf_code":"#9"}'],
      ['/v1/access/general/lock/timeout/1', '{"lock_timeout":3}'],
      ['/v1/access/general/lock/timeout/2', '{"lock_timeout":8}'],
      ['/v1/network/ntp', '{"custom_server":"ntp.example.net","enabled":true,"use_default":false}'],
      ['/v1/network/timezone', '{"current_timezone":"UTC+05:00"}'],
      ['/v1/access/general/unlock/input/code', '{"input_code_enable":false,"input_code_number":0}'],
      ['/v1/access/general/wiegand/type', '{"identifier_representation":"hex","type":"wiegand_58"}'],
      [
        '/v1/access/door/sensor',
        '{"enable":true,"mode":"door_sensor","opening_delay":86400,"repeating_message_delay":60,"repeating_message_enabled":false}',
      ],
      ['/v1/device/settings/video', '{"fps":25,"video_resolution":"1280x720"}'],
      ['/v1/device/settings/payload', '{"payload_codec_h264":102}'],
      ['/v1/device/call/dial/timeout', '{"dial_timeout":30,"forwarding_timeout":25}'],
      ['/v1/device/call/talk/timeout', '{"talk_timeout":90}'],
      ['/v1/device/call/concierge', '{"number_enable":true,"number_url":"sip:9999@10.0.0.5:5060"}'],
      ['/v1/device/settings/rtsp', '{"username":"admin","password":"rtsp-pass","is_audio_enabled":false}'],
      ['/v1/syslog/settings', '{"enabled":true,"server":{"port":45450,"server":"events.example.net","severity":6},"tag":""}'],
      ['/v1/web/ssl', '{"is_enabled":false}'],
      [
        '/v1/access/freeaccess',
        `{"enable":true,"days":[${['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'].map((day) => `{"lock":"all","enable":true,"time_from":0,"time_to":86340,"day":"${day}"}`).join(',')}]}`,
      ],
    ];
    for (const [url, body] of writes) await ok('POST', url, body);
    await ok('POST', '/v1/device/language?language=Russian');
    await ok('POST', '/v1/device/mode/wall?noUnit=true&device=1');

    expect(await ok('GET', '/v1/device/sip/settings')).toMatchObject({
      proxy: 'sip:10.0.0.5:5060',
      realm: '10.0.0.5:5060',
      user: '1000012',
      password: '',
      stun: { ip: '127.0.0.1', port: 3478 },
    });
    expect(await ok('GET', '/v1/access/general/lock/dtmf/2')).toEqual({ dtmf_code: '#9' });
    expect(await ok('GET', '/v1/access/general/lock/timeout/1')).toEqual({ lock_timeout: 3 });
    expect(await ok('GET', '/v1/access/general/lock/timeout/2')).toEqual({ lock_timeout: 8 });
    expect(await ok('GET', '/v1/network/timezone')).toEqual({ timezone: 'UTC+05:00', current_timezone: 'UTC+05:00' });
    expect((await ok('GET', '/v1/access/freeaccess')).days).toHaveLength(7);
    expect(await ok('GET', '/v1/device/language')).toMatchObject({ language: 'Russian', current_language: 'Russian' });
    expect((await ok('GET', '/v1/device/mode/current')).current_panel_mode).toBe('Wall');
    await ok('POST', '/v1/device/mode/unit?building=1&unit=1&device=1');
    expect(await ok('GET', '/v1/device/mode/current')).toEqual({ current_panel_mode: 'Unit', building: 1, unit: 1, device: 1, no_unit: true });
    expect(await ok('GET', '/v1/device/settings/rtsp')).toEqual({ username: 'admin', password: '', is_audio_enabled: false });

    const stored = JSON.stringify(await h.store.db.selectFrom('panel_setting').selectAll().execute());
    expect(stored).not.toContain('sip-pass');
    expect(stored).not.toContain('rtsp-pass');

    // A second site answers its own defaults.
    const other = await h.addSite('Other');
    await createOperator(h.store.db, other.site.id, { username: 'admin', password: 'other secret', role: 'admin' }, systemClock);
    const theirs = await h.request('GET', `/site/${other.site.id}/api/v1/device/settings/volume`, {
      as: null,
      headers: { authorization: basic('admin', 'other secret') },
    });
    expect(theirs.body).toEqual({ volume_level: 80 });
  });

  it('keeps call forwarding per flat, lists it a hundred at a time, and deletes flats by number', async () => {
    for (const flat of [12, 3, 45]) await ok('POST', `/v1/forward/item/${flat}`, `{"forward_entity_list":["${1000 + flat}"]}`);
    await ok('POST', '/v1/forward/item/3', '{"forward_entity_list":["2003","sip:2003@10.0.0.5"]}');
    const page = await ok('GET', '/v1/forward/items?limit=100&page_number=1');
    expect(page.list_items).toEqual([
      { forward_number: 3, forward_entity_list: ['2003', 'sip:2003@10.0.0.5'] },
      { forward_number: 12, forward_entity_list: ['1012'] },
      { forward_number: 45, forward_entity_list: ['1045'] },
    ]);
    expect((await ok('GET', '/v1/forward/items?limit=100&page_number=2')).list_items).toEqual([]);
    expect(await ok('GET', '/v1/forward/item/12')).toEqual({ forward_number: 12, forward_entity_list: ['1012'] });
    expect(await ok('DELETE', '/v1/forward/items', '{"uid_items":[12,99]}')).toEqual({ deleted: 1 });
    expectError(await call('GET', '/v1/forward/item/12'), 404, 'Wrong forward number: 12');
    expectError(await call('DELETE', '/v1/forward/items', '{"uid_items":[]}'), 400, 'List cannot be empty');
  });

  it('refuses values out of range or of the wrong type in the panel format, storing nothing', async () => {
    const cases: [string, string, string][] = [
      ['/v1/device/settings/volume', '{"volume_level":101}', 'Wrong JSON body: value `volume_level` was of the wrong type'],
      ['/v1/device/settings/volume', '{"volume_level":"loud"}', 'Wrong JSON body: value `volume_level` was of the wrong type'],
      ['/v1/access/general/lock/dtmf/1', '{"dtmf_code":"12a"}', 'Wrong JSON body: value `dtmf_code` was of the wrong type'],
      ['/v1/network/timezone', '{"timezone":"Europe/Moscow"}', 'Wrong JSON body: value `timezone` was of the wrong type'],
      ['/v1/device/settings/volume', '[]', 'Wrong JSON body'],
    ];
    for (const [url, body, error] of cases) {
      const response = await call('POST', url, body);
      expect(response.status, `${url} ${body}`).toBe(400);
      expect(response.body.error, `${url} ${body}`).toBe(error);
    }
    expectError(await call('POST', '/v1/access/general/lock/dtmf/9', '{"dtmf_code":"1"}'), 400, 'Wrong lock number: 9');
    expectError(await call('POST', '/v1/device/language?language=Klingon'), 400, 'Invalid language found: Klingon');
    expect(await h.store.db.selectFrom('panel_setting').selectAll().execute()).toEqual([]);
  });

  it('lets a manager read settings but only an administrator write them; no one anonymous', async () => {
    const desk: [string, string] = ['desk', 'desk secret'];
    expect((await call('GET', '/v1/device/settings/volume', undefined, desk)).status).toBe(200);
    expectError(await call('POST', '/v1/device/settings/volume', '{"volume_level":5}', desk), 403, 'Administrator rights required');
    expectError(await h.request('GET', '/api/v1/device/settings/volume', { as: null }), 401, 'Log In');
  });

  it("answers alexunderboots/bas-ip-api-client's status reads: device time, network settings and MAC, SIP status, language, input code", async () => {
    const login = await h.request('GET', `/api/v1/login?username=admin&password=${createHash('md5').update('panel secret').digest('hex')}`, {
      as: null,
    });
    const bearer = { authorization: `Bearer ${login.body.token as string}` };
    const get = async (url: string) => {
      const response = await h.request('GET', `/api/v1/${url}`, { as: null, headers: bearer });
      expect(response.status, `${url}: ${response.text}`).toBe(200);
      return response.body;
    };
    const before = Math.floor(Date.now() / 1000);
    const time = await get('device/time');
    expect(time.time_unix).toBeGreaterThanOrEqual(before);
    expect(time.timezone).toBe('UTC+03:00');
    expect(await get('network/settings')).toEqual({ dhcp: true, ip_address: '', mask: '', gateway: '', dns: '' });
    const mac = (await get('network/mac')).mac_address as string;
    expect(mac).toMatch(/^02:50:43(:[0-9a-f]{2}){3}$/);
    expect((await get('network/mac')).mac_address).toBe(mac);
    expect(await get('sip/status')).toEqual({ sip_status: 'unregistered' });
    // Its Language DTO reads current_language and all_supported_languages.
    expect(await get('device/language')).toMatchObject({
      current_language: 'English',
      all_supported_languages: expect.arrayContaining(['English', 'Russian']),
    });
    expect(await get('access/general/unlock/input/code')).toEqual({ input_code_enable: false, input_code_number: 0 });
    const other = await h.addSite('Other');
    await createOperator(h.store.db, other.site.id, { username: 'admin', password: 'other secret', role: 'admin' }, systemClock);
    const theirs = await h.request('GET', `/site/${other.site.id}/api/v1/network/mac`, {
      as: null,
      headers: { authorization: basic('admin', 'other secret') },
    });
    expect(theirs.body.mac_address).not.toBe(mac);
  });

  it('refuses reboot, reset, backup, the camera and password changes in the panel format, touching nothing', async () => {
    await ok('POST', '/v1/device/settings/volume', '{"volume_level":7}');
    const refused: ['GET' | 'POST', string][] = [
      ['GET', '/v1/system/reboot/run'],
      ['POST', '/v1/system/settings/default'],
      ['GET', '/v1/system/settings/backup/all'],
      ['GET', '/v1/photo/file'],
      ['POST', '/v1/security/password/admin?oldPassword=123456&newPassword=changed%20one'],
      ['POST', '/v1/security/password/web/admin?oldPassword=123456&newPassword=changed%20one'],
    ];
    for (const [method, url] of refused) {
      const response = await call(method, url);
      expect(response.status, url).toBe(400);
      expect(Object.keys(response.body), url).toEqual(['error']);
    }
    expect(await ok('GET', '/v1/device/settings/volume')).toEqual({ volume_level: 7 });
    expect((await call('GET', '/v1/device/settings/volume')).status).toBe(200);
  });
});
