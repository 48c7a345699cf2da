import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.ts';
import { itRequiresApiKey } from '../common-route-tests.ts';
import { DIALECTS, type Harness, createHarness } from '../harness.ts';

// Wednesday 2026-11-25 10:00 in New York (15:00 UTC).
const WEDNESDAY_10AM = Date.UTC(2026, 10, 25, 15, 0, 0);

/**
 * A site set up entirely through the Lockt API, then asked through the explain endpoint: the decision
 * reads what the API wrote, and changes the moment a write commits (the index is invalidated).
 */
describe.each(DIALECTS)('enrol through the API, then explain on %s', (dialect) => {
  let h: Harness;
  const clock = fixedClock(WEDNESDAY_10AM);
  let doorId: number;
  let userId: number;

  beforeEach(async () => {
    clock.set(WEDNESDAY_10AM);
    h = await createHarness(dialect, { clock, timezone: 'America/New_York' });
    const ok = async (method: 'POST' | 'PUT', url: string, body: unknown) => {
      const response = await h.request(method, url, { body });
      expect(response.status, `${method} ${url}: ${JSON.stringify(response.body)}`).toBe(200);
      return response;
    };
    await ok('POST', '/api/v1/door', { doors: [{ name: 'Front Door' }] });
    doorId = (await h.request('GET', '/api/v1/door')).body.data[0].id;
    await ok('POST', '/api/v1/schedule', {
      schedules: [{ name: 'Office hours', d0: 1, d1: 1, d2: 1, d3: 1, d4: 1, d5: 0, d6: 0, start: '08:00:00', stop: '16:59:59' }],
    });
    const scheduleId = (await h.request('GET', '/api/v1/schedule')).body.data[0].id;
    await ok('POST', '/api/v1/accesslevel', { accesslevels: [{ name: 'Office', doors: [{ id: doorId, schedule_id: scheduleId }] }] });
    const levelId = (await h.request('GET', '/api/v1/accesslevel')).body.data[0].id;
    await ok('POST', '/api/v1/user', {
      users: [
        {
          id: -1,
          id_num: 'E-1',
          first_name: 'Adam',
          last_name: 'Jones',
          email: 'adam@example.com',
          phone: '5551234567',
          pin: '1234',
          card_num: '1000',
          access_effective: '',
          access_expires: '',
          enabled: true,
          accesslevels: [{ id: levelId }],
        },
      ],
    });
    userId = (await h.request('GET', '/api/v1/user')).body.data[0].id;
  });
  afterEach(async () => {
    await h.close();
  });

  const explain = async (query: string) => {
    const response = await h.request('GET', `/api/v1/access?door_id=${doorId}&${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.data[0];
  };

  itRequiresApiKey(() => h, 'GET', '/api/v1/access?door_id=1&card_num=1');

  it('grants by card, naming the level and schedule, with every check in the trace', async () => {
    const answer = await explain('card_num=1000');
    expect(answer).toMatchObject({
      granted: true,
      code: 48,
      code_text: 'Access Granted',
      subcode: 100,
      reason: 'Granted by access level Office on schedule Office hours.',
      rule: 'access level Office on schedule Office hours',
      at: '2026-11-25 10:00:00',
    });
    expect(answer.trace.map((s: { check: string }) => s.check)).toEqual([
      'unknown_credential',
      'credential_disabled',
      'credential_not_yet_effective',
      'credential_expired',
      'fob_not_assigned',
      'holder_disabled',
      'holder_not_yet_effective',
      'holder_expired',
      'factor_not_allowed',
      'unknown_door',
      'door_disabled',
      'door_locked',
      'lock_not_allowed',
      'no_grant',
      'outside_schedule',
      'outside_time_profile',
      'second_factor_required',
      'passes_used_up',
      'granted',
    ]);
  });

  it('grants by PIN too, and records nothing', async () => {
    expect((await explain('pin=1234')).granted).toBe(true);
    expect((await h.request('GET', '/api/v1/events')).body).toEqual({ data: [] });
  });

  it('decides at a given instant in the site zone', async () => {
    expect(await explain('card_num=1000&at=2026-11-25%2017:00:00')).toMatchObject({ granted: false, subcode: 113, subcode_text: 'Outside Schedule' });
    expect(await explain('card_num=1000&at=2026-11-25T16:59:59-05:00')).toMatchObject({ granted: true });
  });

  it('changes its answer as soon as a write commits', async () => {
    expect((await explain('card_num=1000')).granted).toBe(true);
    const disabled = await h.request('PUT', '/api/v1/user', { body: { users: [{ id: userId, enabled: false }] } });
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    expect(await explain('card_num=1000')).toMatchObject({ granted: false, subcode_text: 'User Disabled' });
    await h.request('PUT', '/api/v1/door', { body: { doors: [{ id: doorId, enabled: false }] } });
    await h.request('PUT', '/api/v1/user', { body: { users: [{ id: userId, enabled: true }] } });
    expect(await explain('card_num=1000')).toMatchObject({ granted: false, subcode_text: 'Door Disabled' });
  });

  it('says why an unknown card or door is refused, and refuses bad questions with 400', async () => {
    expect(await explain('card_num=9999')).toMatchObject({ granted: false, subcode_text: 'Unknown Credential' });
    const unknownDoor = await h.request('GET', '/api/v1/access?door_id=99999999999&card_num=1000');
    expect(unknownDoor.body.data[0]).toMatchObject({ granted: false, subcode_text: 'Unknown Door' });
    for (const query of ['door_id=1', 'door_id=1&card_num=1&pin=2&credential_key=k', 'door_id=&card_num=1', 'door_id=1&card_num=1&at=soon']) {
      const response = await h.request('GET', `/api/v1/access?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.data.error, query).toEqual(expect.any(String));
    }
  });
});
