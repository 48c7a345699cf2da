import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorFormatProblem, faceOfPath } from '../fuzz/routes.ts';
import { DIALECTS, type Harness, createHarness } from '../harness.ts';
import { bearer, seedCallers } from './callers.ts';

/** `levels` arrays inside one another around a 1: `[[[1]]]`. */
const nested = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;

/**
 * Bodies that parse as JSON but no client sends (issue 14 items 8 and 11): a field nested thousands of
 * levels deep answered 500 (RangeError) or leaked "Maximum call stack size exceeded"; bytes that are
 * not UTF-8 were stored as U+FFFD. Each is refused before any route reads it, in the face's own format.
 */
describe.each(DIALECTS)('bodies refused before they are read, on %s', (dialect) => {
  let h: Harness;
  let callers: Awaited<ReturnType<typeof seedCallers>>;
  beforeEach(async () => {
    h = await createHarness(dialect);
    callers = await seedCallers(h);
  });
  afterEach(async () => {
    await h.close();
  });

  const send = (method: 'POST' | 'PUT', url: string, payload: string | Buffer, auth: 'key' | 'device' | 'operator') =>
    h.app.inject({
      method,
      url,
      payload,
      headers: {
        'content-type': 'application/json',
        ...(auth === 'key' ? h.credentials : auth === 'device' ? bearer(callers.device.key) : bearer(callers.token)),
      },
    });

  // Every endpoint the probe saw answer 500 or leak the stack message, one per kind of caller and face.
  const ENDPOINTS: ['POST' | 'PUT', string, 'key' | 'device' | 'operator', (deep: string) => string][] = [
    ['POST', '/api/v1/door', 'key', (deep) => `{"doors":[{"name":${deep}}]}`],
    ['POST', '/api/v1/user', 'key', (deep) => `{"users":[{"id":-1,"first_name":${deep}}]}`],
    ['POST', '/api/v1/door/unlock', 'key', (deep) => `{"doors":[{"id":${deep}}]}`],
    ['POST', '/api/v1/fob', 'key', (deep) => `{"fobs":[{"card_num":${deep}}]}`],
    ['POST', '/api/v1/accesslevel', 'key', (deep) => `{"accesslevels":[{"name":"A","doors":${deep}}]}`],
    ['POST', '/api/v1/delegate', 'key', (deep) => `{"delegates":[{"doors":${deep}}]}`],
    ['POST', '/api/v1/schedule', 'key', (deep) => `{"schedules":[{"name":${deep}}]}`],
    ['POST', '/api/v1/location', 'key', (deep) => `{"locations":[{"name":${deep}}]}`],
    ['POST', '/api/v1/credential?claim', 'key', (deep) => `{"credentials":[{"credential_key":${deep}}]}`],
    ['POST', '/api/v1/device/access', 'device', (deep) => `{"door_id":${deep},"card_num":"1"}`],
    ['POST', '/api/v1/device/events', 'device', (deep) => `{"events":[{"detail":${deep}}]}`],
    ['POST', '/api/v1/device/state', 'device', (deep) => `{"doors":${deep}}`],
    ['POST', '/api/v1/device/commands/ack', 'device', (deep) => `{"commands":${deep}}`],
    [
      'POST',
      '/api/v1/access/timeprofile',
      'operator',
      (deep) =>
        `{"name":"Deep","time_options":{"is_all_day":true,"date_from":1601884800,"date_to":1601920800},` +
        `"repeat_options":{"repeat_enable":true,"repeat_format":{"repeat_type":"custom","repeat_custom":${deep}}}}`,
    ],
  ];

  it.each(ENDPOINTS)('%s %s: a field nested 10,000 deep is a 400 in the face’s format, naming the limit', async (method, url, auth, body) => {
    const response = await send(method, url, body(nested(10_000)), auth);
    expect(response.statusCode, response.body).toBe(400);
    expect(errorFormatProblem(faceOfPath(url), response.json()), response.body).toBeUndefined();
    // BAS-IP answers any body it cannot read in its own words; Lockt's envelope names the limit.
    expect(response.body).toContain(auth === 'operator' ? 'Wrong JSON body' : 'nested deeper than 32 levels');
    expect(response.body).not.toMatch(/call stack|RangeError/i);
  });

  it('lets 32 levels through to the route, and refuses 33', async () => {
    // The batch envelope, its array and its record are three levels: 29 more inside a field make 32.
    const at = (levels: number) => send('POST', '/api/v1/door', `{"doors":[{"name":${nested(levels)}}]}`, 'key');
    const inside = await at(29);
    expect(inside.statusCode).toBe(400);
    expect(inside.body).toContain('Validation errors found');
    expect((await at(30)).body).toContain('nested deeper than 32 levels');
  });

  it('counts brackets inside strings as text, not nesting', async () => {
    const response = await send('POST', '/api/v1/door', `{"doors":[{"name":"${'['.repeat(100)}\\"${'{'.repeat(100)}"}]}`, 'key');
    expect(response.statusCode, response.body).toBe(200);
  });

  it.each([
    ['Lockt', '/api/v1/door', 'key'],
    ['BAS-IP', '/api/v1/access/users/item', 'operator'],
  ] as const)('refuses a %s body that is not UTF-8 instead of storing U+FFFD', async (_face, url, auth) => {
    const field = url === '/api/v1/door' ? '{"doors":[{"name":"Door \xff"}]}' : '{"name":"User \xff"}';
    const response = await send('POST', url, Buffer.from(field, 'latin1'), auth);
    expect(response.statusCode, response.body).toBe(400);
    expect(errorFormatProblem(faceOfPath(url), response.json()), response.body).toBeUndefined();
    expect(response.body).toContain(auth === 'operator' ? 'Wrong JSON body' : 'not valid UTF-8');
  });
});
