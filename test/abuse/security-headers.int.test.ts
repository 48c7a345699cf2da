import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serverConfig } from '../../src/config.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openStore } from '../../src/db/open.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { RESOURCE_MODULES } from '../../src/modules/index.ts';
import type { ResourceModule } from '../../src/modules/module.ts';
import { createSite } from '../../src/modules/sites/sites.service.ts';
import { startServer } from '../../src/server.ts';
import { DIALECTS, type Harness, type Response, createHarness } from '../harness.ts';
import { OPERATOR_PASSWORD, bearer, md5, seedCallers } from './callers.ts';

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};
const API_POLICY = "default-src 'none';frame-ancestors 'none'";
const INTERNAL = 'An Unexpected Error has occurred. Request has been terminated and exception flagged.';

/** What a careless driver might put in an error: the statement, and the values bound to it. */
const SQL_FAILURE = "SQLITE_ERROR: no such column: apikey in SELECT key_hash FROM api_key WHERE apiuser = 'alice' AND password = 'hunter2'";

/** Routes that fail the way a broken query would, on both faces. */
const failing: ResourceModule = {
  name: 'failing',
  register(app) {
    const fail = async () => {
      throw Object.assign(new Error(SQL_FAILURE), { code: 'SQLITE_ERROR' });
    };
    app.get('/api/v1/failing', { config: { auth: 'api_key' } }, fail);
    app.get('/api/v1/apartment/failing', { config: { auth: 'operator' } }, fail);
  },
};

function expectSecurityHeaders(response: Response, what: string): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(response.headers[name], `${name} on ${what}`).toBe(value);
  expect(response.headers['content-security-policy'], what).toBe(API_POLICY);
}

