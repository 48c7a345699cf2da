import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/lib/clock.ts';
import { createDevice } from '../../src/modules/devices/devices.service.ts';
import { seedDoor } from '../factories/access.ts';
import { type Harness, createHarness } from '../harness.ts';

/**
 * The embedded store failing closed: another process holds SQLite's write lock for longer than
 * `busy_timeout` (5 s), as a stuck or very slow writer would. Writes are refused 503 in the face's
 * envelope with nothing changed, a decision is a 503 denial that names the reason, and both work again
 * as soon as the lock is let go.
 */
describe('the SQLite store held by another writer', () => {
  let h: Harness;
  let holder: SQLite.Database;
  beforeEach(async () => {
    h = await createHarness('sqlite');
    // The store's own file (its location), opened by a second connection as another process would.
    holder = new SQLite(h.store.location);
  });
  afterEach(async () => {
    holder.close();
    await h.close();
  });

  it('refuses writes and denies decisions with 503 while the write lock is held, and serves again after', async () => {
    const doorId = await seedDoor(h.store.db, h.site.id, 'Held Door');
    const { deviceKey } = await createDevice(h.store.db, h.site, { name: 'Held Reader', doorIds: [doorId] }, systemClock);
    const device = { authorization: `Bearer ${deviceKey}` };

    holder.prepare('begin immediate').run();
    let write: Awaited<ReturnType<Harness['request']>>;
    let decision: Awaited<ReturnType<Harness['request']>>;
    try {
      write = await h.request('POST', '/api/v1/door', { body: { doors: [{ name: 'Never Written' }] } });
      decision = await h.request('POST', '/api/v1/device/access', { as: null, headers: device, body: { door_id: doorId, card_num: '1234' } });
    } finally {
      holder.prepare('rollback').run();
    }
    expect(write.status).toBe(503);
    expect(write.headers['retry-after']).toBe('1');
    expect(write.body).toEqual({ data: { error: 'The store is unavailable; nothing was changed. Retry shortly.' } });
    expect(decision.status).toBe(503);
    expect(decision.body).toEqual({
      data: { granted: false, code: 49, code_text: 'Access Denied', subcode: 130, subcode_text: 'Store Unavailable', event_id: null },
    });

    expect((await h.request('POST', '/api/v1/door', { body: { doors: [{ name: 'Written Later' }] } })).status).toBe(200);
    const doors = (await h.request('GET', '/api/v1/door')).body as { data: { name: string }[] };
    expect(doors.data.map((d) => d.name).sort()).toEqual(['Held Door', 'Written Later']);
    const later = await h.request('POST', '/api/v1/device/access', { as: null, headers: device, body: { door_id: doorId, card_num: '1234' } });
    expect(later.status).toBe(200);
    expect((later.body as { data: { subcode: number } }).data.subcode).toBe(101);
  }, 60_000);
});
