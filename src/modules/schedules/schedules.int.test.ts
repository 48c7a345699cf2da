import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { itRequiresApiKey } from '../../../test/common-route-tests.ts';
import { idsOf, namesOf, seedAccessLevel, sendInBothModes } from '../../../test/factories/places.ts';
import { DIALECTS, type Credentials, type Harness, createHarness } from '../../../test/harness.ts';

/** The spec's first example: 08:00:00 to 16:59:59, Monday to Friday. */
const WEEKDAYS = { name: '0800-1700 M-F', d0: 1, d1: 1, d2: 1, d3: 1, d4: 1, d5: 0, d6: 0, start: '08:00:00', stop: '16:59:59' };

describe.each(DIALECTS)('/schedule on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.close();
  });

  const create = (schedules: object[], as?: Credentials) => h.request('POST', '/api/v1/schedule', { body: { schedules }, ...(as ? { as } : {}) });
  const list = async (as?: Credentials) => (await h.request('GET', '/api/v1/schedule', as ? { as } : {})).body.data;
  const listNames = async () => (await list()).map((s: { name: string }) => s.name);
  /** Creates schedules open all day every day under these names; answers their ids in order. */
  const createAllDay = async (...names: string[]): Promise<number[]> => {
    const response = await create(
      names.map((name) => ({ name, d0: 1, d1: 1, d2: 1, d3: 1, d4: 1, d5: 1, d6: 1, start: '00:00:00', stop: '23:59:59' })),
    );
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const all: { id: number; name: string }[] = await list();
    return names.map((name) => (all.find((s) => s.name === name) as { id: number }).id);
  };

  describe('GET', () => {
    itRequiresApiKey(() => h, 'GET', '/api/v1/schedule');

    it('lists schedules as the spec shows them, at /schedule and /schedules', async () => {
      await create([WEEKDAYS, { name: 'Weekend Cleaners', d5: 1, d6: 1, start: '06:40:00', stop: '19:49:59' }]);
      for (const url of ['/api/v1/schedule', '/api/v1/schedules']) {
        const response = await h.request('GET', url);
        expect(response.status, url).toBe(200);
        expect(response.body, url).toEqual({
          data: [
            { id: expect.any(Number), ...WEEKDAYS },
            {
              id: expect.any(Number),
              name: 'Weekend Cleaners',
              d0: 0,
              d1: 0,
              d2: 0,
              d3: 0,
              d4: 0,
              d5: 1,
              d6: 1,
              start: '06:40:00',
              stop: '19:49:59',
            },
          ],
        });
      }
    });

    it('pages with limit and after_id', async () => {
      await createAllDay('A', 'B', 'C');
      const first = await h.request('GET', '/api/v1/schedule?limit=2');
      expect(namesOf(first)).toEqual(['A', 'B']);
      expect(namesOf(await h.request('GET', `/api/v1/schedule?after_id=${idsOf(first)[1]}`))).toEqual(['C']);
      expect((await h.request('GET', '/api/v1/schedule?after_id=')).status).toBe(400);
    });

    it('never shows another site’s schedules', async () => {
      const other = await h.addSite('Other');
      await create([WEEKDAYS], other.credentials);
      expect(await list()).toEqual([]);
    });
  });

  describe('POST (extension)', () => {
    itRequiresApiKey(() => h, 'POST', '/api/v1/schedule', { schedules: [WEEKDAYS] });

    it('creates schedules, reading days as 0/1, true/false or "0"/"1", absent days as 0', async () => {
      const response = await h.request('POST', '/api/v1/schedules', {
        body: {
          schedules: [{ name: 'Mixed', d0: true, d1: '1', d2: 'true', d3: 0, d4: false, d5: '0', d6: 1, start: '22:00:00', stop: '05:59:59' }],
        },
      });
      expect(response.body).toEqual({ data: { submitted: 1, inserted: 1, updated: 0, errors: 0 } });
      await create([{ name: 'No Days', start: '00:00:00', stop: '00:00:00' }]);
      expect(await list()).toEqual([
        // A stop before the start is valid: the schedule spans midnight.
        { id: expect.any(Number), name: 'Mixed', d0: 1, d1: 1, d2: 1, d3: 0, d4: 0, d5: 0, d6: 1, start: '22:00:00', stop: '05:59:59' },
        { id: expect.any(Number), name: 'No Days', d0: 0, d1: 0, d2: 0, d3: 0, d4: 0, d5: 0, d6: 0, start: '00:00:00', stop: '00:00:00' },
      ]);
    });

    it('reports every validation row in both batch modes', async () => {
      await createAllDay('Office Hours');
      const records = [
        { ...WEEKDAYS, name: 'Valid' },
        { ...WEEKDAYS, name: undefined },
        { ...WEEKDAYS, name: '' },
        { ...WEEKDAYS, name: 'office hours' },
        { ...WEEKDAYS, name: 'Twice' },
        { ...WEEKDAYS, name: 'TWICE' },
        { ...WEEKDAYS, name: 'Bad Days', d0: 2, d3: 'yes' },
        { ...WEEKDAYS, name: 'No Start', start: undefined },
        { ...WEEKDAYS, name: 'Blank Stop', stop: '' },
        { ...WEEKDAYS, name: 'Late', start: '25:00:00' },
        { ...WEEKDAYS, name: 'Sloppy', start: '8:00:00', stop: '23:60:00' },
        { ...WEEKDAYS, name: 'Short', stop: '17:00' },
        { ...WEEKDAYS, name: 'Office Hours', start: '24:00:00' },
      ];
      const sent = JSON.parse(JSON.stringify(records));
      const { failed, partial } = await sendInBothModes(h, 'POST', '/api/v1/schedule', 'schedules', records, list);
      const errors = [
        { error: ['Missing or blank name'], input_data: sent[1] },
        { error: ['Missing or blank name'], input_data: sent[2] },
        { error: ['Schedule Name Already Exists: office hours'], input_data: sent[3] },
        { error: ['Schedule Name Duplicated In Batch: TWICE'], input_data: sent[5] },
        { error: ['Invalid d0 found (expected 0 or 1): 2', 'Invalid d3 found (expected 0 or 1): yes'], input_data: sent[6] },
        { error: ['Missing or blank start'], input_data: sent[7] },
        { error: ['Missing or blank stop'], input_data: sent[8] },
        { error: ['Invalid start time found: 25:00:00'], input_data: sent[9] },
        { error: ['Invalid start time found: 8:00:00', 'Invalid stop time found: 23:60:00'], input_data: sent[10] },
        { error: ['Invalid stop time found: 17:00'], input_data: sent[11] },
        { error: ['Invalid start time found: 24:00:00', 'Schedule Name Already Exists: Office Hours'], input_data: sent[12] },
      ];
      expect(failed.body.errors).toEqual(errors);
      expect(partial.body).toEqual({ data: { submitted: 13, inserted: 2, updated: 0, errors: 11 }, errors });
      expect(await listNames()).toEqual(['Office Hours', 'Valid', 'Twice']);
    });
  });

  describe('PUT (extension)', () => {
    itRequiresApiKey(() => h, 'PUT', '/api/v1/schedule', { schedules: [{ id: 1, name: 'X' }] });

    it('changes only the properties supplied', async () => {
      const [a, b] = (await createAllDay('A', 'B')) as [number, number];
      const response = await h.request('PUT', '/api/v1/schedules', {
        body: {
          schedules: [
            { id: a, name: 'Nights', start: '20:00:00', stop: '06:00:00' },
            { id: String(b), d6: 0, d5: 'false' },
          ],
        },
      });
      expect(response.body).toEqual({ data: { submitted: 2, inserted: 0, updated: 2, errors: 0 } });
      expect(await list()).toEqual([
        { id: a, name: 'Nights', d0: 1, d1: 1, d2: 1, d3: 1, d4: 1, d5: 1, d6: 1, start: '20:00:00', stop: '06:00:00' },
        { id: b, name: 'B', d0: 1, d1: 1, d2: 1, d3: 1, d4: 1, d5: 0, d6: 0, start: '00:00:00', stop: '23:59:59' },
      ]);
    });

    it('reports every validation row in both batch modes', async () => {
      const [a, b, c] = (await createAllDay('A', 'B', 'C')) as [number, number, number];
      const records = [
        { id: a, stop: '12:00:00' },
        { name: 'No Id' },
        { id: 'abc' },
        { id: 999999 },
        { id: b, name: 'a' },
        { id: c, start: '12:00' },
        { id: c, d1: 'no' },
      ];
      const { failed, partial } = await sendInBothModes(h, 'PUT', '/api/v1/schedule', 'schedules', records, list);
      const errors = [
        { error: ['Missing or blank id'], input_data: records[1] },
        { error: ['Non-Numeric id found: abc'], input_data: records[2] },
        { error: ['Invalid schedule id: 999999'], input_data: records[3] },
        { error: ['Schedule Name Already Exists: a'], input_data: records[4] },
        { error: ['Invalid start time found: 12:00'], input_data: records[5] },
        { error: ['Invalid d1 found (expected 0 or 1): no', `Schedule id Duplicated In Batch: ${c}`], input_data: records[6] },
      ];
      expect(failed.body.errors).toEqual(errors);
      expect(partial.body).toEqual({ data: { submitted: 7, inserted: 0, updated: 1, errors: 6 }, errors });
      expect((await list())[0].stop).toBe('12:00:00');
    });

    it('cannot change another site’s schedule', async () => {
      const [a] = (await createAllDay('A')) as [number];
      const other = await h.addSite('Other');
      const response = await h.request('PUT', '/api/v1/schedule', { body: { schedules: [{ id: a, name: 'Mine' }] }, as: other.credentials });
      expect(response.status).toBe(400);
      expect(response.body.errors[0].error).toEqual([`Invalid schedule id: ${a}`]);
      expect(await listNames()).toEqual(['A']);
    });
  });

  describe('DELETE (extension)', () => {
    itRequiresApiKey(() => h, 'DELETE', '/api/v1/schedule', { schedules: [{ id: 1 }] });

    it('deletes unused schedules, and refuses one an access level uses, naming the level, in both batch modes', async () => {
      const [free, staffHours, shared] = (await createAllDay('Free', 'Staff Hours', 'Shared')) as [number, number, number];
      await h.request('POST', '/api/v1/door', { body: { doors: [{ name: 'Front' }, { name: 'Back' }] } });
      const [front, back] = idsOf(await h.request('GET', '/api/v1/door')) as [number, number];
      const db = h.store.db;
      await seedAccessLevel(db, h.site.id, 'Staff', [front], { scheduleId: staffHours });
      await seedAccessLevel(db, h.site.id, 'Cleaners', [front, back], { scheduleId: shared });
      await seedAccessLevel(db, h.site.id, 'Visitors', [back], { scheduleId: shared });
      const records = [{ id: free }, { id: staffHours }, { id: shared }, { id: 999999 }, { id: 'x' }, { id: free }];
      const { failed, partial } = await sendInBothModes(h, 'DELETE', '/api/v1/schedule', 'schedules', records, list);
      const errors = [
        { error: [`Schedule Staff Hours (id ${staffHours}) is used by access level Staff`], input_data: records[1] },
        { error: [`Schedule Shared (id ${shared}) is used by access level Cleaners and 1 other access level`], input_data: records[2] },
        { error: ['Invalid schedule id: 999999'], input_data: records[3] },
        { error: ['Non-Numeric id found: x'], input_data: records[4] },
      ];
      expect(failed.body.errors).toEqual(errors);
      expect(partial.body).toEqual({ data: { submitted: 6, deleted: 1, errors: 4 }, errors });
      expect(await listNames()).toEqual(['Staff Hours', 'Shared']);
    });

    it('cannot delete another site’s schedule', async () => {
      const [a] = (await createAllDay('A')) as [number];
      const other = await h.addSite('Other');
      const response = await h.request('DELETE', '/api/v1/schedule', { body: { schedules: [{ id: a }] }, as: other.credentials });
      expect(response.status).toBe(400);
      expect(response.body.errors[0].error).toEqual([`Invalid schedule id: ${a}`]);
      expect(await listNames()).toEqual(['A']);
    });
  });

  it('describes its objects through /object, days as bits Monday first', async () => {
    const response = await h.request('GET', '/api/v1/object?type=schedule');
    expect(response.body.data.map((p: { property: string }) => p.property)).toEqual([
      'id',
      'name',
      'd0',
      'd1',
      'd2',
      'd3',
      'd4',
      'd5',
      'd6',
      'start',
      'stop',
      'observes_holidays',
      'time_profile',
    ]);
    expect(response.body.data[2]).toEqual({ property: 'd0', datatype: 'bit', description: expect.stringContaining('Monday') });
    expect(response.body.data[8]).toEqual({ property: 'd6', datatype: 'bit', description: expect.stringContaining('Sunday') });
    expect((await h.request('GET', '/api/v1/object?type=schedule_create')).status).toBe(200);
    expect((await h.request('GET', '/api/v1/object?type=schedule_update')).status).toBe(200);
  });
});
