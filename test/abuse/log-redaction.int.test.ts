import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, type Harness, createHarness } from '../harness.ts';
import { OPERATOR_PASSWORD, md5, seedCallers } from './callers.ts';

/**
 * Issue 14 item 9: the log's redaction matched the URL as sent, so percent-encoded spellings that the
 * router and the query parser decode (`/api/v1/%70anel/<key>/access`, `?%70assword=`, `?%70in=`,
 * `?credential%5Fkey=`) were answered and logged the device key, the password digest (enough to log in)
 * and the PIN in clear; so did a misspelled panel URL that 404s.
 */
describe.each(DIALECTS)('what the request log shows of a URL, on %s', (dialect) => {
  let h: Harness;
  let callers: Awaited<ReturnType<typeof seedCallers>>;
  let logged: { req?: { url: string } }[];
  beforeEach(async () => {
    logged = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logged.push(JSON.parse(String(chunk)));
        done();
      },
    });
    h = await createHarness(dialect, { logger: { level: 'info', stream } });
    callers = await seedCallers(h);
  });
  afterEach(async () => {
    await h.close();
  });

  /** The URL the log line of this one request shows, and that the request got the expected answer. */
  const loggedUrl = async (method: 'GET' | 'POST', url: string, status: number, body?: unknown, withKey = false) => {
    logged = [];
    const response = await h.request(method, url, { ...(withKey ? {} : { as: null }), ...(body === undefined ? {} : { body }) });
    expect(response.status, `${url}: ${response.text}`).toBe(status);
    const lines = logged.filter((line) => line.req !== undefined);
    expect(lines).toHaveLength(1);
    return lines[0]?.req?.url as string;
  };
  const card = { identifier_number: '1', identifier_type: 'card' };

  it.each([['/api/v1/%70anel/KEY/access'], ['/%61pi/v1/panel/KEY/access'], ['/api/v1/panel/KEY/access'], ['/api//v1/panel/KEY/access']])(
    'a panel request spelled %s is answered and logs the route, never the key',
    async (spelling) => {
      const url = await loggedUrl('POST', spelling.replace('KEY', callers.device.key), 200, card);
      expect(url).toBe('/api/v1/panel/:device_key/access');
    },
  );

  it.each([
    ['a misspelled panel path', '/api/v1/panle/KEY/access', '/api/v1/[redacted]'],
    ['a path with the key first', '/KEY/api/v1/panel', '/[redacted]'],
    ['a Lockt path with the key after it', '/api/v1/door/KEY/extra', '/api/v1/[redacted]'],
  ])('%s that 404s logs only a fixed prefix', async (_what, spelling, shown) => {
    const url = await loggedUrl('POST', spelling.replace('KEY', callers.device.key), 404, card);
    expect(url).toBe(shown);
  });

  it('a login with a percent-encoded password parameter logs no digest', async () => {
    const digest = md5(OPERATOR_PASSWORD);
    const url = await loggedUrl('GET', `/api/v1/login?username=admin&%70assword=${digest}`, 200);
    expect(url).toBe('/api/v1/login?username=admin&%70assword=[redacted]');
  });

  it.each([
    ['%70in=908172', 'pin', 200],
    ['credential%5Fkey=ABCD-EFGH', 'credential_key', 200],
    ['PIN=908172', 'an upper-case pin', 400],
    ['p%69n=908172&pin=908172', 'a repeated pin', 400],
  ])('an explain asked with %s logs no %s', async (query, _what, status) => {
    const url = await loggedUrl('GET', `/api/v1/access?door_id=${callers.doorId}&${query}`, status, undefined, true);
    expect(url).not.toMatch(/908172|ABCD-EFGH/);
    expect(url).toContain('[redacted]');
    expect(url).toContain(`door_id=${callers.doorId}`);
  });
});
