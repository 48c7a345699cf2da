import { DEFAULT_MIGRATION_TABLE, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeFeedOf } from '../../src/db/change-feed.ts';
import { changeApiKeySettings } from '../../src/modules/api-keys/api-keys.service.ts';
import { addMaintenanceWindow } from '../../src/modules/maintenance/maintenance.service.ts';
import { changeSite } from '../../src/modules/sites/sites.service.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { VERSION } from '../../src/lib/release.ts';
import { itRequiresApiKey } from '../common-route-tests.ts';
import { DIALECTS, type Harness, createHarness } from '../harness.ts';

// 2026-03-29 00:30 UTC: the night Europe/London moves to summer time at 01:00 UTC.
const NOW = Date.UTC(2026, 2, 29, 0, 30, 0);

describe.each(DIALECTS)('system endpoints on %s', (dialect) => {
  let h: Harness;
  const clock = fixedClock(NOW);
  beforeEach(async () => {
    clock.set(NOW);
    h = await createHarness(dialect, { clock, timezone: 'Europe/London' });
  });
  afterEach(async () => {
    await h.close();
  });

  for (const endpoint of ['ping', 'about', 'site', 'settings', 'maintenance', 'object?listtypes']) {
    itRequiresApiKey(() => h, 'GET', `/api/v1/${endpoint}`);
  }

  it('/health and /ready answer without credentials and say nothing of the data', async () => {
    expect(await h.request('GET', '/api/v1/health', { as: null })).toMatchObject({ status: 200, body: { data: { status: 'ok' } } });
    expect(await h.request('GET', '/api/v1/ready', { as: null })).toMatchObject({ status: 200, body: { data: { status: 'ready' } } });
  });

  it('/ready is 503 with the reason while the change feed is disconnected, and ready again when it is back', async () => {
    const feed = changeFeedOf(h.store.db);
    feed.setConnected(false);
    const notReady = await h.request('GET', '/api/v1/ready', { as: null });
    feed.setConnected(true);
    expect(notReady.status).toBe(503);
    expect(notReady.headers['retry-after']).toBe('1');
    expect(notReady.body).toEqual({ data: { error: 'Not ready: change feed disconnected.' } });
    expect((await h.request('GET', '/api/v1/ready', { as: null })).status).toBe(200);
  });

  it('/ready is 503 while a migration is pending', async () => {
    await sql`delete from ${sql.table(DEFAULT_MIGRATION_TABLE)} where name = ${'2026_12_04_0101_ordered_logs_and_site_changes'}`.execute(h.store.db);
    expect((await h.request('GET', '/api/v1/ready', { as: null })).body).toEqual({
      data: { error: 'Not ready: migrations pending: 2026_12_04_0101_ordered_logs_and_site_changes.' },
    });
  });

  it('/ping answers pong with the caller’s site', async () => {
    const response = await h.request('GET', '/api/v1/ping');
    expect(response.body).toEqual({
      data: { message: 'pong', site_id: h.site.id, server_time: '2026-03-29T00:30:00.000Z' },
    });
  });

  it('/about shows the running version and its release notes from RELEASES.md', async () => {
    const response = await h.request('GET', '/api/v1/about');
    expect(response.body.data).toMatchObject({
      version: VERSION,
      release_date: expect.stringMatching(/^[A-Z][a-z]{2} \d{1,2}, \d{4}$/),
      release_notes: expect.stringContaining('Lockt SecureAccess Cloud API v1'),
    });
  });

  it('/site shows the site’s zone and the server time in it, across a DST change', async () => {
    const winter = await h.request('GET', '/api/v1/site');
    expect(winter.body.data).toEqual({
      id: h.site.id,
      name: 'Test Site',
      timezone: 'Europe/London',
      server_time: '2026-03-29 00:30:00',
      utc_offset: '+00:00',
      server_time_utc: '2026-03-29T00:30:00.000Z',
    });
    clock.set(NOW + 60 * 60 * 1000);
    const summer = await h.request('GET', '/api/v1/site');
    expect(summer.body.data).toMatchObject({ server_time: '2026-03-29 02:30:00', utc_offset: '+01:00' });
  });

  it('/settings shows this key’s settings, the option defaults and the site rules', async () => {
    await changeApiKeySettings(h.store.db, h.credentials.apiuser, { maxBatchSize: 250 });
    await changeSite(h.store.db, h.site.id, { uniquePins: true, pinMinLength: 5 });
    const response = await h.request('GET', '/api/v1/settings');
    expect(response.body).toEqual({
      data: {
        apiuser: h.credentials.apiuser,
        max_batch_size: 250,
        enabled: true,
        body_limit_bytes: 1024 * 1024,
        option_defaults: { validate_fails_batch: true, update_existing: false, replace_privileges: true },
        card_num_max_length: 10,
        pin_min_length: 5,
        pin_max_length: 8,
        unique_pins: true,
        events_limit: 5000,
      },
    });
  });

  it('/maintenance lists windows running or to come, in the site’s zone', async () => {
    const site = h.site;
    await addMaintenanceWindow(
      h.store.db,
      site,
      { title: 'Past', notice: '', notificationOnly: true, start: '2026-03-01 01:00:00', end: '2026-03-01 02:00:00' },
      clock,
    );
    await addMaintenanceWindow(
      h.store.db,
      site,
      { title: 'Upgrade', notice: 'API read-only', notificationOnly: false, start: '2026-04-01 22:00:00', end: '2026-04-01T23:30:00Z' },
      clock,
    );
    const response = await h.request('GET', '/api/v1/maintenance');
    expect(response.body).toEqual({
      data: [
        {
          id: expect.any(Number),
          title: 'Upgrade',
          notice: 'API read-only',
          notification_only: false,
          start_date: '2026-04-01 22:00:00',
          end_date: '2026-04-02 00:30:00',
        },
      ],
    });
    const other = await h.addSite('Other');
    expect((await h.request('GET', '/api/v1/maintenance', { as: other.credentials })).body).toEqual({ data: [] });
  });

  it('/object?listtypes lists the types the schemas describe; ?type= describes one from its schema', async () => {
    const list = await h.request('GET', '/api/v1/object?listtypes');
    expect(list.body.data).toEqual(expect.arrayContaining([{ object: 'maintenance' }, { object: 'locationtype' }]));
    const described = await h.request('GET', '/api/v1/object?type=maintenance');
    expect(described.body.data).toEqual(
      expect.arrayContaining([
        { property: 'title', datatype: 'string', description: 'Short title of the maintenance.' },
        { property: 'notification_only', datatype: 'boolean', description: expect.any(String) },
        { property: 'start_date', datatype: 'date-time', description: expect.any(String) },
        { property: 'id', datatype: 'integer', description: expect.any(String) },
      ]),
    );
  });

  it('/object refuses an unknown type, a blank type and a call with neither parameter', async () => {
    expect((await h.request('GET', '/api/v1/object?type=spaceship')).body).toEqual({
      data: { error: 'Unknown object type: spaceship. See /object?listtypes.' },
    });
    expect((await h.request('GET', '/api/v1/object?type=')).status).toBe(400);
    expect((await h.request('GET', '/api/v1/object')).body).toEqual({ data: { error: 'Supply ?listtypes or ?type=NAME.' } });
  });

  it('serves OpenAPI 3.1 generated from the route schemas, and a docs page', async () => {
    const spec = await h.request('GET', '/api/v1/openapi.json', { as: null });
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toBe('3.1.0');
    expect(spec.body.paths['/api/v1/ping'].get.security).toEqual([{ apiuser: [], apikey: [] }]);
    expect(Object.keys(spec.body.paths['/api/v1/locationtype'])).toEqual(expect.arrayContaining(['get', 'post', 'delete']));
    const docs = await h.request('GET', '/docs/', { as: null });
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('<html');
  });
});
