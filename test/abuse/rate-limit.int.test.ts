import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serverConfig } from '../../src/config.ts';
import { DEFAULT_RATE_LIMIT } from '../../src/http/plugins/rate-limit.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { changeOperator } from '../../src/modules/users/operators.service.ts';
import { DIALECTS, type Harness, type Response, createHarness } from '../harness.ts';
import { bearer, fromAddress, seedCallers } from './callers.ts';

const MAX = 3;
const RATE_LIMITED = /^Rate limit exceeded: at most 3 requests per 60 seconds; retry in \d+ seconds\.$/;

function expectBudgetHeaders(response: Response, remaining: number): void {
  expect(response.headers['ratelimit-limit']).toBe(String(MAX));
  expect(response.headers['ratelimit-remaining']).toBe(String(remaining));
  expect(Number(response.headers['ratelimit-reset'])).toBeGreaterThan(0);
  expect(Number(response.headers['ratelimit-reset'])).toBeLessThanOrEqual(60);
}

function expectRetryAfter(headers: Response['headers']): void {
  const seconds = Number(headers['retry-after']);
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThanOrEqual(60);
}

describe.each(DIALECTS)('per-caller rate limits on %s', (dialect) => {
  let h: Harness;
  let callers: Awaited<ReturnType<typeof seedCallers>>;
  beforeEach(async () => {
    h = await createHarness(dialect, { rateLimit: { max: MAX, windowMs: 60_000 } });
    callers = await seedCallers(h);
  });
  afterEach(async () => {
    await h.close();
  });

  const asDevice = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    h.request(method, url, { as: null, headers: bearer(callers.device.key), ...(body === undefined ? {} : { body }) });
  const asOperator = (method: 'GET' | 'POST', url: string) => h.request(method, url, { as: null, headers: bearer(callers.token) });

  it('counts an API key’s requests in RateLimit-* headers and answers the one over the limit 429 in the Lockt envelope', async () => {
    for (let used = 1; used <= MAX; used++) {
      const response = await h.request('GET', '/api/v1/ping');
      expect(response.status).toBe(200);
      expectBudgetHeaders(response, MAX - used);
    }
    const refused = await h.request('GET', '/api/v1/ping');
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ data: { error: expect.stringMatching(RATE_LIMITED) } });
    expectBudgetHeaders(refused, 0);
    expectRetryAfter(refused.headers);
    // A write over the limit is not a failed batch: the plain envelope, not the one listing records.
    const write = await h.request('POST', '/api/v1/locationtype', { body: { locationtypes: [{ name: 'Wing' }] } });
    expect(write.status).toBe(429);
    expect(write.body).toEqual({ data: { error: expect.stringMatching(RATE_LIMITED) } });
  });

  it('gives an operator account the budget an administrator raised it to (a large sync), and nobody else', async () => {
    await changeOperator(h.store.db, h.site.id, 'admin', { kind: 'set-rate-limit', rateLimit: 2 * MAX }, { kind: 'cli', name: 'test' }, systemClock);
    for (let used = 1; used <= 2 * MAX; used++) {
      const response = await asOperator('GET', '/api/v1/access/identifier/items');
      expect(response.status).toBe(200);
      expect(response.headers['ratelimit-limit']).toBe(String(2 * MAX));
    }
    const refused = await asOperator('GET', '/api/v1/access/identifier/items');
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: expect.stringMatching(/^Rate limit exceeded: at most 6 requests per 60 seconds/) });
    const key = await h.request('GET', '/api/v1/ping');
    expectBudgetHeaders(key, MAX - 1);
  });

  it('gives every API key, device, operator and address its own budget, spent only by a proven caller', async () => {
    for (let used = 0; used < MAX; used++) await h.request('GET', '/api/v1/ping');
    expect((await h.request('GET', '/api/v1/ping')).status).toBe(429);
    // Naming the spent key with a wrong secret is refused for what it is, not counted against the key.
    const forged = await h.request('GET', '/api/v1/ping', { as: { apiuser: h.credentials.apiuser, apikey: 'x'.repeat(32) } });
    expect(forged.status).toBe(401);

    const other = await h.request('GET', '/api/v1/ping', { as: callers.otherKey });
    expect(other.status).toBe(200);
    expectBudgetHeaders(other, MAX - 1);
    const device = await asDevice('POST', '/api/v1/device/access', { door_id: callers.doorId, card_num: '1' });
    expect(device.status, device.text).toBe(200);
    expectBudgetHeaders(device, MAX - 1);
    const operator = await asOperator('GET', '/api/v1/apartment/items');
    expect(operator.status, operator.text).toBe(200);
    expectBudgetHeaders(operator, MAX - 1);
    // The address already spent one on the login that made the operator's token.
    const anonymous = await h.request('GET', '/api/info', { as: null });
    expect(anonymous.status).toBe(200);
    expectBudgetHeaders(anonymous, MAX - 2);
  });

  it('answers each kind of caller over its limit in its own face’s error format', async () => {
    for (let used = 0; used < MAX; used++) await asDevice('GET', '/api/v1/device/commands?wait=0');
    const device = await asDevice('POST', '/api/v1/device/access', { door_id: callers.doorId, card_num: '1' });
    expect(device.status).toBe(429);
    expect(device.body).toEqual({ data: { error: expect.stringMatching(RATE_LIMITED) } });
    expectRetryAfter(device.headers);

    for (let used = 0; used < MAX; used++) await asOperator('GET', '/api/v1/apartment/items');
    const operator = await asOperator('GET', '/api/v1/apartment/items');
    expect(operator.status).toBe(429);
    expect(operator.body).toEqual({ error: expect.stringMatching(RATE_LIMITED) });
    expectRetryAfter(operator.headers);

    // From 1: the login in seedCallers was the address's first request.
    for (let used = 1; used < MAX; used++) await h.request('GET', '/api/info', { as: null });
    const anonymous = await h.request('GET', '/api/info', { as: null });
    expect(anonymous.status).toBe(429);
    expect(anonymous.body).toEqual({ error: expect.stringMatching(RATE_LIMITED) });
  });

  it('counts failed authentications against the address, and refuses it before looking at credentials', async () => {
    const attacker = '203.0.113.9';
    const good = { apiuser: h.credentials.apiuser, apikey: h.credentials.apikey };
    const failures = [
      await fromAddress(h, attacker, 'GET', '/api/v1/ping', { apiuser: good.apiuser, apikey: 'y'.repeat(32) }),
      await fromAddress(h, attacker, 'GET', '/api/v1/device/commands?wait=0', bearer('z'.repeat(40))),
      await fromAddress(h, attacker, 'GET', '/api/v1/apartment/items', { authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}` }),
    ];
    expect(failures.map((f) => f.statusCode)).toEqual([401, 401, 401]);
    const refused = await fromAddress(h, attacker, 'GET', '/api/v1/ping', good);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual({ data: { error: expect.stringMatching(RATE_LIMITED) } });
    expectRetryAfter(refused.headers);
    // The key itself is not held to its thief's failures: from elsewhere it works.
    expect((await fromAddress(h, '198.51.100.7', 'GET', '/api/v1/ping', good)).statusCode).toBe(200);
  });
});

describe.each(DIALECTS)('rate limits switched off on %s', (dialect) => {
  it.each([{ max: 0, windowMs: 60_000 }, undefined])('sends no RateLimit headers and refuses nothing with %o', async (rateLimit) => {
    const h = await createHarness(dialect, rateLimit ? { rateLimit } : {});
    try {
      for (let i = 0; i < MAX + 2; i++) {
        const response = await h.request('GET', '/api/v1/ping', {
          as: i % 2 === 0 ? h.credentials : { apiuser: 'x'.repeat(32), apikey: 'y'.repeat(32) },
        });
        expect(response.status).toBe(i % 2 === 0 ? 200 : 401);
        expect(response.headers['ratelimit-limit']).toBeUndefined();
      }
    } finally {
      await h.close();
    }
  });
});

describe('serve’s rate-limit settings', () => {
  it('come from flags, then the environment, then the defaults', () => {
    expect(serverConfig({ data: '.' }, {}).rateLimit).toEqual(DEFAULT_RATE_LIMIT);
    expect(DEFAULT_RATE_LIMIT).toEqual({ max: 600, windowMs: 60_000 });
    const env = { PORTCULLIS_RATE_LIMIT: '100', PORTCULLIS_RATE_LIMIT_WINDOW: '10' };
    expect(serverConfig({ data: '.' }, env).rateLimit).toEqual({ max: 100, windowMs: 10_000 });
    expect(serverConfig({ data: '.', rateLimit: 0, rateLimitWindow: 30 }, env).rateLimit).toEqual({ max: 0, windowMs: 30_000 });
    expect(() => serverConfig({ data: '.' }, { PORTCULLIS_RATE_LIMIT: 'lots' })).toThrow(/PORTCULLIS_RATE_LIMIT must be a whole number/);
    expect(() => serverConfig({ data: '.', rateLimitWindow: 0 }, {})).toThrow(/at least 1 second/);
  });
});
