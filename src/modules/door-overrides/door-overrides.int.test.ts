import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedDoor } from '../../../test/factories/access.ts';
import { itRequiresApiKey } from '../../../test/common-route-tests.ts';
import { DIALECTS, type DeviceCaller, type Harness, createHarness } from '../../../test/harness.ts';
import { fixedClock } from '../../lib/clock.ts';

/** Monday 2026-12-07 10:00 UTC: inside a weekday 09:00-17:00 schedule. */
const MONDAY_10AM = Date.UTC(2026, 11, 7, 10);

describe.each(DIALECTS)('/dooroverride on %s', (dialect) => {
  let h: Harness;
  let front: number;
  let device: DeviceCaller;
  beforeEach(async () => {
    h = await createHarness(dialect, { clock: fixedClock(MONDAY_10AM) });
    front = await seedDoor(h.store.db, h.site.id, 'Front');
    device = await h.device({ doorIds: [front] });
  });
  afterEach(async () => {
    await h.close();
  });

  const override = (dooroverrides: object[]) => h.request('POST', '/api/v1/dooroverride', { body: { dooroverrides } });
  const commands = async () =>
    ((await device.request('GET', '/api/v1/device/commands?wait=0')).body.data as { command: string; mode?: string }[]).filter(
      (c) => c.command === 'mode',
    );

  itRequiresApiKey(() => h, 'GET', '/api/v1/dooroverride');
  itRequiresApiKey(() => h, 'POST', '/api/v1/dooroverride', { dooroverrides: [{ door_id: 1, mode: 'locked' }] });
  itRequiresApiKey(() => h, 'DELETE', '/api/v1/dooroverride', { dooroverrides: [{ door_id: 1 }] });

  it('overrides a door until a time, tells its device, records it, and returns it to schedule', async () => {
    const set = await override([{ door_id: front, mode: 'unlocked', until: '2026-12-07 12:00:00' }]);
    expect(set.body).toEqual({ data: { submitted: 1, processed: 1, errors: 0 } });
    expect((await h.request('GET', '/api/v1/dooroverrides')).body.data).toEqual([
      {
        id: front,
        door_name: 'Front',
        mode: 'unlocked',
        since: '2026-12-07 10:00:00',
        until: '2026-12-07 12:00:00',
        actor: `API key ${h.credentials.apiuser}`,
      },
    ]);
    expect((await commands()).map((c) => c.mode)).toEqual(['unlocked']);
    const [event] = (await h.request('GET', '/api/v1/events')).body.data;
    expect(event).toMatchObject({ code: 90, code_text: 'Door Mode Overridden', door: 'Front' });
    expect(event.detail).toBe(`Door mode overridden to unlocked until 2026-12-07 12:00:00 by API key ${h.credentials.apiuser}.`);

    const back = await h.request('DELETE', '/api/v1/dooroverride', { body: { dooroverrides: [{ door_id: front }] } });
    expect(back.body).toEqual({ data: { submitted: 1, processed: 1, errors: 0 } });
    expect((await h.request('GET', '/api/v1/dooroverride')).body.data).toEqual([]);
    // The unlocked command was superseded: the device is handed only the latest mode.
    expect((await commands()).map((c) => c.mode)).toEqual(['access_controlled']);
    const trail = (await h.request('GET', '/api/v1/audit')).body.data;
    expect(trail.map((a: { resource: string; action: string }) => `${a.resource} ${a.action}`)).toEqual([
      'dooroverrides process',
      'dooroverrides process',
    ]);
    const again = await h.request('DELETE', '/api/v1/dooroverride', { body: { dooroverrides: [{ door_id: front }] } });
    expect(again.body).toEqual({ data: { submitted: 1, processed: 0, errors: 0 } });
  });

  it('overrides until the next schedule change of the door’s unlock schedule', async () => {
    const hours = await h.request('POST', '/api/v1/schedule', {
      body: { schedules: [{ name: 'Weekdays', d0: 1, d1: 1, d2: 1, d3: 1, d4: 1, start: '09:00:00', stop: '16:59:59' }] },
    });
    expect(hours.status).toBe(200);
    const [schedule] = (await h.request('GET', '/api/v1/schedule')).body.data;
    await h.request('POST', '/api/v1/doorschedule', { body: { doorschedules: [{ door_id: front, schedule_id: schedule.id, mode: 'unlocked' }] } });
    await override([{ door_id: front, mode: 'locked', until_next_change: true }]);
    const [row] = (await h.request('GET', '/api/v1/dooroverride')).body.data;
    expect(row.until).toBe('2026-12-07 17:00:00');
  });

  it('overrides every door of a location', async () => {
    await h.request('POST', '/api/v1/locationtype', { body: { locationtypes: [{ name: 'Building' }] } });
    const [type] = (await h.request('GET', '/api/v1/locationtype')).body.data;
    await h.request('POST', '/api/v1/location', { body: { locations: [{ name: 'HQ', locationtype: type.id }] } });
    const [hq] = (await h.request('GET', '/api/v1/location')).body.data;
    await h.request('PUT', '/api/v1/door', { body: { doors: [{ id: front, location: hq.id }] } });
    const side = await seedDoor(h.store.db, h.site.id, 'Side');
    await h.request('PUT', '/api/v1/door', { body: { doors: [{ id: side, location: hq.id }] } });
    const set = await override([{ location_id: hq.id, mode: 'card_and_pin' }]);
    expect(set.body.data.processed).toBe(2);
    const rows = (await h.request('GET', '/api/v1/dooroverride')).body.data;
    expect(rows.map((r: { door_name: string; until: null }) => [r.door_name, r.until])).toEqual([
      ['Front', null],
      ['Side', null],
    ]);
  });

  it('refuses unknown doors, both or neither target, a past or malformed until, and until with until_next_change', async () => {
    const doors = [front, ...(await Promise.all(['A', 'B', 'C', 'D'].map((name) => seedDoor(h.store.db, h.site.id, name))))];
    const response = await override([
      { door_id: 999999, mode: 'locked' },
      { mode: 'locked' },
      { door_id: doors[0], location_id: 1, mode: 'locked' },
      { door_id: doors[1], mode: 'locked', until: '2026-12-07 09:00:00' },
      { door_id: doors[2], mode: 'locked', until: 'tomorrow' },
      { door_id: doors[3], mode: 'locked', until: '2026-12-08 09:00:00', until_next_change: true },
      { door_id: doors[4], mode: 'shut' },
      { door_id: doors[4], mode: 'locked' },
    ]);
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { error: string[] }) => e.error)).toEqual([
      ['Invalid door_id: 999999'],
      ['Exactly one of door_id and location_id is required'],
      ['Exactly one of door_id and location_id is required'],
      ['until is not in the future: 2026-12-07 09:00:00'],
      ['Invalid until date found: tomorrow'],
      ['Only one of until and until_next_change may be given'],
      ['Invalid mode found (expected one of access_controlled, unlocked, locked, card_and_pin): shut'],
      [`Door id Duplicated In Batch: ${doors[4]}`],
    ]);
    expect((await h.request('GET', '/api/v1/dooroverride')).body.data).toEqual([]);
  });
});
