import { setTimeout as sleep } from 'node:timers/promises';
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
import { createOperator } from '../../src/modules/users/operators.service.ts';
import { cliOnStore } from '../cli-runner.ts';
import { seedDoor } from '../factories/access.ts';
import { DIALECTS, md5, openTestStore, storeUrl } from '../harness.ts';

/**
 * Two Portcullis processes (two store handles, each watching the other as `serve` does, two apps) on one
 * store; the CLI runs on a third handle. Authenticated callers are remembered (src/http/plugins/caller-cache.ts),
 * so the rule is: a revoked or disabled credential fails at once in the process that revoked it, and
 * within a second in every other (the change feed's bound), whether revoked there or by the CLI.
 */
describe.each(DIALECTS)('revocation on %s', (dialect) => {
  let first: Awaited<ReturnType<typeof openTestStore>>;
  let second: Store;
  let stopWatching: (() => Promise<void>)[];
  /** apps[0] serves on `first`; apps[1] on `second`, the handle the tests revoke through. */
  let apps: TypedApp[];
  let site: Awaited<ReturnType<typeof createSite>>;

  beforeEach(async () => {
    first = await openTestStore(dialect);
    second = openStore({ dataDir: first.dataDir, databaseUrl: first.databaseUrl, pgSchema: first.pgSchema });
    stopWatching = [await first.watchOtherProcesses(), await second.watchOtherProcesses()];
    const production: Omit<AppOptions, 'db'> = { rateLimit: DEFAULT_RATE_LIMIT, oneWriteAtATime: true };
    apps = [await buildApp({ db: first.db, ...production }), await buildApp({ db: second.db, ...production })];
    site = await createSite(first.db, { name: 'Shared' }, systemClock);
  });
  afterEach(async () => {
    for (const app of apps) await app.close();
    for (const stop of stopWatching) await stop();
    await second.close();
    await first.close();
  });

  const status = async (app: TypedApp | undefined, request: InjectOptions) => (await app?.inject(request))?.statusCode;

  /** Polls until `app` refuses `request`, for at most a second; whether it did. */
  async function refusedWithinASecond(app: TypedApp | undefined, request: InjectOptions): Promise<boolean> {
    const deadline = Date.now() + 1000;
    while (Date.now() < deadline) {
      if ((await status(app, request)) === 401) return true;
      await sleep(20);
    }
    return (await status(app, request)) === 401;
  }

  /** Both processes answer `request` (and so remember its caller). */
  async function acceptedByBoth(request: InjectOptions): Promise<void> {
    for (let round = 0; round < 2; round++) expect([await status(apps[0], request), await status(apps[1], request)]).toEqual([200, 200]);
  }

  const ping = (apiuser: string, apikey: string): InjectOptions => ({ method: 'GET', url: '/api/v1/ping', headers: { apiuser, apikey } });

  it('refuses an API key revoked, or switched off, at once where it was done and within a second in the other process', async () => {
    await acceptedByBoth(ping(site.apiuser, site.apikey));
    await revokeApiKey(second.db, site.apiuser, systemClock);
    expect(await status(apps[1], ping(site.apiuser, site.apikey))).toBe(401);
    expect(await refusedWithinASecond(apps[0], ping(site.apiuser, site.apikey))).toBe(true);
    expect((await apps[0]?.inject(ping(site.apiuser, site.apikey)))?.json()).toEqual({ data: { error: 'Invalid API credentials.' } });

    const other = await issueApiKey(first.db, site.site.id, systemClock);
    await acceptedByBoth(ping(other.apiuser, other.apikey));
    await changeApiKeySettings(second.db, other.apiuser, { enabled: false });
    expect(await status(apps[1], ping(other.apiuser, other.apikey))).toBe(401);
    expect(await refusedWithinASecond(apps[0], ping(other.apiuser, other.apikey))).toBe(true);
  });

  it('reads callers from the store while the change feed is down: a key revoked elsewhere is refused on its next request', async () => {
    await acceptedByBoth(ping(site.apiuser, site.apikey));
    await stopWatching[0]?.();
    stopWatching[0] = async () => undefined;
    await revokeApiKey(second.db, site.apiuser, systemClock);
    expect(await status(apps[0], ping(site.apiuser, site.apikey))).toBe(401);
  });

  it('refuses an API key revoked by the CLI while both processes serve, within a second', async () => {
    await acceptedByBoth(ping(site.apiuser, site.apikey));
    await cliOnStore({ dataDir: first.dataDir, databaseUrl: storeUrl(first) }, ['key', 'revoke', '--apiuser', site.apiuser]);
    for (const app of apps) expect(await refusedWithinASecond(app, ping(site.apiuser, site.apikey))).toBe(true);
  });

  it('applies a changed batch size at once where it was changed and within a second elsewhere', async () => {
    const tooMany = (count: number): InjectOptions => ({
      method: 'POST',
      url: '/api/v1/locationtype',
      headers: { apiuser: site.apiuser, apikey: site.apikey, 'content-type': 'application/json' },
      payload: JSON.stringify({ locationtypes: Array.from({ length: count }, (_, i) => ({ name: `Type ${count}-${i}` })) }),
    });
    await acceptedByBoth(ping(site.apiuser, site.apikey));
    await changeApiKeySettings(second.db, site.apiuser, { maxBatchSize: 1 });
    expect(await status(apps[1], tooMany(2))).not.toBe(200);
    const deadline = Date.now() + 1000;
    let refused = false;
    for (let round = 3; !refused && Date.now() < deadline; round++) refused = (await status(apps[0], tooMany(round))) !== 200;
    expect(refused).toBe(true);
  });

  describe('a device key', () => {
    let device: { id: number };
    let decide: InjectOptions;
    let panel: InjectOptions;

    beforeEach(async () => {
      const doorId = await seedDoor(first.db, site.site.id, 'Gate');
      const created = await createDevice(first.db, site.site, { name: 'Gate Reader', doorIds: [doorId] }, systemClock);
      device = created.device;
      decide = {
        method: 'POST',
        url: '/api/v1/device/access',
        headers: { authorization: `Bearer ${created.deviceKey}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ door_id: doorId, card_num: '1' }),
      };
      panel = {
        method: 'POST',
        url: `/api/v1/panel/${created.deviceKey}/access`,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ identifier_number: '1', identifier_type: 'card' }),
      };
      await acceptedByBoth(decide);
      await acceptedByBoth(panel);
    });

    it('revoked is refused at once where it was revoked and within a second elsewhere, on the device API and the panel URL', async () => {
      await revokeDevice(second.db, device.id, systemClock);
      expect(await status(apps[1], decide)).toBe(401);
      expect(await status(apps[1], panel)).toBe(401);
      expect(await refusedWithinASecond(apps[0], decide)).toBe(true);
      expect(await refusedWithinASecond(apps[0], panel)).toBe(true);
      expect((await apps[0]?.inject(decide))?.json()).toEqual({ data: { error: 'Invalid device credentials.' } });
    });

    it('revoked by the CLI is refused within a second by both processes', async () => {
      await cliOnStore({ dataDir: first.dataDir, databaseUrl: storeUrl(first) }, ['device', 'revoke', '--device', String(device.id)]);
      for (const app of apps) {
        expect(await refusedWithinASecond(app, decide)).toBe(true);
        expect(await refusedWithinASecond(app, panel)).toBe(true);
      }
    });
  });

  describe('an operator token', () => {
    const username = 'gatekeeper';
    const password = 'password of the gatekeeper';
    let asOperator: (token: string) => InjectOptions;
    let token: string;

    beforeEach(async () => {
      await createOperator(first.db, site.site.id, { username, password, role: 'admin' }, systemClock);
      const login = await apps[0]?.inject({ method: 'GET', url: `/api/v1/login?username=${username}&password=${md5(password)}` });
      token = login?.json().token;
      asOperator = (bearer) => ({
        method: 'GET',
        url: '/api/v1/access/general/remote/control/settings',
        headers: { authorization: `Bearer ${bearer}` },
      });
      await acceptedByBoth(asOperator(token));
    });

    it('logged out through the API is refused at once by that process and within a second by the other', async () => {
      const logout = await apps[1]?.inject({ method: 'POST', url: '/api/v1/logout', headers: { authorization: `Bearer ${token}` } });
      expect(logout?.statusCode).toBe(200);
      expect(await status(apps[1], asOperator(token))).toBe(401);
      expect(await refusedWithinASecond(apps[0], asOperator(token))).toBe(true);
    });

    it('of an account disabled by the CLI is refused within a second by both processes', async () => {
      await cliOnStore({ dataDir: first.dataDir, databaseUrl: storeUrl(first) }, [
        'operator',
        'disable',
        '--site',
        String(site.site.id),
        '--username',
        username,
      ]);
      for (const app of apps) expect(await refusedWithinASecond(app, asOperator(token))).toBe(true);
    });
  });
});
