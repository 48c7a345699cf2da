import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { itRequiresApiKey } from '../../../test/common-route-tests.ts';
import { idsOf, reportDoorState } from '../../../test/factories/places.ts';
import { DIALECTS, type Harness, createHarness } from '../../../test/harness.ts';

describe.each(DIALECTS)('/doorstate on %s', (dialect) => {
  let h: Harness;
  let doors: number[];
  beforeEach(async () => {
    h = await createHarness(dialect);
    await h.request('POST', '/api/v1/door', { body: { doors: [{ name: 'Room 1' }, { name: 'Room 2' }, { name: 'Room 3' }] } });
    doors = idsOf(await h.request('GET', '/api/v1/door'));
  });
  afterEach(async () => {
    await h.close();
  });

  itRequiresApiKey(() => h, 'GET', '/api/v1/doorstate');

  it('lists every door with a null battery level until its device reports, at /doorstate and /doorstates', async () => {
    for (const url of ['/api/v1/doorstate', '/api/v1/doorstates']) {
      const response = await h.request('GET', url);
      expect(response.status, url).toBe(200);
      expect(response.body, url).toEqual({
        data: [
          { id: doors[0], name: 'Room 1', battery_level: null, mode: null },
          { id: doors[1], name: 'Room 2', battery_level: null, mode: null },
          { id: doors[2], name: 'Room 3', battery_level: null, mode: null },
        ],
      });
    }
  });

  it('shows the battery level a device reported, as a decimal', async () => {
    const [room1, room2, room3] = doors as [number, number, number];
    await reportDoorState(h.store.db, h.site.id, room1, 0.64);
    await reportDoorState(h.store.db, h.site.id, room3, null);
    const response = await h.request('GET', '/api/v1/doorstate');
    expect(response.body).toEqual({
      data: [
        { id: room1, name: 'Room 1', battery_level: 0.64, mode: null },
        { id: room2, name: 'Room 2', battery_level: null, mode: null },
        { id: room3, name: 'Room 3', battery_level: null, mode: null },
      ],
    });
  });

  it('answers an empty list for a site without doors', async () => {
    const other = await h.addSite('Other');
    expect((await h.request('GET', '/api/v1/doorstate', { as: other.credentials })).body).toEqual({ data: [] });
  });

  it('pages with limit and after_id, and refuses a blank paging parameter', async () => {
    const first = await h.request('GET', '/api/v1/doorstate?limit=2');
    expect(idsOf(first)).toEqual(doors.slice(0, 2));
    const next = await h.request('GET', `/api/v1/doorstate?limit=2&after_id=${doors[1]}`);
    expect(idsOf(next)).toEqual(doors.slice(2));
    expect((await h.request('GET', '/api/v1/doorstate?limit=')).status).toBe(400);
  });

  it('never shows another site’s doors or states', async () => {
    const other = await h.addSite('Other');
    await h.request('POST', '/api/v1/door', { body: { doors: [{ name: 'Theirs' }] }, as: other.credentials });
    const [theirs] = idsOf(await h.request('GET', '/api/v1/door', { as: other.credentials })) as [number];
    await reportDoorState(h.store.db, other.site.id, theirs, 0.99);
    expect(idsOf(await h.request('GET', '/api/v1/doorstate'))).toEqual(doors);
    expect((await h.request('GET', '/api/v1/doorstate', { as: other.credentials })).body).toEqual({
      data: [{ id: theirs, name: 'Theirs', battery_level: 0.99, mode: null }],
    });
  });

  it('describes its object through /object', async () => {
    const response = await h.request('GET', '/api/v1/object?type=doorstate');
    expect(response.body.data).toEqual([
      { property: 'id', datatype: 'integer', description: expect.any(String) },
      { property: 'name', datatype: 'string', description: expect.any(String) },
      { property: 'battery_level', datatype: 'decimal', description: expect.any(String) },
      { property: 'mode', datatype: expect.any(String), description: expect.any(String) },
    ]);
  });
});
