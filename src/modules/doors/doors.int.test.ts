import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { itRequiresApiKey } from '../../../test/common-route-tests.ts';
import {
  assignAccessLevel,
  doorIdsOfLevel,
  idsOf,
  namesOf,
  reportDoorState,
  seedAccessLevel,
  seedPlacesUser,
  sendInBothModes,
} from '../../../test/factories/places.ts';
import { DIALECTS, type Credentials, type Harness, createHarness } from '../../../test/harness.ts';

const door = (id: number, name: string, location = '', enabled = true) => ({
  id,
  type: 'Access Controlled Door',
  name,
  location,
  enabled,
  controller: 'Portcullis',
});

describe.each(DIALECTS)('/door on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.close();
  });

  const create = (doors: object[], as?: Credentials) => h.request('POST', '/api/v1/door', { body: { doors }, ...(as ? { as } : {}) });
  const list = async (as?: Credentials) => (await h.request('GET', '/api/v1/door', as ? { as } : {})).body.data;
  const listNames = async () => (await list()).map((d: { name: string }) => d.name);
  const listIds = async () => (await list()).map((d: { id: number }) => d.id);
  /** Creates the doors and answers their ids in the order given. */
  const createDoors = async (...names: string[]): Promise<number[]> => {
    expect((await create(names.map((name) => ({ name })))).status).toBe(200);
    const all: { id: number; name: string }[] = await list();
    return names.map((name) => (all.find((d) => d.name === name) as { id: number }).id);
  };
  const createLocation = async (name: string): Promise<number> => {
    await h.request('POST', '/api/v1/locationtype', { body: { locationtypes: [{ name: `${name} type` }] } });
    const types: { id: number; name: string }[] = (await h.request('GET', '/api/v1/locationtype')).body.data;
    const type = types.find((t) => t.name === `${name} type`) as { id: number };
    await h.request('POST', '/api/v1/location', { body: { locations: [{ name, locationtype: type.id }] } });
    const locations: { id: number; name: string }[] = (await h.request('GET', '/api/v1/location')).body.data;
    return (locations.find((l) => l.name === name) as { id: number }).id;
  };

  describe('GET', () => {
    itRequiresApiKey(() => h, 'GET', '/api/v1/door');

    it('lists doors as the spec shows them, at /door and /doors', async () => {
      const hall = await createLocation('Main Hall');
      await create([
        { name: 'Office Supplies', location: hall },
        { name: 'Hall Entrance', enabled: false },
      ]);
      for (const url of ['/api/v1/door', '/api/v1/doors', '/v1/door']) {
        const response = await h.request('GET', url);
        expect(response.status, url).toBe(200);
        expect(response.body, url).toEqual({
          data: [door(expect.any(Number), 'Office Supplies', 'Main Hall'), door(expect.any(Number), 'Hall Entrance', '', false)],
        });
      }
    });

    it('pages with limit and after_id', async () => {
      await createDoors('A', 'B', 'C');
      const first = await h.request('GET', '/api/v1/door?limit=2');
      expect(namesOf(first)).toEqual(['A', 'B']);
      const next = await h.request('GET', `/api/v1/door?limit=2&after_id=${idsOf(first)[1]}`);
      expect(namesOf(next)).toEqual(['C']);
    });

    it('never shows another site’s doors', async () => {
      const other = await h.addSite('Other');
      await create([{ name: 'Secret' }], other.credentials);
      expect(await list()).toEqual([]);
    });
  });

  describe('GET ?user_id and ?id_num', () => {
    let alice: number;
    let a: number;
    let b: number;
    let c: number;
    let d: number;
    beforeEach(async () => {
      [a, b, c, d] = (await createDoors('Door A', 'Door B', 'Door C', 'Door D')) as [number, number, number, number];
      const db = h.store.db;
      const siteId = h.site.id;
      alice = await seedPlacesUser(db, siteId, { idNum: 'ZZ123' });
      const staff = await seedAccessLevel(db, siteId, 'Staff', [a, b]);
      const delegate = await seedAccessLevel(db, siteId, 'delegate_abc', [b, c], { delegate: true });
      await seedAccessLevel(db, siteId, 'Unassigned', [d]);
      await assignAccessLevel(db, siteId, alice, staff);
      await assignAccessLevel(db, siteId, alice, delegate);
    });

    itRequiresApiKey(() => h, 'GET', '/api/v1/door?user_id=1');

    it('lists each door the cardholder reaches through any assigned level once, delegate levels included', async () => {
      const expected = { data: [door(a, 'Door A'), door(b, 'Door B'), door(c, 'Door C')] };
      for (const url of [`/api/v1/door?user_id=${alice}`, `/api/v1/doors?user_id=${alice}`, '/api/v1/door?id_num=ZZ123']) {
        const response = await h.request('GET', url);
        expect(response.status, url).toBe(200);
        expect(response.body, url).toEqual(expected);
      }
    });

    it('pages the cardholder’s doors too', async () => {
      const first = await h.request('GET', `/api/v1/door?user_id=${alice}&limit=2`);
      expect(idsOf(first)).toEqual([a, b]);
      const next = await h.request('GET', `/api/v1/door?user_id=${alice}&limit=2&after_id=${b}`);
      expect(idsOf(next)).toEqual([c]);
    });

    it('answers an empty list for a cardholder without access levels', async () => {
      const bob = await seedPlacesUser(h.store.db, h.site.id, { idNum: 'B1' });
      expect((await h.request('GET', `/api/v1/door?user_id=${bob}`)).body).toEqual({ data: [] });
    });

    it('refuses an id that names no cardholder of this site', async () => {
      const admin = await seedPlacesUser(h.store.db, h.site.id, { idNum: 'ADM', role: 'admin' });
      const other = await h.addSite('Other');
      const stranger = await seedPlacesUser(h.store.db, other.site.id, { idNum: 'S1' });
      for (const value of [999999, admin, stranger, 99999999999, 0]) {
        const response = await h.request('GET', `/api/v1/door?user_id=${value}`);
        expect(response.status, String(value)).toBe(400);
        expect(response.body).toEqual({ data: { error: `Invalid user_id: ${value}` } });
      }
      for (const value of ['NOPE', 'ADM', 'S1']) {
        const response = await h.request('GET', `/api/v1/door?id_num=${value}`);
        expect(response.status, value).toBe(400);
        expect(response.body).toEqual({ data: { error: `Invalid id_num: ${value}` } });
      }
    });

    it('refuses a blank or non-numeric value rather than answering the whole list', async () => {
      for (const query of ['user_id=', 'user_id', 'user_id=%20', 'user_id=abc', 'user_id=-1', 'user_id=1.5', 'id_num=', 'id_num', 'id_num=%20%20']) {
        const response = await h.request('GET', `/api/v1/door?${query}`);
        expect(response.status, query).toBe(400);
        expect(response.body, query).toEqual({ data: { error: expect.stringMatching(/user_id|id_num/) } });
      }
    });

    it('refuses user_id and id_num together', async () => {
      const response = await h.request('GET', `/api/v1/door?user_id=${alice}&id_num=ZZ123`);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ data: { error: 'Supply either user_id or id_num, not both.' } });
    });

    it('does not answer another site’s key about this site’s cardholder', async () => {
      const other = await h.addSite('Other');
      const response = await h.request('GET', `/api/v1/door?user_id=${alice}`, { as: other.credentials });
      expect(response.body).toEqual({ data: { error: `Invalid user_id: ${alice}` } });
    });
  });

  describe('POST', () => {
    itRequiresApiKey(() => h, 'POST', '/api/v1/door', { doors: [{ name: 'X' }] });

    it('creates doors as the spec’s example, and with the location and enabled extensions', async () => {
      const hall = await createLocation('Main Hall');
      const response = await h.request('POST', '/api/v1/doors', {
        body: {
          doors: [{ name: 'Door 1' }, { name: 'Door 2', location: String(hall), enabled: 'false' }, { name: 'Door 3', location: null }],
          options: { validate_fails_batch: 'false' },
        },
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: { submitted: 3, inserted: 3, updated: 0, errors: 0 } });
      expect(await list()).toEqual([
        door(expect.any(Number), 'Door 1'),
        door(expect.any(Number), 'Door 2', 'Main Hall', false),
        door(expect.any(Number), 'Door 3'),
      ]);
    });

    it('answers the spec’s message for a name the site already has', async () => {
      await createDoors('Door 1');
      const response = await create([{ name: 'Door 1' }]);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        result: ['Validation errors found. Batch has failed. Details provided.'],
        errors: [{ error: ['Door Name Already Exists: Door 1'], input_data: { name: 'Door 1' } }],
      });
    });

    it('refuses a name repeated within the batch (the vendor’s known issue)', async () => {
      const response = await create([{ name: 'Door 9' }, { name: 'door  9' }]);
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ error: ['Door Name Duplicated In Batch: door  9'], input_data: { name: 'door  9' } }]);
      expect(await list()).toEqual([]);
    });

    it('reports every validation row in both batch modes', async () => {
      await createDoors('Door 1');
      const hall = await createLocation('Hall');
      const other = await h.addSite('Other');
      await h.request('POST', '/api/v1/locationtype', { body: { locationtypes: [{ name: 'T' }] }, as: other.credentials });
      const [theirType] = idsOf(await h.request('GET', '/api/v1/locationtype', { as: other.credentials }));
      await h.request('POST', '/api/v1/location', { body: { locations: [{ name: 'Theirs', locationtype: theirType }] }, as: other.credentials });
      const [theirs] = idsOf(await h.request('GET', '/api/v1/location', { as: other.credentials }));
      const records = [
        { name: 'Door 2', location: hall },
        {},
        { name: ' ' },
        { name: 17 },
        { name: 'DOOR 1' },
        { name: 'Door 3', location: '' },
        { name: 'door 3' },
        { name: 'Door 4', location: 'abc' },
        { name: 'Door 5', location: 999999 },
        { name: 'Door 6', location: theirs },
        { name: 'Door 7', enabled: 'yes' },
        { name: 'Door 1', location: 888888 },
      ];
      const { failed, partial } = await sendInBothModes(h, 'POST', '/api/v1/door', 'doors', records, list);
      const errors = [
        { error: ['Missing or blank name'], input_data: records[1] },
        { error: ['Missing or blank name'], input_data: records[2] },
        { error: ['Invalid name found (expected text): 17'], input_data: records[3] },
        { error: ['Door Name Already Exists: DOOR 1'], input_data: records[4] },
        { error: ['Door Name Duplicated In Batch: door 3'], input_data: records[6] },
        { error: ['Non-Numeric location found: abc'], input_data: records[7] },
        { error: ['Invalid location id: 999999'], input_data: records[8] },
        { error: [`Invalid location id: ${theirs}`], input_data: records[9] },
        { error: ['Invalid enabled found (expected true or false): yes'], input_data: records[10] },
        { error: ['Door Name Already Exists: Door 1', 'Invalid location id: 888888'], input_data: records[11] },
      ];
      expect(failed.body.errors).toEqual(errors);
      expect(partial.body).toEqual({ data: { submitted: 12, inserted: 2, updated: 0, errors: 10 }, errors });
      expect(await listNames()).toEqual(['Door 1', 'Door 2', 'Door 3']);
    });

    it('lets only one of two concurrent batches write the same name', async () => {
      const [first, second] = await Promise.all([create([{ name: 'Gate' }]), create([{ name: 'gate' }])]);
      expect([first.status, second.status].sort()).toEqual([200, 400]);
      const loser = first.status === 400 ? first : second;
      expect(loser.body.errors[0].error[0]).toMatch(/^Door Name Already Exists: gate$|^Door Name Already Exists: Gate$/);
      expect(await list()).toHaveLength(1);
    });

    it('lets another site use the same name', async () => {
      await createDoors('Door 1');
      const other = await h.addSite('Other');
      expect((await create([{ name: 'Door 1' }], other.credentials)).status).toBe(200);
    });
  });

  describe('PUT (extension)', () => {
    itRequiresApiKey(() => h, 'PUT', '/api/v1/door', { doors: [{ id: 1, name: 'X' }] });

    it('changes only the properties supplied; a null or blank location clears it', async () => {
      const hall = await createLocation('Hall');
      await create([{ name: 'One', location: hall }, { name: 'Two', location: hall }, { name: 'Three' }]);
      const [one, two, three] = (await listIds()) as [number, number, number];
      const response = await h.request('PUT', '/api/v1/doors', {
        body: {
          doors: [
            { id: one, name: 'Uno' },
            { id: String(two), location: null, enabled: false },
            { id: three, location: hall },
          ],
        },
      });
      expect(response.body).toEqual({ data: { submitted: 3, inserted: 0, updated: 3, errors: 0 } });
      expect(await list()).toEqual([door(one, 'Uno', 'Hall'), door(two, 'Two', '', false), door(three, 'Three', 'Hall')]);
      await h.request('PUT', '/api/v1/door', { body: { doors: [{ id: three, location: '' }] } });
      expect((await list())[2]).toEqual(door(three, 'Three'));
    });

    it('reports every validation row in both batch modes', async () => {
      const [one, two, three] = (await createDoors('One', 'Two', 'Three')) as [number, number, number];
      const records = [
        { id: one, enabled: 'false' },
        { name: 'No Id' },
        { id: '1x' },
        { id: 999999 },
        { id: two, name: 'one' },
        { id: three, name: 'Same' },
        { id: three, location: 999999 },
        { id: two, name: '', enabled: 'maybe' },
      ];
      const { failed, partial } = await sendInBothModes(h, 'PUT', '/api/v1/door', 'doors', records, list);
      const errors = [
        { error: ['Missing or blank id'], input_data: records[1] },
        { error: ['Non-Numeric id found: 1x'], input_data: records[2] },
        { error: ['Invalid door id: 999999'], input_data: records[3] },
        { error: ['Door Name Already Exists: one'], input_data: records[4] },
        { error: [`Door id Duplicated In Batch: ${three}`, 'Invalid location id: 999999'], input_data: records[6] },
        {
          error: ['Missing or blank name', 'Invalid enabled found (expected true or false): maybe', `Door id Duplicated In Batch: ${two}`],
          input_data: records[7],
        },
      ];
      expect(failed.body.errors).toEqual(errors);
      expect(partial.body).toEqual({ data: { submitted: 8, inserted: 0, updated: 2, errors: 6 }, errors });
      expect(await list()).toEqual([door(one, 'One', '', false), door(two, 'Two'), door(three, 'Same')]);
    });

    it('refuses two records of a batch claiming the same new name', async () => {
      const [one, two] = (await createDoors('One', 'Two')) as [number, number];
      const response = await h.request('PUT', '/api/v1/door', {
        body: {
          doors: [
            { id: one, name: 'New' },
            { id: two, name: 'NEW' },
          ],
        },
      });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ error: ['Door Name Duplicated In Batch: NEW'], input_data: { id: two, name: 'NEW' } }]);
    });

    it('cannot change another site’s door', async () => {
      const [one] = (await createDoors('One')) as [number];
      const other = await h.addSite('Other');
      const response = await h.request('PUT', '/api/v1/door', { body: { doors: [{ id: one, name: 'Mine' }] }, as: other.credentials });
      expect(response.status).toBe(400);
      expect(response.body.errors[0].error).toEqual([`Invalid door id: ${one}`]);
      expect(await listNames()).toEqual(['One']);
    });
  });

  describe('DELETE', () => {
    itRequiresApiKey(() => h, 'DELETE', '/api/v1/door', { doors: [{ id: 1 }] });

    it('always deletes valid door ids (the vendor’s known issue), taking them out of access levels', async () => {
      const ids = await createDoors('Door 1', 'Door 2', 'Door 3', 'Door 4', 'Door 5');
      const [d1, d2, d3, d4, d5] = ids as [number, number, number, number, number];
      const level = await seedAccessLevel(h.store.db, h.site.id, 'Staff', [d1, d2, d5]);
      await reportDoorState(h.store.db, h.site.id, d1, 0.5);
      const response = await h.request('DELETE', '/api/v1/doors', {
        body: { doors: [{ id: d1 }, { id: String(d2) }, { id: ` ${d3} ` }, { id: d4 }, { id: d1 }], options: { validate_fails_batch: 'true' } },
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: { submitted: 5, deleted: 4, errors: 0 } });
      expect(await listIds()).toEqual([d5]);
      expect(await doorIdsOfLevel(h.store.db, level)).toEqual([d5]);
      const states = await h.store.db.selectFrom('door_state').select('door_id').execute();
      expect(states).toEqual([]);
    });

    it('reports every validation row in both batch modes', async () => {
      const [d1, d2] = (await createDoors('Door 1', 'Door 2')) as [number, number];
      const records = [{ id: d1 }, {}, { id: '' }, { id: 'abc' }, { id: 999999 }, { id: 99999999999 }, { id: d2 }];
      const { failed, partial } = await sendInBothModes(h, 'DELETE', '/api/v1/door', 'doors', records, list);
      const errors = [
        { error: ['Missing or blank id'], input_data: records[1] },
        { error: ['Missing or blank id'], input_data: records[2] },
        { error: ['Non-Numeric id found: abc'], input_data: records[3] },
        { error: ['Invalid door id: 999999'], input_data: records[4] },
        { error: ['Invalid door id: 99999999999'], input_data: records[5] },
      ];
      expect(failed.body.errors).toEqual(errors);
      expect(partial.body).toEqual({ data: { submitted: 7, deleted: 2, errors: 5 }, errors });
      expect(await list()).toEqual([]);
    });

    it('cannot delete another site’s door', async () => {
      const [d1] = (await createDoors('Door 1')) as [number];
      const other = await h.addSite('Other');
      const response = await h.request('DELETE', '/api/v1/door', { body: { doors: [{ id: d1 }] }, as: other.credentials });
      expect(response.status).toBe(400);
      expect(response.body.errors[0].error).toEqual([`Invalid door id: ${d1}`]);
      expect(await listNames()).toEqual(['Door 1']);
    });
  });

  it('describes its objects through /object', async () => {
    const described = await h.request('GET', '/api/v1/object?type=door');
    expect(described.body.data.map((p: { property: string }) => p.property)).toEqual(['id', 'type', 'name', 'location', 'enabled', 'controller']);
    const create = await h.request('GET', '/api/v1/object?type=door_create');
    expect(create.body.data).toEqual([
      { property: 'name', datatype: 'string', description: expect.any(String) },
      { property: 'location', datatype: 'integer', description: expect.any(String) },
      { property: 'enabled', datatype: 'boolean', description: expect.any(String) },
    ]);
    expect((await h.request('GET', '/api/v1/object?type=door_update')).status).toBe(200);
  });
});
