import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { itRequiresApiKey } from '../../../test/common-route-tests.ts';
import { DIALECTS, type Harness, createHarness } from '../../../test/harness.ts';

describe.each(DIALECTS)('/locationtype on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.close();
  });

  const create = (names: string[], options?: object) =>
    h.request('POST', '/api/v1/locationtype', { body: { locationtypes: names.map((name) => ({ name })), options } });

  describe('GET', () => {
    itRequiresApiKey(() => h, 'GET', '/api/v1/locationtype');

    it('lists the site’s location types in id order', async () => {
      await create(['Building', 'Floor']);
      const response = await h.request('GET', '/api/v1/locationtypes');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        data: [
          { id: expect.any(Number), name: 'Building' },
          { id: expect.any(Number), name: 'Floor' },
        ],
      });
    });

    it('pages with limit and after_id', async () => {
      await create(['A', 'B', 'C']);
      const first = await h.request('GET', '/api/v1/locationtype?limit=2');
      expect(first.body.data.map((t: { name: string }) => t.name)).toEqual(['A', 'B']);
      const next = await h.request('GET', `/api/v1/locationtype?limit=2&after_id=${first.body.data[1].id}`);
      expect(next.body.data.map((t: { name: string }) => t.name)).toEqual(['C']);
    });

    it('refuses a blank or non-numeric paging parameter', async () => {
      for (const query of ['limit=', 'limit=abc', 'after_id=-1']) {
        const response = await h.request('GET', `/api/v1/locationtype?${query}`);
        expect(response.status, query).toBe(400);
        expect(response.body).toEqual({ data: { error: expect.stringMatching(/limit|after_id/) } });
      }
    });

    it('never shows another site’s location types', async () => {
      const other = await h.addSite('Other');
      await h.request('POST', '/api/v1/locationtype', { body: { locationtypes: [{ name: 'Secret' }] }, as: other.credentials });
      const response = await h.request('GET', '/api/v1/locationtype');
      expect(response.body).toEqual({ data: [] });
    });
  });

  describe('POST (extension)', () => {
    itRequiresApiKey(() => h, 'POST', '/api/v1/locationtype', { locationtypes: [{ name: 'X' }] });

    it('creates and summarises', async () => {
      const response = await create(['Building']);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: { submitted: 1, inserted: 1, updated: 0, errors: 0 } });
    });

    it('fails the whole batch on a name taken in the store or repeated in the batch', async () => {
      await create(['Building']);
      const response = await create(['building ', 'Floor', 'FLOOR']);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        result: ['Validation errors found. Batch has failed. Details provided.'],
        errors: [
          { error: ['Location Type Name Already Exists: building '], input_data: { name: 'building ' } },
          { error: ['Location Type Name Duplicated In Batch: FLOOR'], input_data: { name: 'FLOOR' } },
        ],
      });
      const list = await h.request('GET', '/api/v1/locationtype');
      expect(list.body.data).toHaveLength(1);
    });

    it('writes the valid records when validate_fails_batch is false', async () => {
      const response = await h.request('POST', '/api/v1/locationtype', {
        body: { locationtypes: [{ name: 'Room' }, { name: '' }, { name: 7 }], options: { validate_fails_batch: 'false' } },
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        data: { submitted: 3, inserted: 1, updated: 0, errors: 2 },
        errors: [
          { error: ['Missing or blank name'], input_data: { name: '' } },
          { error: ['Invalid name found (expected text): 7'], input_data: { name: 7 } },
        ],
      });
    });

    it('lets only one of two concurrent batches write the same name', async () => {
      const [a, b] = await Promise.all([create(['Wing']), create(['wing'])]);
      expect([a.status, b.status].sort()).toEqual([200, 400]);
      const loser = a.status === 400 ? a : b;
      expect(loser.body.errors[0].error[0]).toMatch(/Already Exists/);
    });
  });

  describe('DELETE (extension)', () => {
    it('deletes by id and refuses unknown ids', async () => {
      await create(['A']);
      const [{ id }] = (await h.request('GET', '/api/v1/locationtype')).body.data;
      const bad = await h.request('DELETE', '/api/v1/locationtype', { body: { locationtypes: [{ id }, { id: 999999 }] } });
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([{ error: ['Invalid Location Type id: 999999'], input_data: { id: 999999 } }]);
      const huge = await h.request('DELETE', '/api/v1/locationtype', { body: { locationtypes: [{ id: 99999999999 }] } });
      expect(huge.body.errors).toEqual([{ error: ['Invalid Location Type id: 99999999999'], input_data: { id: 99999999999 } }]);
      const ok = await h.request('DELETE', '/api/v1/locationtype', { body: { locationtypes: [{ id: String(id) }] } });
      expect(ok.body).toEqual({ data: { submitted: 1, deleted: 1, errors: 0 } });
    });
  });
});
