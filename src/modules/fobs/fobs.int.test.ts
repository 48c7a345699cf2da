import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { itRequiresApiKey } from '../../../test/common-route-tests.ts';
import { createFob, createUsers, newFob, newUser, seedAccessLevel } from '../../../test/factories/people.ts';
import { DIALECTS, type Harness, createHarness } from '../../../test/harness.ts';

const KEY = /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/;

describe.each(DIALECTS)('/fob on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.close();
  });

  const list = async (query = '') => (await h.request('GET', `/api/v1/fob${query}`)).body.data as Record<string, any>[];
  const post = (fobs: Record<string, unknown>[], options?: object) =>
    h.request('POST', '/api/v1/fob', { body: { fobs, ...(options ? { options } : {}) } });
  const put = (fobs: Record<string, unknown>[], options?: object) =>
    h.request('PUT', '/api/v1/fob', { body: { fobs, ...(options ? { options } : {}) } });
  const remove = (ids: unknown[], options?: object) =>
    h.request('DELETE', '/api/v1/fob', { body: { fobs: ids.map((id) => ({ id })), ...(options ? { options } : {}) } });
  const failures = (response: { body: { errors: { error: string[] }[] } }) => response.body.errors.map((e) => e.error);

  describe('GET', () => {
    itRequiresApiKey(() => h, 'GET', '/api/v1/fob');

    it('lists fobs only, in the spec’s shape', async () => {
      await createUsers(h, [newUser({ card_num: '1' })]);
      await post([
        {
          name: 'Office Floor 1 FOB 1',
          id_num: '10000',
          card_num: '10000',
          access_effective: '2022-07-10 09:00:00',
          access_expires: '2022-07-10 12:00:00',
        },
        { name: 'Office Floor 2 FOB 1', id_num: '10000', card_num: 11000 },
      ]);
      expect(await list()).toEqual([
        {
          id: expect.any(Number),
          id_num: '10000',
          name: 'Office Floor 1 FOB 1',
          card_num: '10000',
          credential_key: expect.stringMatching(KEY),
          enabled: true,
          access_effective: '2022-07-10T09:00:00.000Z',
          access_expires: '2022-07-10T12:00:00.000Z',
          accesslevels: [],
        },
        expect.objectContaining({ name: 'Office Floor 2 FOB 1', id_num: '10000', card_num: '11000', access_effective: '', access_expires: '' }),
      ]);
    });

    it('reads fobs by ?id=, ?id_num=, ?name= (any case) and ?card_num=', async () => {
      const a = await createFob(h, newFob({ name: 'Fob A', id_num: 'SHARED', card_num: '100' }));
      const b = await createFob(h, newFob({ name: 'Fob B', id_num: 'SHARED', card_num: '200' }));
      const ids = async (query: string) => (await list(query)).map((f) => f.id);
      expect(await ids(`?id=${a.id}`)).toEqual([a.id]);
      expect(await ids('?id_num=SHARED')).toEqual([a.id, b.id]);
      expect(await ids('?name=fob%20b')).toEqual([b.id]);
      expect(await ids('?card_num=100')).toEqual([a.id]);
      for (const query of ['?id=999999', '?name=nothing', '?card_num=9', '?id=99999999999999']) expect(await list(query), query).toEqual([]);
    });

    it('does not read a card as a fob', async () => {
      await createUsers(h, [newUser({ card_num: '777' })]);
      const [card] = (await h.request('GET', '/api/v1/credential')).body.data;
      expect(await list(`?id=${card.id}`)).toEqual([]);
      expect(await list('?card_num=777')).toEqual([]);
    });

    it('refuses a blank filter and two filters at once', async () => {
      for (const [query, error] of [
        ['?id=', 'Missing or blank id'],
        ['?id=x', 'Invalid id: must be a non-blank whole number: x'],
        ['?name=', 'Missing or blank name'],
        ['?id_num=', 'Missing or blank id_num'],
        ['?card_num=', 'Missing or blank card_num'],
        ['?name=a&id=1', 'Use at most one of id, id_num, name and card_num.'],
      ]) {
        const response = await h.request('GET', `/api/v1/fob${query}`);
        expect(response.status, query).toBe(400);
        expect(response.body, query).toEqual({ data: { error } });
      }
    });

    it('answers on the plural spelling, pages, and never shows another site’s fobs', async () => {
      await post([newFob(), newFob(), newFob()]);
      expect((await h.request('GET', '/api/v1/fobs')).body.data).toHaveLength(3);
      const first = await list('?limit=2');
      expect(await list(`?after_id=${first[1]?.id}`)).toHaveLength(1);
      const other = await h.addSite('Other');
      expect((await h.request('GET', '/api/v1/fob', { as: other.credentials })).body.data).toEqual([]);
    });
  });

  describe('POST', () => {
    itRequiresApiKey(() => h, 'POST', '/api/v1/fob', { fobs: [newFob()] });

    it('replays the spec’s example body and its Python example', async () => {
      const response = await post([
        { name: 'Fob 1', id_num: 'ABC123', card_num: 5599, access_effective: '2022-05-05 05:00:00', access_expires: '2022-05-25 08:00:00' },
      ]);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: { submitted: 1, inserted: 1, updated: 0, errors: 0 } });
      const python = await post([{ name: 'Fob 2', id_num: 'ABC123', card_num: '5600', access_effective: '', access_expires: '' }]);
      expect(python.body).toEqual({ data: { submitted: 1, inserted: 1, updated: 0, errors: 0 } });
      expect(await list()).toEqual([
        expect.objectContaining({
          name: 'Fob 1',
          card_num: '5599',
          access_effective: '2022-05-05T05:00:00.000Z',
          access_expires: '2022-05-25T08:00:00.000Z',
        }),
        expect.objectContaining({ name: 'Fob 2', card_num: '5600', access_effective: '', access_expires: '' }),
      ]);
    });

    it('reports every validation row of the spec', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ name: undefined }, 'Missing or blank name'],
        [{ name: '  ' }, 'Missing or blank name'],
        [{ id_num: undefined }, 'Missing or blank id_num'],
        [{ id_num: '' }, 'Missing or blank id_num'],
        [{ card_num: 'A55' }, 'Non-Numeric card_num found: A55'],
        [{ card_num: -1 }, 'Non-Numeric card_num found: -1'],
        [{ card_num: '12345678901' }, 'Invalid card_num length found (at most 10 digits): 12345678901'],
        [{ access_effective: '2022-13-01 00:00:00' }, 'Invalid access_effective date found: 2022-13-01 00:00:00'],
        [{ access_expires: 'never' }, 'Invalid access_expires date found: never'],
      ];
      for (const [change, message] of cases) {
        const record = newFob(change);
        for (const [key, value] of Object.entries(change)) if (value === undefined) delete record[key];
        const response = await post([record]);
        expect(response.status, message).toBe(400);
        expect(failures(response), message).toEqual([[message]]);
      }
      expect(await list()).toEqual([]);
    });

    it('refuses a name or card number taken in the store or earlier in the batch', async () => {
      await createFob(h, newFob({ name: 'Lobby', card_num: '100' }));
      await createUsers(h, [newUser({ card_num: '200' })]);
      const response = await post([
        newFob({ name: ' lobby ', card_num: '100' }),
        newFob({ card_num: '200' }),
        newFob({ name: 'Gate', card_num: '300' }),
        newFob({ name: 'GATE', card_num: 300 }),
      ]);
      expect(response.status).toBe(400);
      expect(failures(response)).toEqual([
        ['Fob Name Already Exists:  lobby ', 'Card Number Already Exists: 100'],
        ['Card Number Already Exists: 200'],
        ['Fob Name Duplicated In Batch: GATE', 'Card Number Duplicated In Batch: 300'],
      ]);
      expect(await list()).toHaveLength(1);
    });

    it('writes the valid fobs when validate_fails_batch is false', async () => {
      const response = await post([newFob({ name: 'Good' }), newFob({ name: '' })], { validate_fails_batch: 'false' });
      expect(response.body).toEqual({
        data: { submitted: 2, inserted: 1, updated: 0, errors: 1 },
        errors: [{ error: ['Missing or blank name'], input_data: expect.objectContaining({ name: '' }) }],
      });
      expect((await list()).map((f) => f.name)).toEqual(['Good']);
    });

    it('lets only one of two concurrent batches take a name', async () => {
      const responses = await Promise.all([post([newFob({ name: 'Race' })]), post([newFob({ name: 'race' })])]);
      expect(responses.map((r) => r.status).sort()).toEqual([200, 400]);
      expect(responses.find((r) => r.status === 400)?.body.errors[0].error[0]).toMatch(/^Fob Name Already Exists/);
    });
  });

  describe('PUT', () => {
    itRequiresApiKey(() => h, 'PUT', '/api/v1/fob', { fobs: [{ id: 1, user_id: 0 }] });

    it('assigns a fob to a cardholder: it joins their credentials and carries their access levels', async () => {
      const level = await seedAccessLevel(h.store.db, h.site.id, 'Office Doors');
      const [user] = await createUsers(h, [newUser({ accesslevels: [{ id: level }] })]);
      const fob = await createFob(h);
      const response = await put([
        { id: String(fob.id), user_id: String(user?.id), access_effective: '2022-06-10 05:00:00', access_expires: '2022-06-10 08:00:00' },
      ]);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: { submitted: 1, inserted: 0, updated: 1, errors: 0 } });
      expect((await list(`?id=${fob.id}`))[0]).toMatchObject({
        accesslevels: [{ id: level, unid: level, name: 'Office Doors' }],
        access_effective: '2022-06-10T05:00:00.000Z',
        access_expires: '2022-06-10T08:00:00.000Z',
      });
      const [detail] = (await h.request('GET', `/api/v1/user?id=${user?.id}`)).body.data;
      expect(detail.credentials).toEqual([expect.objectContaining({ id: fob.id, fob: true })]);
      // A fob is not the user's card.
      expect(detail.card_num).toBe('');
    });

    it('removes the assignment with user_id 0, and clears a bound with ""', async () => {
      const [user] = await createUsers(h, [newUser()]);
      const fob = await createFob(h, newFob({ access_expires: '2030-01-01 00:00:00' }));
      await put([{ id: fob.id, user_id: user?.id }]);
      const response = await put([{ id: fob.id, user_id: 0, access_expires: '' }]);
      expect(response.body.data.updated).toBe(1);
      expect((await list(`?id=${fob.id}`))[0]).toMatchObject({ accesslevels: [], access_expires: '' });
      const [credential] = (await h.request('GET', `/api/v1/credential?id=${fob.id}`)).body.data;
      expect(credential.user).toEqual([]);
    });

    it('renames a fob and changes its card under POST’s rules, its own name and card excepted', async () => {
      const a = await createFob(h, newFob({ name: 'A', card_num: '1' }));
      await createFob(h, newFob({ name: 'B', card_num: '2' }));
      expect((await put([{ id: a.id, name: 'a', card_num: '1' }])).status).toBe(200);
      const clash = await put([{ id: a.id, name: 'b', card_num: '2', id_num: ' ' }]);
      expect(failures(clash)).toEqual([['Missing or blank id_num', 'Fob Name Already Exists: b', 'Card Number Already Exists: 2']]);
      expect((await put([{ id: a.id, id_num: 'NEW', card_num: '3' }])).status).toBe(200);
      expect((await list(`?id=${a.id}`))[0]).toMatchObject({ name: 'a', id_num: 'NEW', card_num: '3' });
    });

    it('validates the fob and the user', async () => {
      const [card] = (await (async () => {
        await createUsers(h, [newUser({ card_num: '9' })]);
        return (await h.request('GET', '/api/v1/credential')).body.data;
      })()) as { id: number }[];
      const fob = await createFob(h);
      const other = await h.addSite('Other');
      await h.request('POST', '/api/v1/user', { body: { users: [newUser()] }, as: other.credentials });
      const [theirs] = (await h.request('GET', '/api/v1/user', { as: other.credentials })).body.data;
      const response = await put([
        { user_id: 0 },
        { id: 'x', user_id: 0 },
        { id: 999999, user_id: 0 },
        { id: card?.id, user_id: 0 },
        { id: fob.id, user_id: 999999 },
        { id: fob.id, user_id: theirs.id },
        { id: fob.id, user_id: 'abc', access_effective: 'later' },
      ]);
      expect(response.status).toBe(400);
      expect(failures(response)).toEqual([
        ['Missing or blank id'],
        ['Non-Numeric id found: x'],
        ['Invalid Fob id: 999999'],
        [`Credential id ${card?.id} is not a Fob`],
        ['Invalid user_id: 999999'],
        [`Fob id Duplicated In Batch: ${fob.id}`, `Invalid user_id: ${theirs.id}`],
        ['Non-Numeric user_id found: abc', 'Invalid access_effective date found: later', `Fob id Duplicated In Batch: ${fob.id}`],
      ]);
    });

    it('writes the valid changes when validate_fails_batch is false', async () => {
      const [user] = await createUsers(h, [newUser()]);
      const fob = await createFob(h);
      const response = await put(
        [
          { id: fob.id, user_id: user?.id },
          { id: 999999, user_id: 0 },
        ],
        { validate_fails_batch: false },
      );
      expect(response.body).toEqual({
        data: { submitted: 2, inserted: 0, updated: 1, errors: 1 },
        errors: [{ error: ['Invalid Fob id: 999999'], input_data: { id: 999999, user_id: 0 } }],
      });
    });
  });

  it('describes fob and fob_create through /object', async () => {
    const fob = (await h.request('GET', '/api/v1/object?type=fob')).body.data.map((p: { property: string }) => p.property);
    expect(fob).toEqual(['id', 'id_num', 'name', 'card_num', 'credential_key', 'enabled', 'access_effective', 'access_expires', 'accesslevels']);
    const create = (await h.request('GET', '/api/v1/object?type=fob_create')).body.data.map((p: { property: string }) => p.property);
    expect(create).toEqual(['name', 'id_num', 'card_num', 'access_effective', 'access_expires']);
  });

  describe('DELETE', () => {
    itRequiresApiKey(() => h, 'DELETE', '/api/v1/fob', { fobs: [{ id: 1 }] });

    it('deletes fobs, even assigned ones, and leaves the holder', async () => {
      const [user] = await createUsers(h, [newUser()]);
      const fob = await createFob(h);
      await put([{ id: fob.id, user_id: user?.id }]);
      const response = await h.request('DELETE', '/v1/fob', {
        body: { fobs: [{ id: fob.id }, { id: fob.id }], options: { validate_fails_batch: 'true' } },
      });
      expect(response.body).toEqual({ data: { submitted: 2, deleted: 1, errors: 0 } });
      expect(await list()).toEqual([]);
      expect((await h.request('GET', `/api/v1/user?id=${user?.id}`)).body.data[0].credentials).toEqual([]);
    });

    it('validates every id: missing, non-numeric, unknown, and refuses cards', async () => {
      await createUsers(h, [newUser({ card_num: '9' })]);
      const [card] = (await h.request('GET', '/api/v1/credential')).body.data;
      const fob = await createFob(h);
      const response = await h.request('DELETE', '/api/v1/fob', {
        body: { fobs: [{ id: fob.id }, {}, { id: 'x' }, { id: 999999 }, { id: card.id }] },
      });
      expect(response.status).toBe(400);
      expect(failures(response)).toEqual([
        ['Missing or blank id'],
        ['Non-Numeric id found: x'],
        ['Invalid Fob id: 999999'],
        [`Credential id ${card.id} is not a Fob; delete it through /credential`],
      ]);
      const partial = await remove([fob.id, 999999], { validate_fails_batch: 'false' });
      expect(partial.body).toEqual({
        data: { submitted: 2, deleted: 1, errors: 1 },
        errors: [{ error: ['Invalid Fob id: 999999'], input_data: { id: 999999 } }],
      });
    });

    it('refuses another site’s fob', async () => {
      const other = await h.addSite('Other');
      await h.request('POST', '/api/v1/fob', { body: { fobs: [newFob()] }, as: other.credentials });
      const [theirs] = (await h.request('GET', '/api/v1/fob', { as: other.credentials })).body.data;
      expect(failures(await remove([theirs.id]))).toEqual([[`Invalid Fob id: ${theirs.id}`]]);
      expect(failures(await put([{ id: theirs.id, user_id: 0 }]))).toEqual([[`Invalid Fob id: ${theirs.id}`]]);
    });
  });
});
