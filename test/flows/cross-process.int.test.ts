import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessIndex } from '../../src/access/access-index.ts';
import { buildApp } from '../../src/app.ts';
import { type Store, openStore } from '../../src/db/open.ts';
import { EVENT_CATEGORIES, EVENT_CODES } from '../../src/event-log/catalogue.ts';
import { appendEvents } from '../../src/event-log/event-log.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { revokeApiKey } from '../../src/modules/api-keys/api-keys.service.ts';
import type { TypedApp } from '../../src/modules/module.ts';
import { createSite } from '../../src/modules/sites/sites.service.ts';
import { DIALECTS, openTestStore } from '../harness.ts';

/**
 * Two Portcullis processes (here: two store handles, two apps) sharing one store. What one commits, the
 * other's index must see within a second: SQLite through PRAGMA data_version, PostgreSQL through
 * LISTEN/NOTIFY. Waits are bounded polls, not timings.
 */
describe.each(DIALECTS)('a change committed by another process on %s', (dialect) => {
  let first: Awaited<ReturnType<typeof openTestStore>>;
  let second: Store;
  let serving: TypedApp;
  let writing: TypedApp;
  let stopWatching: () => Promise<void>;
  let headers: { apiuser: string; apikey: string };

  beforeEach(async () => {
    first = await openTestStore(dialect);
    second = openStore({ dataDir: first.dataDir, databaseUrl: first.databaseUrl, pgSchema: first.pgSchema });
    stopWatching = await first.watchOtherProcesses();
    serving = await buildApp({ db: first.db });
    writing = await buildApp({ db: second.db });
    const created = await createSite(first.db, { name: 'Shared' }, systemClock);
    headers = { apiuser: created.apiuser, apikey: created.apikey };
  });
  afterEach(async () => {
    await serving.close();
    await writing.close();
    await stopWatching();
    await second.close();
    await first.close();
  });

  const call = async (app: TypedApp, method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown) => {
    const response = await app.inject({
      method,
      url,
      headers: { ...headers, 'content-type': 'application/json' },
      ...(body ? { payload: JSON.stringify(body) } : {}),
    });
    return { status: response.statusCode, body: response.json() };
  };

  /** Polls `probe` until it holds, for at most a second. */
  async function withinASecond(probe: () => Promise<boolean>): Promise<boolean> {
    const deadline = Date.now() + 1000;
    while (Date.now() < deadline) {
      if (await probe()) return true;
      await sleep(50);
    }
    return probe();
  }

  it('reaches the serving process’s access index', async () => {
    const door = await call(serving, 'POST', '/api/v1/door', { doors: [{ name: 'Gate' }] });
    expect(door.status, JSON.stringify(door.body)).toBe(200);
    const doorId = (await call(serving, 'GET', '/api/v1/door')).body.data[0].id;
    await call(serving, 'POST', '/api/v1/schedule', {
      schedules: [{ name: 'Always', d0: 1, d1: 1, d2: 1, d3: 1, d4: 1, d5: 1, d6: 1, start: '00:00:00', stop: '23:59:59' }],
    });
    const scheduleId = (await call(serving, 'GET', '/api/v1/schedule')).body.data[0].id;
    const level = await call(serving, 'POST', '/api/v1/accesslevel', {
      accesslevels: [{ name: 'Gate', doors: [{ id: doorId, schedule_id: scheduleId }] }],
    });
    expect(level.status, JSON.stringify(level.body)).toBe(200);
    const levelId = (await call(serving, 'GET', '/api/v1/accesslevel')).body.data[0].id;
    const explain = async () => (await call(serving, 'GET', `/api/v1/access?door_id=${doorId}&card_num=7001`)).body.data[0];
    expect((await explain()).subcode_text).toBe('Unknown Credential');

    const created = await call(writing, 'POST', '/api/v1/user', {
      users: [
        {
          id: -1,
          id_num: 'X1',
          first_name: 'Ann',
          last_name: 'Other',
          email: 'ann@example.com',
          phone: '5551234567',
          pin: '4321',
          card_num: '7001',
          accesslevels: [{ id: levelId }],
        },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(await withinASecond(async () => (await explain()).granted === true)).toBe(true);

    const userId = (await call(writing, 'GET', '/api/v1/user')).body.data[0].id;
    await call(writing, 'PUT', '/api/v1/user', { users: [{ id: userId, enabled: false }] });
    expect(await withinASecond(async () => (await explain()).subcode_text === 'User Disabled')).toBe(true);
  });

  it('refuses a key revoked by another process within a second (test/abuse/revocation.int.test.ts has the rest)', async () => {
    expect((await call(serving, 'GET', '/api/v1/ping')).status).toBe(200);
    await revokeApiKey(second.db, headers.apiuser, systemClock);
    expect(await withinASecond(async () => (await call(serving, 'GET', '/api/v1/ping')).status === 401)).toBe(true);
  });

  it('drops only the sites the other process changed, and nothing for its decisions', async () => {
    const other = await createSite(first.db, { name: 'Untouched' }, systemClock);
    const changed = (await first.db.selectFrom('site').select('id').where('name', '=', 'Shared').executeTakeFirstOrThrow()).id;
    const index = new AccessIndex(first.db);
    try {
      const readWhole = async () => {
        await index.catchUp();
        return [index.isReadWhole(changed), index.isReadWhole(other.site.id)];
      };
      await index.warm(changed);
      await index.warm(other.site.id);
      expect(await readWhole()).toEqual([true, true]);

      // A decision's event changes no site's access facts.
      await second.db
        .transaction()
        .execute((trx) =>
          appendEvents(trx, [{ siteId: changed, code: EVENT_CODES.ACCESS_DENIED, category: EVENT_CATEGORIES.ACCESS_DENIED, hwTime: 0, dbTime: 0 }]),
        );
      expect(await readWhole()).toEqual([true, true]);

      const door = await call(writing, 'POST', '/api/v1/door', { doors: [{ name: 'New Gate' }] });
      expect(door.status).toBe(200);
      expect(await readWhole()).toEqual([false, true]);
    } finally {
      index.close();
    }
  });
});
