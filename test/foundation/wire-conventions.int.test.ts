import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERRORS } from '../../src/domain/errors.ts';
import { changeApiKeySettings, revokeApiKey } from '../../src/modules/api-keys/api-keys.service.ts';
import { RESOURCE_MODULES } from '../../src/modules/index.ts';
import { LOCKT_API_KEY, type ResourceModule } from '../../src/modules/module.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { itRequiresApiKey } from '../common-route-tests.ts';
import { DIALECTS, type Harness, createHarness } from '../harness.ts';

const PARSE_FAILURE = {
  result: ['No data found or invalid JSON objects supplied. Could not parse input.'],
  errors: [],
};

/** Routes that exist only to drive the error handler: one fails unexpectedly, one with a domain error. */
const failingModule: ResourceModule = {
  name: 'failing',
  register(app) {
    app.get('/api/v1/explode', { config: LOCKT_API_KEY }, async () => {
      throw new Error('secret detail: SELECT * FROM api_key');
    });
    app.get('/api/v1/refuse', { config: LOCKT_API_KEY }, async () => {
      throw ERRORS.badRequest('Refused on purpose');
    });
  },
};

describe.each(DIALECTS)('Lockt wire conventions on %s', (dialect) => {
  let h: Harness;
  let logged: string;
  beforeEach(async () => {
    logged = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logged += chunk.toString();
        done();
      },
    });
    h = await createHarness(dialect, {
      bodyLimit: 4096,
      modules: [...RESOURCE_MODULES, failingModule],
      logger: { level: 'info', stream: sink },
    });
  });
  afterEach(async () => {
    await h.close();
  });

  describe('authentication', () => {
    itRequiresApiKey(() => h, 'GET', '/api/v1/ping');

    it('says which headers are missing when none are sent', async () => {
      const response = await h.request('GET', '/api/v1/ping', { as: null });
      expect(response.body).toEqual({
        data: { error: 'Missing API credentials: send the apiuser and apikey headers.' },
      });
    });

    it('refuses a revoked key at once, with the same message as a wrong key', async () => {
      await revokeApiKey(h.store.db, h.credentials.apiuser, systemClock);
      const response = await h.request('GET', '/api/v1/ping');
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ data: { error: 'Invalid API credentials.' } });
    });

    it('refuses a disabled key, and accepts it again once enabled', async () => {
      await changeApiKeySettings(h.store.db, h.credentials.apiuser, { enabled: false });
      expect((await h.request('GET', '/api/v1/ping')).status).toBe(401);
      await changeApiKeySettings(h.store.db, h.credentials.apiuser, { enabled: true });
      expect((await h.request('GET', '/api/v1/ping')).status).toBe(200);
    });

    it('never writes the apikey to the log', async () => {
      await h.request('GET', '/api/v1/ping');
      await h.request('GET', '/api/v1/ping', { as: { apiuser: h.credentials.apiuser, apikey: 'z'.repeat(32) } });
      expect(logged).not.toContain(h.credentials.apikey);
      expect(logged).not.toContain('z'.repeat(32));
    });
  });

  describe('URLs', () => {
    it('answers the plural, trailing-slash and /v1 spellings the spec examples use', async () => {
      for (const url of ['/api/v1/locationtype', '/api/v1/locationtypes', '/api/v1/locationtype/', '/v1/locationtype', '/v1/locationtypes/']) {
        const response = await h.request('GET', url);
        expect(response.status, url).toBe(200);
        expect(response.body, url).toEqual({ data: [] });
      }
    });

    it('answers an unknown endpoint with 404 in the envelope', async () => {
      const response = await h.request('GET', '/api/v1/nothing');
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ data: { error: 'Unknown endpoint: GET /api/v1/nothing' } });
    });

    it('answers a known endpoint called with the wrong method with 405 and Allow', async () => {
      const response = await h.request('PATCH', '/api/v1/locationtype', { body: {} });
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('GET, POST, DELETE');
      expect(response.body).toEqual({ data: { error: 'Method PATCH is not allowed on /api/v1/locationtype.' } });
    });

    it('treats a blank or duplicated numeric query parameter as a 400, never as no filter', async () => {
      for (const query of ['limit=', 'limit=%20', 'limit=1&limit=2', 'after_id=x']) {
        const response = await h.request('GET', `/api/v1/locationtype?${query}`);
        expect(response.status, query).toBe(400);
        expect(response.body.data.error, query).toMatch(/limit|after_id/);
      }
    });
  });

  describe('bodies', () => {
    const post = (rawBody: string, headers: Record<string, string> = {}) => h.request('POST', '/api/v1/locationtype', { rawBody, headers });

    it('refuses invalid JSON, an empty body and a missing top-level node with the spec message', async () => {
      for (const raw of [
        '{"locationtypes": [',
        '',
        '   ',
        '{}',
        '{"other": []}',
        '{"locationtypes": []}',
        '{"locationtypes": {}}',
        '[1]',
        '"x"',
        '{"locationtypes": [1]}',
      ]) {
        const response = await post(raw, { 'content-type': 'application/json' });
        expect(response.status, raw).toBe(400);
        expect(response.body, raw).toEqual(PARSE_FAILURE);
      }
    });

    it('refuses JSON that tries to pollute prototypes', async () => {
      const response = await post('{"locationtypes":[{"name":"a"}],"__proto__":{"x":1}}');
      expect(response.status).toBe(400);
      expect(response.body).toEqual(PARSE_FAILURE);
    });

    it('refuses a body sent without Content-Type application/json with 415', async () => {
      const response = await h.request('POST', '/api/v1/locationtype', {
        rawBody: JSON.stringify({ locationtypes: [{ name: 'A' }] }),
        headers: { 'content-type': 'text/plain' },
      });
      expect(response.status).toBe(415);
      expect(response.body).toEqual({ data: { error: "Request body must be sent with Content-Type 'application/json'." } });
    });

    it('refuses a body over the size limit with 413', async () => {
      const names = Array.from({ length: 200 }, (_, i) => ({ name: `Type ${i} ${'x'.repeat(20)}` }));
      const response = await h.request('POST', '/api/v1/locationtype', { body: { locationtypes: names } });
      expect(response.status).toBe(413);
      expect(response.body).toEqual({ data: { error: 'Request body exceeds the limit of 4096 bytes.' } });
    });

    it('accepts a charset parameter on the content type', async () => {
      const response = await post(JSON.stringify({ locationtypes: [{ name: 'A' }] }), {
        'content-type': 'application/json; charset=utf-8',
      });
      expect(response.status).toBe(200);
    });
  });

  describe('batch runner', () => {
    it('refuses a batch over the key’s max_batch_size before doing any work', async () => {
      await changeApiKeySettings(h.store.db, h.credentials.apiuser, { maxBatchSize: 2 });
      const response = await h.request('POST', '/api/v1/locationtype', {
        body: { locationtypes: [{ name: 'A' }, { name: 'B' }, { name: 'C' }] },
      });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ result: ['Batch size exceeds maximum of 2 objects.'], errors: [] });
      expect((await h.request('GET', '/api/v1/locationtype')).body.data).toEqual([]);
    });

    it('reads options as booleans or the strings "true" and "false"', async () => {
      for (const [value, status] of [
        [false, 200],
        ['false', 200],
        [true, 400],
        ['true', 400],
      ] as const) {
        const response = await h.request('POST', '/api/v1/locationtype', {
          body: { locationtypes: [{ name: `Ok ${String(value)}` }, { name: '' }], options: { validate_fails_batch: value } },
        });
        expect(response.status, String(value)).toBe(status);
      }
    });

    it('refuses an option that is neither true nor false', async () => {
      const response = await h.request('POST', '/api/v1/locationtype', {
        body: { locationtypes: [{ name: 'A' }], options: { validate_fails_batch: 'maybe' } },
      });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        result: ['Invalid value for option validate_fails_batch: maybe (expected true or false)'],
        errors: [],
      });
    });

    it('collects every message of every failing record, naming the field and the value', async () => {
      const response = await h.request('DELETE', '/api/v1/locationtype', {
        body: { locationtypes: [{ id: 'abc' }, {}, { id: '42' }] },
      });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        result: ['Validation errors found. Batch has failed. Details provided.'],
        errors: [
          { error: ['Non-Numeric id found: abc'], input_data: { id: 'abc' } },
          { error: ['Missing or blank id'], input_data: {} },
          { error: ['Invalid Location Type id: 42'], input_data: { id: '42' } },
        ],
      });
    });
  });

  describe('failures', () => {
    it('answers an unexpected failure with the spec’s 500, a request id, and no details anywhere', async () => {
      const response = await h.request('GET', '/api/v1/explode');
      expect(response.status).toBe(500);
      expect(response.body).toEqual({
        data: { error: 'An Unexpected Error has occurred. Request has been terminated and exception flagged.' },
      });
      expect(response.text).not.toContain('secret detail');
      const requestId = response.headers['x-request-id'];
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      // The log names the request and the kind of failure; its message and stack (which can carry SQL or
      // stored values) are never written.
      expect(logged).toContain(String(requestId));
      expect(logged).toContain('"type":"Error"');
      expect(logged).not.toContain('secret detail');
    });

    it('renders a domain error on a read as {"data": {"error"}}', async () => {
      const response = await h.request('GET', '/api/v1/refuse');
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ data: { error: 'Refused on purpose' } });
    });
  });

  describe('isolation', () => {
    it('gives each key only its own site', async () => {
      const other = await h.addSite('Other', 'Asia/Tokyo');
      const mine = await h.request('GET', '/api/v1/site');
      const theirs = await h.request('GET', '/api/v1/site', { as: other.credentials });
      expect(mine.body.data.name).toBe('Test Site');
      expect(theirs.body.data).toMatchObject({ name: 'Other', timezone: 'Asia/Tokyo' });
      await h.request('POST', '/api/v1/locationtype', { body: { locationtypes: [{ name: 'Theirs' }] }, as: other.credentials });
      const [{ id }] = (await h.request('GET', '/api/v1/locationtype', { as: other.credentials })).body.data;
      const attempt = await h.request('DELETE', '/api/v1/locationtype', { body: { locationtypes: [{ id }] } });
      expect(attempt.status).toBe(400);
      expect((await h.request('GET', '/api/v1/locationtype', { as: other.credentials })).body.data).toHaveLength(1);
    });
  });
});
