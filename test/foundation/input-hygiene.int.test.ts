import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_FREE_TEXT_LENGTH as FREE, MAX_IDENTIFYING_LENGTH as NAME } from '../../src/domain/text-limits.ts';
import { createDevice } from '../../src/modules/devices/devices.service.ts';
import { createOperator } from '../../src/modules/users/operators.service.ts';
import { OPERATOR_PASSWORD, bearer, md5 } from '../abuse/callers.ts';
import { DIALECTS, type Harness, createHarness } from '../harness.ts';

/**
 * Input that was accepted silently (issue 14 item 11): an offset of +99:99 stored as a day and a half
 * away, look-alike names stored as different names, and free text of any length. Each is refused, or
 * (for a name in another Unicode form) stored as the one name it looks like.
 */
describe.each(DIALECTS)('input that used to be accepted silently, on %s', (dialect) => {
  let h: Harness;
  let panel: Record<string, string>;
  let deviceKey: string;
  beforeEach(async () => {
    h = await createHarness(dialect);
    await createOperator(h.store.db, h.site.id, { username: 'admin', password: OPERATOR_PASSWORD, role: 'admin' }, h.clock);
    const login = await h.request('GET', `/api/v1/login?username=admin&password=${md5(OPERATOR_PASSWORD)}`, { as: null });
    panel = bearer(login.body.token as string);
    deviceKey = (await createDevice(h.store.db, h.site, { name: 'Reader', doorIds: [] }, h.clock)).deviceKey;
  });
  afterEach(async () => {
    await h.close();
  });

  const user = (fields: Record<string, unknown>) => ({
    id: -1,
    id_num: `E-${Math.random()}`,
    first_name: 'Nia',
    last_name: 'New',
    email: `${Math.random()}@example.com`,
    phone: '5551234567',
    pin: '4321',
    ...fields,
  });
  const lockt = (url: string, node: string, record: Record<string, unknown>) => h.request('POST', url, { body: { [node]: [record] } });
  const basip = (url: string, body: unknown) => h.request('POST', url, { as: null, headers: panel, body });

  it.each(['+99:99', '+14:01', '-15:00', '+05:60'])('refuses an offset of %s, which no zone has', async (offset) => {
    const response = await lockt('/api/v1/user', 'users', user({ access_expires: `2026-01-01T00:00:00${offset}` }));
    expect(response.status).toBe(400);
    expect(response.body.errors[0].error).toEqual([`Invalid access_expires date found: 2026-01-01T00:00:00${offset}`]);
    expect((await h.request('GET', '/api/v1/user')).body.data).toEqual([]);
  });

  it('accepts the widest offsets zones have, ±14:00', async () => {
    for (const offset of ['+14:00', '-14:00']) {
      const response = await lockt('/api/v1/user', 'users', user({ access_expires: `2030-01-01T00:00:00${offset}` }));
      expect(response.status, response.text).toBe(200);
    }
  });

  it('stores a name in NFC, so the same name typed with a combining accent is the same name', async () => {
    expect((await lockt('/api/v1/door', 'doors', { name: 'Cafe\u0301' })).status).toBe(200);
    const again = await lockt('/api/v1/door', 'doors', { name: 'Caf\u00e9' });
    expect(again.status).toBe(400);
    expect(again.body.errors[0].error).toEqual(['Door Name Already Exists: Café']);
    expect((await h.request('GET', '/api/v1/door')).body.data.map((d: { name: string }) => d.name)).toEqual(['Caf\u00e9']);
  });

  it.each([
    ['a zero-width space', 'Door\u200b1'],
    ['a right-to-left override', 'Door \u202e1'],
    ['a byte-order mark', '\ufeffDoor 1'],
    ['a left-to-right mark', 'Door 1\u200e'],
  ])('refuses a Lockt name with %s', async (_what, name) => {
    const response = await lockt('/api/v1/door', 'doors', { name });
    expect(response.status).toBe(400);
    expect(response.body.result).toEqual(['Invalid text (an invisible or direction control character) in body.doors[0].name']);
    expect((await h.request('GET', '/api/v1/door')).body.data).toEqual([]);
  });

  it('refuses BAS-IP names with them too (a user, an apartment, an identifier owner), in the panel’s format', async () => {
    const cases: [string, unknown, string][] = [
      ['/api/v1/access/users/item', { name: 'Ada \u2066Lovelace' }, 'body.name'],
      ['/api/v1/apartment', { apartment_address: { building: 1, unit: 1, floor: 1, room: 1 }, apartment_name: 'Flat\u20601' }, 'body.apartment_name'],
      [
        '/api/v1/access/identifier',
        { identifier_type: 'card', identifier_number: '77', identifier_owner: { name: 'Ada\u200b' } },
        'body.identifier_owner.name',
      ],
    ];
    for (const [url, body, at] of cases) {
      const response = await basip(url, body);
      expect(response.status, url).toBe(400);
      expect(response.body).toEqual({ error: `Invalid text (an invisible or direction control character) in ${at}` });
    }
  });

  it('keeps the zero-width joiner and non-joiner that Persian names and emoji need', async () => {
    const response = await basip('/api/v1/access/users/item', { name: 'می\u200cخواهم Ada' });
    expect(response.status, response.text).toBe(200);
  });

  const over = (length: number) => 'x'.repeat(length + 1);
  it.each(['first_name', 'last_name'])(`caps the Lockt user %s at ${NAME} characters`, async (field) => {
    const refused = await lockt('/api/v1/user', 'users', user({ [field]: over(NAME) }));
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].error).toEqual([`Invalid ${field} length found (at most ${NAME} characters): ${'x'.repeat(77)}...`]);
    const accepted = await lockt('/api/v1/user', 'users', user({ [field]: 'x'.repeat(NAME) }));
    expect(accepted.status, accepted.text).toBe(200);
  });

  type BasipCap = [string, string, (text: string) => Record<string, unknown>, string, number];
  it.each<BasipCap>([
    ['a user name', '/api/v1/access/users/item', (text: string) => ({ name: text }), 'name', NAME],
    ['a user info', '/api/v1/access/users/item', (text: string) => ({ name: 'Ada', info: text }), 'info', FREE],
    [
      'an identifier owner name',
      '/api/v1/access/identifier',
      (text: string) => ({ identifier_type: 'card', identifier_number: String(text.length), identifier_owner: { name: text } }),
      'identifier_owner.name',
      NAME,
    ],
    ...(['apartment_name', 'photo_path', 'route_path'] as const).map(
      (field, index) =>
        [
          `an apartment ${field}`,
          '/api/v1/apartment',
          (text: string) => ({
            apartment_address: { building: 1 + index, unit: text.length % 100, floor: 1, room: 1 },
            apartment_name: `Flat ${index}`,
            [field]: text,
          }),
          field,
          field === 'apartment_name' ? NAME : FREE,
        ] satisfies BasipCap,
    ),
  ])('caps %s on the BAS-IP face', async (_what, url, body, at, limit) => {
    const refused = await basip(url, body(over(limit)));
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ error: `Wrong JSON body: value \`${at}\` was longer than ${limit} characters: ${'x'.repeat(77)}...` });
    const accepted = await basip(url, body('x'.repeat(limit)));
    expect(accepted.status, accepted.text).toBe(200);
  });

  it(`caps a device event's detail at ${FREE} characters`, async () => {
    const send = (detail: string) =>
      h.request('POST', '/api/v1/device/events', {
        as: null,
        headers: bearer(deviceKey),
        body: { events: [{ type: 'tamper', hw_time: '2026-01-02 03:04:05', detail }] },
      });
    const refused = await send(over(FREE));
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].error).toEqual([`Invalid detail length found (at most ${FREE} characters): ${'x'.repeat(77)}...`]);
    expect((await send('x'.repeat(FREE))).status).toBe(200);
  });
});
