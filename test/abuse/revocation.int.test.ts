import type { InjectOptions } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AppOptions, buildApp } from '../../src/app.ts';
import { type Store, openStore } from '../../src/db/open.ts';
import { DEFAULT_RATE_LIMIT } from '../../src/http/plugins/rate-limit.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { changeApiKeySettings, issueApiKey, revokeApiKey } from '../../src/modules/api-keys/api-keys.service.ts';
import { createDevice, revokeDevice } from '../../src/modules/devices/devices.service.ts';
import type { TypedApp } from '../../src/modules/module.ts';
import { createSite } from '../../src/modules/sites/sites.service.ts';
import { seedDoor } from '../factories/access.ts';
import { DIALECTS, openTestStore } from '../harness.ts';

/**
 * Two Portcullis processes (two store handles, two apps) on one store, as in
 * test/flows/cross-process.int.test.ts. A revoked key must fail on its very next request in either
 * process: credentials are looked up in the store on every request, never cached.
 */
describe.each(DIALECTS)('revocation takes effect at once on %s', (dialect) => {
  let first: Awaited<ReturnType<typeof openTestStore>>;
  let second: Store;
  let apps: TypedApp[];
  let site: Awaited<ReturnType<typeof createSite>>;

  beforeEach(async () => {
    first = await openTestStore(dialect);
    second = openStore({ dataDir: first.dataDir, databaseUrl: first.databaseUrl, pgSchema: first.pgSchema });
    const production: Omit<AppOptions, 'db'> = { rateLimit: DEFAULT_RATE_LIMIT, oneWriteAtATime: true };
    apps = [await buildApp({ db: first.db, ...production }), await buildApp({ db: second.db, ...production })];
    site = await createSite(first.db, { name: 'Shared' }, systemClock);
  });
  afterEach(async () => {
    for (const app of apps) await app.close();
    await second.close();
    await first.close();
  });

  const statuses = async (request: InjectOptions) => Promise.all(apps.map(async (app) => (await app.inject(request)).statusCode));

  it('refuses an API key revoked, or switched off, by another process on its very next request in both', async () => {
    const ping = (apiuser: string, apikey: string): InjectOptions => ({ method: 'GET', url: '/api/v1/ping', headers: { apiuser, apikey } });
    expect(await statuses(ping(site.apiuser, site.apikey))).toEqual([200, 200]);
    await revokeApiKey(second.db, site.apiuser, systemClock);
    expect(await statuses(ping(site.apiuser, site.apikey))).toEqual([401, 401]);
    const refused = await apps[0]?.inject(ping(site.apiuser, site.apikey));
    expect(refused?.json()).toEqual({ data: { error: 'Invalid API credentials.' } });

    const other = await issueApiKey(first.db, site.site.id, systemClock);
    expect(await statuses(ping(other.apiuser, other.apikey))).toEqual([200, 200]);
    await changeApiKeySettings(second.db, other.apiuser, { enabled: false });
    expect(await statuses(ping(other.apiuser, other.apikey))).toEqual([401, 401]);
  });

  it('refuses a device key revoked by another process on its very next call, on the device API and the panel URL', async () => {
    const doorId = await seedDoor(first.db, site.site.id, 'Gate');
    const { device, deviceKey } = await createDevice(first.db, site.site, { name: 'Gate Reader', doorIds: [doorId] }, systemClock);
    const decide: InjectOptions = {
      method: 'POST',
      url: '/api/v1/device/access',
      headers: { authorization: `Bearer ${deviceKey}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ door_id: doorId, card_num: '1' }),
    };
    const panel: InjectOptions = {
      method: 'POST',
      url: `/api/v1/panel/${deviceKey}/access`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ identifier_number: '1', identifier_type: 'card' }),
    };
    expect(await statuses(decide)).toEqual([200, 200]);
    expect(await statuses(panel)).toEqual([200, 200]);

    await revokeDevice(second.db, device.id, systemClock);
    expect(await statuses(decide)).toEqual([401, 401]);
    expect(await statuses(panel)).toEqual([401, 401]);
    expect((await apps[0]?.inject(decide))?.json()).toEqual({ data: { error: 'Invalid device credentials.' } });
  });
});
