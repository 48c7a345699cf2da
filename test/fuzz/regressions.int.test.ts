import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, type Harness, createHarness } from '../harness.ts';
import { errorFormatProblem, faceOfPath } from './routes.ts';

/**
 * What the hostile-input fuzzer found, pinned as plain tests so each stays fixed whatever seed runs.
 */
describe.each(DIALECTS)('hostile input the fuzzer found, on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.close();
  });

  // Fastify's router refused these before any route ran and answered in its own format
  // ({"error":"Bad Request","code":"FST_ERR_BAD_URL",…}), which is neither face's.
  it.each([
    ['a bad percent-encoding on Lockt', 'GET', '/api/v1/door/%'],
    ['a bad percent-encoding on a Lockt write', 'DELETE', '/api/v1/user/%zz'],
    ['a bad percent-encoding in a BAS-IP uid', 'DELETE', '/api/v1/access/users/item/%'],
    ['a bad percent-encoding in a BAS-IP path', 'POST', '/api/v1/access/user/%/timeprofile/1'],
    ['a truncated UTF-8 escape', 'GET', '/api/v1/apartment/item/%E0%A4%A'],
    ['an overlong Unicode uid', 'GET', `/api/v1/apartment/item/${'%C3%A9'.repeat(120)}`],
    ['an overlong numeric uid', 'GET', `/api/v1/access/identifier/item/${'1'.repeat(200)}`],
  ] as const)('answers %s in the face’s error format', async (_what, method, url) => {
    const response = await h.request(method, url);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(errorFormatProblem(faceOfPath(url), response.body), response.text).toBeUndefined();
    expect(response.text).not.toContain('FST_ERR');
  });
});
