import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { itRequiresApiKey } from '../../../test/common-route-tests.ts';
import { idsOf, namesOf, sendInBothModes } from '../../../test/factories/places.ts';
import { DIALECTS, type Credentials, type Harness, createHarness } from '../../../test/harness.ts';

describe.each(DIALECTS)('/location on %s', (dialect) => {
  let h: Harness;
  let building: number;
  let floor: number;
  beforeEach(async () => {
    h = await createHarness(dialect);
    await h.request('POST', '/api/v1/locationtype', { body: { locationtypes: [{ name: 'Building' }, { name: 'Floor' }] } });
    [building, floor] = idsOf(await h.request('GET', '/api/v1/locationtype')) as [number, number];
  });
  afterEach(async () => {
    await h.close();
  });

  const create = (locations: object[], as?: Credentials) => h.request('POST', '/api/v1/location', { body: { locations }, ...(as ? { as } : {}) });
  const list = async (as?: Credentials) => (await h.request('GET', '/api/v1/location', as ? { as } : {})).body.data;
  const listNames = async () => (await list()).map((l: { name: string }) => l.name);
  const createOne = async (name: string, locationtype = building): Promise<number> => {
    expect((await create([{ name, locationtype }])).status).toBe(200);
    const found = (await list()).find((l: { name: string }) => l.name === name);
    return found.id;
  };

  describe('GET', () => {
    itRequiresApiKey(() => h, 'GET', '/api/v1/location');

    it('lists locations with their type’s name, in id order, at /location and /locations', async () => {
      await create([
        { name: 'Headquarters', locationtype: building },
        { name: 'Second Floor', locationtype: String(floor) },
      ]);
      for (const url of ['/api/v1/location', '/api/v1/locations', '/v1/locations/']) {
        const response = await h.request('GET', url);
        expect(response.status, url).toBe(200);
        expect(response.body, url).toEqual({
          data: [
            { id: expect.any(Number), name: 'Headquarters', type: 'Building', enabled: true },
            { id: expect.any(Number), name: 'Second Floor', type: 'Floor', enabled: true },
          ],
        });
      }
    });

    it('answers an empty list when there are none', async () => {
      expect((await h.request('GET', '/api/v1/location')).body).toEqual({ data: [] });
    });

    it('pages with limit and after_id, and refuses blank paging parameters', async () => {
      await create(['A', 'B', 'C'].map((name) => ({ name, locationtype: building })));
      const first = await h.request('GET', '/api/v1/location?limit=2');
      expect(namesOf(first)).toEqual(['A', 'B']);
      const next = await h.request('GET', `/api/v1/location?limit=2&after_id=${idsOf(first)[1]}`);
      expect(namesOf(next)).toEqual(['C']);
      expect((await h.request('GET', '/api/v1/location?after_id=99999999999')).body).toEqual({ data: [] });
      for (const query of ['limit=', 'after_id=x']) {
        const response = await h.request('GET', `/api/v1/location?${query}`);
        expect(response.status, query).toBe(400);
        expect(response.body).toEqual({ data: { error: expect.stringMatching(/limit|after_id/) } });
      }
    });

    it('never shows another site’s locations', async () => {
      const other = await h.addSite('Other');
      await h.request('POST', '/api/v1/locationtype', { body: { locationtypes: [{ name: 'Vault' }] }, as: other.credentials });
      const [vault] = idsOf(await h.request('GET', '/api/v1/locationtype', { as: other.credentials }));
      expect((await create([{ name: 'Secret', locationtype: vault }], other.credentials)).status).toBe(200);
      expect(await list()).toEqual([]);
      expect(namesOf(await h.request('GET', '/api/v1/location', { as: other.credentials }))).toEqual(['Secret']);
    });
  });

  describe('POST', () => {
    itRequiresApiKey(() => h, 'POST', '/api/v1/location', { locations: [{ name: 'X', locationtype: 1 }] });

    it('creates locations and summarises, as the spec’s example', async () => {
      const response = await h.request('POST', '/api/v1/locations', {
        body: {
          locations: [
            { name: 'Main Campus', locationtype: building },
            { name: 'Back Warehouse', locationtype: String(floor) },
          ],
          options: { validate_fails_batch: 'true' },
        },
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: { submitted: 2, inserted: 2, updated: 0, errors: 0 } });
      expect(await list()).toEqual([
        { id: expect.any(Number), name: 'Main Campus', type: 'Building', enabled: true },
        { id: expect.any(Number), name: 'Back Warehouse', type: 'Floor', enabled: true },
      ]);
    });

    it('reports every validation row, failing the whole batch or writing the valid records', async () => {
      await createOne('Main Hall');
      const other = await h.addSite('Other');
      await h.request('POST', '/api/v1/locationtype', { body: { locationtypes: [{ name: 'Theirs' }] }, as: other.credentials });
      const [theirs] = idsOf(await h.request('GET', '/api/v1/locationtype', { as: other.credentials }));
      const records = [
        { name: 'Annex', locationtype: building },
        { locationtype: building },
        { name: '  ', locationtype: building },
        { name: 'main hall', locationtype: building },
        { name: 'Wing', locationtype: floor },
        { name: 'WING ', locationtype: floor },
        { name: 'No Type' },
        { name: 'Blank Type', locationtype: '' },
        { name: 'Bad Type', locationtype: 'abc' },
        { name: 'Unknown Type', locationtype: 999999 },
        { name: 'Their Type', locationtype: theirs },
        { name: 'Huge Type', locationtype: 99999999999 },
        { name: 'main hall', locationtype: 777 },
      ];
      const { failed, partial } = await sendInBothModes(h, 'POST', '/api/v1/location', 'locations', records, list);
      const errors = [
        { error: ['Missing or blank name'], input_data: records[1] },
        { error: ['Missing or blank name'], input_data: records[2] },
        { error: ['Location Name Already Exists: main hall'], input_data: records[3] },
        { error: ['Location Name Duplicated In Batch: WING '], input_data: records[5] },
        { error: ['Missing or blank locationtype'], input_data: records[6] },
        { error: ['Missing or blank locationtype'], input_data: records[7] },
        { error: ['Non-Numeric locationtype found: abc'], input_data: records[8] },
        { error: ['Invalid locationtype id: 999999'], input_data: records[9] },
        { error: [`Invalid locationtype id: ${theirs}`], input_data: records[10] },
        { error: ['Invalid locationtype id: 99999999999'], input_data: records[11] },
        { error: ['Location Name Already Exists: main hall', 'Invalid locationtype id: 777'], input_data: records[12] },
      ];
      expect(failed.body.errors).toEqual(errors);
      expect(partial.body).toEqual({ data: { submitted: 13, inserted: 2, updated: 0, errors: 11 }, errors });
      expect(await listNames()).toEqual(['Main Hall', 'Annex', 'Wing']);
    });

    it('lets another site use the same name', async () => {
      const other = await h.addSite('Other');
      await h.request('POST', '/api/v1/locationtype', { body: { locationtypes: [{ name: 'T' }] }, as: other.credentials });
      const [theirs] = idsOf(await h.request('GET', '/api/v1/locationtype', { as: other.credentials }));
      await createOne('Lobby');
      expect((await create([{ name: 'Lobby', locationtype: theirs }], other.credentials)).status).toBe(200);
    });

    it('refuses a body without the locations array', async () => {
      const response = await h.request('POST', '/api/v1/location', { body: { location: [{ name: 'X' }] } });
      expect(response.status).toBe(400);
      expect(response.body.result).toEqual(['No data found or invalid JSON objects supplied. Could not parse input.']);
    });
  });

  describe('PUT (extension)', () => {
    itRequiresApiKey(() => h, 'PUT', '/api/v1/location', { locations: [{ id: 1, name: 'X' }] });

    it('changes only the properties supplied', async () => {
      const hall = await createOne('Hall');
      const annex = await createOne('Annex');
      const response = await h.request('PUT', '/api/v1/locations', {
        body: {
          locations: [
            { id: hall, name: 'Great Hall' },
            { id: String(annex), locationtype: floor, enabled: 'false' },
          ],
        },
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: { submitted: 2, inserted: 0, updated: 2, errors: 0 } });
      expect(await list()).toEqual([
        { id: hall, name: 'Great Hall', type: 'Building', enabled: true },
        { id: annex, name: 'Annex', type: 'Floor', enabled: false },
      ]);
    });

    it('lets a location keep or re-case its own name', async () => {
      const hall = await createOne('Hall');
      const response = await h.request('PUT', '/api/v1/location', { body: { locations: [{ id: hall, name: 'HALL' }] } });
      expect(response.status).toBe(200);
      expect(await listNames()).toEqual(['HALL']);
    });

    it('reports every validation row in both batch modes', async () => {
      const hall = await createOne('Hall');
      const annex = await createOne('Annex');
      const lobby = await createOne('Lobby');
      const records = [
        { id: lobby, enabled: false },
        { name: 'No Id' },
        { id: 'abc', name: 'Bad Id' },
        { id: 999999 },
        { id: hall, name: 'annex' },
        { id: annex, name: '' },
        { id: annex, locationtype: 'x' },
        { id: hall, locationtype: 999999 },
        { id: lobby, name: 'Again' },
      ];
      const { failed, partial } = await sendInBothModes(h, 'PUT', '/api/v1/location', 'locations', records, list);
      const errors = [
        { error: ['Missing or blank id'], input_data: records[1] },
        { error: ['Non-Numeric id found: abc'], input_data: records[2] },
        { error: ['Invalid location id: 999999'], input_data: records[3] },
        { error: ['Location Name Already Exists: annex'], input_data: records[4] },
        { error: ['Missing or blank name'], input_data: records[5] },
        { error: ['Non-Numeric locationtype found: x', `Location id Duplicated In Batch: ${annex}`], input_data: records[6] },
        { error: [`Location id Duplicated In Batch: ${hall}`, 'Invalid locationtype id: 999999'], input_data: records[7] },
        { error: [`Location id Duplicated In Batch: ${lobby}`], input_data: records[8] },
      ];
      expect(failed.body.errors).toEqual(errors);
      expect(partial.body).toEqual({ data: { submitted: 9, inserted: 0, updated: 1, errors: 8 }, errors });
      expect((await list()).find((l: { id: number }) => l.id === lobby).enabled).toBe(false);
    });

    it('cannot change another site’s location', async () => {
      const hall = await createOne('Hall');
      const other = await h.addSite('Other');
      const response = await h.request('PUT', '/api/v1/location', {
        body: { locations: [{ id: hall, name: 'Mine Now' }] },
        as: other.credentials,
      });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ error: [`Invalid location id: ${hall}`], input_data: { id: hall, name: 'Mine Now' } }]);
      expect(await listNames()).toEqual(['Hall']);
    });
  });

  describe('DELETE (extension)', () => {
    itRequiresApiKey(() => h, 'DELETE', '/api/v1/location', { locations: [{ id: 1 }] });

    it('deletes unused locations by id, a repeated id once', async () => {
      const hall = await createOne('Hall');
      const annex = await createOne('Annex');
      const response = await h.request('DELETE', '/api/v1/locations', {
        body: { locations: [{ id: hall }, { id: String(hall) }, { id: annex }] },
      });
      expect(response.body).toEqual({ data: { submitted: 3, deleted: 2, errors: 0 } });
      expect(await list()).toEqual([]);
    });

    it('refuses a location a door still stands in, naming both, and an unknown id, in both batch modes', async () => {
      const hall = await createOne('Main Hall');
      const annex = await createOne('Annex');
      const spare = await createOne('Spare');
      await h.request('POST', '/api/v1/door', {
        body: {
          doors: [
            { name: 'Front Door', location: hall },
            { name: 'Side Door', location: annex },
            { name: 'Back Door', location: annex },
          ],
        },
      });
      const records = [{ id: spare }, { id: hall }, { id: annex }, { id: 999999 }, { id: '' }, { id: 'x' }, {}];
      const { failed, partial } = await sendInBothModes(h, 'DELETE', '/api/v1/location', 'locations', records, list);
      const errors = [
        { error: [`Location Main Hall (id ${hall}) is used by door Front Door`], input_data: records[1] },
        { error: [`Location Annex (id ${annex}) is used by door Back Door and 1 other door`], input_data: records[2] },
        { error: ['Invalid location id: 999999'], input_data: records[3] },
        { error: ['Missing or blank id'], input_data: records[4] },
        { error: ['Non-Numeric id found: x'], input_data: records[5] },
        { error: ['Missing or blank id'], input_data: records[6] },
      ];
      expect(failed.body.errors).toEqual(errors);
      expect(partial.body).toEqual({ data: { submitted: 7, deleted: 1, errors: 6 }, errors });
      expect(await listNames()).toEqual(['Main Hall', 'Annex']);
    });

    it('cannot delete another site’s location', async () => {
      const hall = await createOne('Hall');
      const other = await h.addSite('Other');
      const response = await h.request('DELETE', '/api/v1/location', { body: { locations: [{ id: hall }] }, as: other.credentials });
      expect(response.status).toBe(400);
      expect(response.body.errors[0].error).toEqual([`Invalid location id: ${hall}`]);
      expect(await list()).toHaveLength(1);
    });
  });

  it('describes its objects through /object', async () => {
    for (const type of ['location', 'location_create', 'location_update']) {
      const response = await h.request('GET', `/api/v1/object?type=${type}`);
      expect(response.status, type).toBe(200);
    }
    const create = await h.request('GET', '/api/v1/object?type=location_create');
    expect(create.body.data.map((p: { property: string }) => p.property)).toEqual(['name', 'locationtype']);
  });
});
