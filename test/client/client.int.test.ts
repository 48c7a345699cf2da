import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basipClient, deviceClient, locktClient, publicClient } from '../../client/src/index.ts';
import { DIALECTS, type Harness, createHarness, md5 } from '../harness.ts';

/**
 * The typed client (client/) against a listening server, over real sockets: a site set up through the
 * Lockt face, a device's decision at the door, and the event it recorded read back; the panel face logs
 * in and reads the same person. Every answer is also held to the OpenAPI document by the harness.
 */
describe.each(DIALECTS)('the typed client against a listening server on %s', (dialect) => {
  let h: Harness;
  let baseUrl: string;
  beforeEach(async () => {
    h = await createHarness(dialect);
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await h.close();
  });

  it('creates a user with a card, has a device decide at the door, and reads the event back', async () => {
    const lockt = locktClient({ baseUrl }, h.credentials);
    const door = await lockt.POST('/api/v1/door', { body: { doors: [{ name: 'Front Door' }] } });
    expect(door.data?.data).toMatchObject({ submitted: 1, inserted: 1 });
    const doorId = (await lockt.GET('/api/v1/door')).data?.data[0]?.id ?? 0;
    await lockt.POST('/api/v1/schedule', {
      body: { schedules: [{ name: 'Always', d0: 1, d1: 1, d2: 1, d3: 1, d4: 1, d5: 1, d6: 1, start: '00:00:00', stop: '23:59:59' }] },
    });
    const scheduleId = (await lockt.GET('/api/v1/schedule')).data?.data[0]?.id ?? 0;
    await lockt.POST('/api/v1/accesslevel', { body: { accesslevels: [{ name: 'Staff', doors: [{ id: doorId, schedule_id: scheduleId }] }] } });
    const levelId = (await lockt.GET('/api/v1/accesslevel')).data?.data[0]?.id ?? 0;
    const user = await lockt.POST('/api/v1/user', {
      body: {
        users: [
          {
            id: -1,
            id_num: 'E-1',
            first_name: 'Ada',
            last_name: 'Lovelace',
            email: 'ada@example.com',
            phone: '5551234567',
            pin: '4321',
            card_num: '1000',
            accesslevels: [{ id: levelId }],
          },
        ],
      },
    });
    expect(user.response.status, JSON.stringify(user.error)).toBe(200);

    const { key } = await h.device({ name: 'Lobby reader', doorIds: [doorId] });
    const device = deviceClient({ baseUrl }, key);
    const decision = await device.POST('/api/v1/device/access', { body: { door_id: doorId, card_num: '1000' } });
    expect(decision.data?.data).toMatchObject({ granted: true, code: 48, subcode: 100 });
    const eventId = decision.data?.data.event_id;

    // `/events` documents JSON and, with ?stream, Server-Sent Events text: without ?stream it is the JSON.
    const events = await lockt.GET('/api/v1/events');
    expect(typeof events.data).toBe('object');
    const listed = typeof events.data === 'object' ? events.data.data : [];
    const event = listed.find((e) => e.id === eventId);
    expect(event).toMatchObject({ code: 48, code_text: 'Access Granted', door: 'Front Door', card_num: '1000', user: 'Lovelace, Ada' });
  });

  it('answers a refusal in the face’s error shape, typed as the document has it', async () => {
    const wrong = locktClient({ baseUrl }, { apiuser: h.credentials.apiuser, apikey: 'not the key' });
    const refused = await wrong.GET('/api/v1/user');
    expect(refused.response.status).toBe(401);
    expect(refused.error).toEqual({ data: { error: expect.any(String) } });

    const invalid = await locktClient({ baseUrl }, h.credentials).POST('/api/v1/door', { body: { doors: [{ name: '' }] } });
    expect(invalid.response.status).toBe(400);
    expect(invalid.error).toMatchObject({ result: [expect.any(String)], errors: [{ error: [expect.stringContaining('name')] }] });
  });

  it('speaks the panel face with an operator’s token or name and password', async () => {
    const operator = await h.operator('admin');
    const login = await publicClient({ baseUrl }).GET('/api/v1/login', {
      params: { query: { username: operator.username, password: md5(operator.password) } },
    });
    const token = login.data?.token ?? '';
    expect(token).not.toBe('');
    const byToken = await basipClient({ baseUrl }, { token }).GET('/api/v1/access/users/items');
    expect(byToken.response.status).toBe(200);
    const byPassword = await basipClient({ baseUrl }, { username: operator.username, password: operator.password }).GET('/api/v1/access/users/items');
    expect(byPassword.data).toEqual(byToken.data);
    const refused = await basipClient({ baseUrl }, { token: 'not a token' }).GET('/api/v1/access/users/items');
    expect(refused.error).toEqual({ error: 'Log In' });
  });
});
