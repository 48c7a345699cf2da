import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { openStore } from '../../src/db/open.ts';
import { DIALECTS, openTestStore } from '../harness.ts';

/**
 * The readiness check's remaining case, the store not answering at all, and what the OpenAPI document says
 * of /ready and /metrics. The change feed and a pending migration are in test/foundation/system.int.test.ts;
 * a store cut off from real server processes in test/faults.
 */
describe.each(DIALECTS)('/health and /ready on %s', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('/ready is 503 "store unavailable" when the store does not answer, while /health is still 200', async () => {
    const store = await openTestStore(dialect);
    cleanups.push(() => store.close());
    // A handle of its own for the app, so that closing it takes the store away from the app alone.
    const handle = openStore({ dataDir: store.dataDir, databaseUrl: store.databaseUrl, pgSchema: store.pgSchema });
    const app = await buildApp({ db: handle.db });
    cleanups.push(() => app.close());
    expect((await app.inject({ method: 'GET', url: '/api/v1/ready' })).statusCode).toBe(200);

    await handle.close();
    const ready = await app.inject({ method: 'GET', url: '/api/v1/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.headers['retry-after']).toBe('1');
    expect(ready.json()).toEqual({ data: { error: 'Not ready: store unavailable.' } });
    expect((await app.inject({ method: 'GET', url: '/api/v1/health' })).json()).toEqual({ data: { status: 'ok' } });
  });

  it('the OpenAPI document gives /ready its 503, and leaves /metrics out', async () => {
    const store = await openTestStore(dialect);
    cleanups.push(() => store.close());
    const app = await buildApp({ db: store.db, metrics: { token: 'documented-nowhere' } });
    cleanups.push(() => app.close());
    const document = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const { responses, security } = document.paths['/api/v1/ready'].get;
    // Its own 503 (not the face's generic one), and no 401: it takes no credentials.
    expect(responses['503'].description).toMatch(/^Not ready, and why/);
    expect(Object.keys(responses)).toContain('200');
    expect(Object.keys(responses)).not.toContain('401');
    expect(security ?? []).toEqual([]);
    expect(document.paths['/metrics']).toBeUndefined();
  });
});
