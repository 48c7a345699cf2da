import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openStore } from '../../src/db/open.ts';
import { DIALECTS } from '../harness.ts';
import { type FuzzRequest, RAW_URL_PIECES, encodeComponent, hostileString, requestFor } from './arbitraries.ts';
import { type FuzzRoute, buildRecordedApp } from './routes.ts';
import { type FuzzWorld, KNOWN_ISSUES, createWorld } from './world.ts';

/**
 * Hostile input on every endpoint of every face, through `app.inject`: whatever arrives, the answer is
 * never a 5xx, is JSON in the face's own error format when it refuses (Lockt `{"data":{"error"}}` or
 * `{"result","errors"}`, BAS-IP `{"error"}`), and a refused request changes no row count.
 *
 * Bounded in `npm test` (PORTCULLIS_FUZZ_RUNS requests per endpoint, default 4, fixed seed). Long runs:
 * `npm run fuzz -- --runs 1000 [--seed N]` (scripts/fuzz.ts), which prints the seed it used.
 */
const RUNS = Number(process.env.PORTCULLIS_FUZZ_RUNS ?? 4);
const SEED = Number(process.env.PORTCULLIS_FUZZ_SEED ?? 20261123);
const LONG = RUNS > 50;

/** The routes, enumerated once from an app on a throwaway store (the same modules every world builds). */
async function enumerateRoutes(): Promise<FuzzRoute[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-routes-'));
  const store = openStore({ dataDir });
  await migrateToLatest(store.db);
  const { app, routes } = await buildRecordedApp({ db: store.db });
  await app.close();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
  return routes.sort((a, b) => `${a.url} ${a.method}`.localeCompare(`${b.url} ${b.method}`));
}
const ROUTES = await enumerateRoutes();

/**
 * Two requests legitimately never end soon, and are kept out: `/events?stream` is an endless event stream,
 * and `/device/commands` long-polls (25 s by default) unless told `?wait=0`.
 */
function tame(route: FuzzRoute, request: FuzzRequest): FuzzRequest {
  if (route.url === '/api/v1/events') return { ...request, query: request.query.filter(([key]) => key !== 'stream') };
  if (route.url === '/api/v1/device/commands') {
    const query = request.query.map(([key, value]): [string, string] => [key, key === 'wait' && /^[0-9]+$/.test(value) ? '0' : value]);
    return { ...request, query: query.some(([key]) => key === 'wait') ? query : [['wait', '0'], ...query] };
  }
  return request;
}

/** Runs one property, reporting the first broken answer (with seed and path to replay it). */
async function fuzz(world: FuzzWorld, route: FuzzRoute, seed: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(requestFor(route), async (generated) => {
      const problem = await world.check(route, tame(route, generated));
      if (problem) throw new Error(problem);
    }),
    { numRuns: RUNS, seed, ...(LONG ? { interruptAfterTimeLimit: 10 * 60_000, markInterruptAsFailure: false } : {}) },
  );
}

const timeout = 60_000 + RUNS * 2_000;

describe.each(DIALECTS)('hostile input on %s', (dialect) => {
  let world: FuzzWorld;
  beforeAll(async () => {
    world = await createWorld(dialect);
    console.info(`fuzz on ${dialect}: ${ROUTES.length} endpoints, ${RUNS} requests each, seed ${SEED} (PORTCULLIS_FUZZ_SEED replays it)`);
  }, 120_000);
  afterAll(async () => {
    if (world) {
      console.info(`fuzz on ${dialect}: answers by status ${JSON.stringify(Object.fromEntries([...world.statuses].sort()))}`);
      for (const [code, times] of world.known) console.info(`fuzz on ${dialect}: known issue ${code} (${KNOWN_ISSUES[code]}) seen ${times} times`);
    }
    await world?.close();
  });

  it('covers every endpoint of the OpenAPI document and of the BAS-IP face', async () => {
    const response = await world.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const documented = Object.entries(response.json().paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`),
    );
    const fuzzed = new Set(ROUTES.map((r) => `${r.method} ${r.url}`));
    expect(documented.filter((route) => !fuzzed.has(route))).toEqual([]);
    expect(ROUTES.filter((r) => r.url.startsWith('/api/v1/access/') || r.url.startsWith('/api/v1/apartment')).length).toBeGreaterThan(10);
  });

  ROUTES.forEach((route, index) => {
    it(`${route.method} ${route.url}`, () => fuzz(world, route, SEED + index), timeout);
  });

  it(
    'answers unknown paths of either face in that face’s format',
    async () => {
      const prefixes = ['/api/v1/', '/api/v1/access/', '/api/v1/apartment/', '/api/v1/log/', '/api/v1/panel/', '/api/', '/v1/', '/'];
      const unrouted = fc
        .record({
          method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
          prefix: fc.constantFrom(...prefixes),
          tail: fc.array(fc.oneof(hostileString.map(encodeComponent), fc.constantFrom(...RAW_URL_PIECES)), { minLength: 1, maxLength: 3 }),
        })
        .chain(({ method, prefix, tail }) => {
          const route: FuzzRoute = { method, url: `${prefix}${tail.join('/')}`, auth: 'none', params: [] };
          return requestFor(route).map((request) => ({ route, request }));
        });
      await fc.assert(
        fc.asyncProperty(unrouted, async ({ route, request }) => {
          const problem = await world.check(route, request);
          if (problem) throw new Error(problem);
        }),
        { numRuns: RUNS * 10, seed: SEED - 1 },
      );
    },
    timeout,
  );
});