describe.each(DIALECTS)('security headers and what answers and logs never show on %s', (dialect) => {
  let h: Harness;
  let callers: Awaited<ReturnType<typeof seedCallers>>;
  let logLines: string[];
  beforeEach(async () => {
    logLines = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    h = await createHarness(dialect, {
      modules: [...RESOURCE_MODULES, failing],
      logger: { level: 'trace', stream },
      rateLimit: { max: 3, windowMs: 60_000 },
      oneWriteAtATime: true,
    });
    callers = await seedCallers(h);
  });
  afterEach(async () => {
    await h.close();
  });

  it('sends them on every answer of both faces: success, refusal, error and rate limit alike', async () => {
    const device = { as: null, headers: bearer(callers.device.key) };
    const answers: [string, number, Response][] = [
      ['Lockt ping', 200, await h.request('GET', '/api/v1/ping')],
      ['Lockt without credentials', 401, await h.request('GET', '/api/v1/ping', { as: null })],
      ['Lockt unknown path', 404, await h.request('GET', '/api/v1/nothing-here')],
      ['Lockt wrong method', 405, await h.request('PATCH', '/api/v1/ping')],
      ['Lockt text body', 415, await h.request('POST', '/api/v1/door', { rawBody: 'x', headers: { 'content-type': 'text/plain' } })],
      ['Lockt internal error', 500, await h.request('GET', '/api/v1/failing', { as: callers.otherKey })],
      ['Lockt third request', 200, await h.request('GET', '/api/v1/ping')],
      ['Lockt over the limit', 429, await h.request('GET', '/api/v1/ping')],
      ['BAS-IP info', 200, await h.request('GET', '/api/info', { as: null })],
      ['BAS-IP without a login', 401, await h.request('GET', '/api/v1/apartment/items', { as: null })],
      ['BAS-IP internal error', 500, await h.request('GET', '/api/v1/apartment/failing', { as: null, headers: bearer(callers.token) })],
      ['device decision', 200, await h.request('POST', '/api/v1/device/access', { ...device, body: { door_id: callers.doorId, card_num: '1' } })],
      ['OpenAPI document', 200, await h.request('GET', '/api/v1/openapi.json', { as: null })],
      ['device unknown key', 401, await h.request('GET', '/api/v1/device/commands?wait=0', { as: null, headers: bearer('n'.repeat(40)) })],
    ];
    expect(answers.map(([what, , r]) => `${what}: ${r.status}`)).toEqual(answers.map(([what, status]) => `${what}: ${status}`));
    for (const [what, , response] of answers) expectSecurityHeaders(response, what);
  });

  it('keeps /docs working under a policy that lets Swagger UI load its own scripts and styles only', async () => {
    const page = await h.request('GET', '/docs', { as: null });
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger-ui-bundle.js');
    const policy = String(page.headers['content-security-policy']);
    expect(policy).toMatch(/default-src 'self'/);
    expect(policy).toMatch(/script-src 'self'/);
    expect(policy).toMatch(/style-src 'self'/);
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const script = await h.request('GET', '/docs/static/swagger-ui-bundle.js', { as: null });
    expect(script.status).toBe(200);
    expect(String(script.headers['content-type'])).toMatch(/javascript/);
  });

  it('answers an internal failure with the generic message and logs only its kind, never SQL, stack or secrets', async () => {
    const basic = `Basic ${Buffer.from(`admin:${OPERATOR_PASSWORD}`).toString('base64')}`;
    const lockt = await h.request('GET', '/api/v1/failing', { headers: { authorization: basic } });
    expect(lockt.status).toBe(500);
    expect(lockt.body).toEqual({ data: { error: INTERNAL } });
    const basip = await h.request('GET', '/api/v1/apartment/failing', { as: null, headers: bearer(callers.token) });
    expect(basip.status).toBe(500);
    expect(basip.body).toEqual({ error: INTERNAL });
    for (const response of [lockt, basip]) {
      expect(response.text).not.toMatch(/SELECT|api_key|hunter2|SQLITE|\bat\s/);
    }
    // Secrets in headers, in the panel URL and in query parameters, each on a request that is logged.
    await h.request('GET', '/api/v1/apartment/items', { as: null, headers: { authorization: basic } });
    await h.request('GET', '/api/v1/device/commands?wait=0', { as: null, headers: bearer(callers.device.key) });
    await h.request('POST', `/api/v1/panel/${callers.device.key}/access`, { as: null, body: { identifier_number: '1', identifier_type: 'card' } });
    await h.request('GET', `/api/v1/access?door_id=${callers.doorId}&pin=908172&credential_key=ABCD-EFGH-JKLM-NPQR`);

    const log = logLines.join('');
    const failure = logLines.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'unexpected error');
    expect(failure).toMatchObject({ level: 50, reqId: expect.any(String) });
    expect(failure.err).toEqual({ type: 'Error', code: 'SQLITE_ERROR', message: '[redacted]', stack: '[redacted]' });
    expect(log).toContain('[redacted]');
    const secrets = {
      sql: 'SELECT',
      table: 'api_key WHERE',
      'bound value': 'hunter2',
      apikey: h.credentials.apikey,
      'other apikey': callers.otherKey.apikey,
      'device key': callers.device.key,
      'operator token': callers.token,
      'password digest': md5(OPERATOR_PASSWORD),
      password: OPERATOR_PASSWORD,
      'basic credentials': basic.slice('Basic '.length),
      pin: '908172',
      'credential key': 'ABCD-EFGH-JKLM-NPQR',
    };
    for (const [what, secret] of Object.entries(secrets)) expect(log.includes(secret), `${what} in the log`).toBe(false);
    expect(log).not.toMatch(/\\n\s+at /);
  });
});

describe('portcullis serve', () => {
  it('applies the default rate limit and the security headers over its real socket', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-abuse-'));
    const store = openStore({ dataDir });
    await migrateToLatest(store.db);
    const site = await createSite(store.db, { name: 'Served' }, systemClock);
    await store.close();
    const server = await startServer(serverConfig({ data: dataDir, host: '127.0.0.1', port: 0, logLevel: 'silent' }, {}), () => undefined);
    try {
      const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
        const request = httpsRequest(
          `https://127.0.0.1:${server.port}/api/v1/ping`,
          { headers: { apiuser: site.apiuser, apikey: site.apikey }, rejectUnauthorized: false },
          (response) => {
            response.resume();
            response.on('end', () => resolve(response.headers));
          },
        );
        request.on('error', reject);
        request.end();
      });
      expect(headers['ratelimit-limit']).toBe('600');
      expect(headers['ratelimit-remaining']).toBe('599');
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(headers[name], name).toBe(value);
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
