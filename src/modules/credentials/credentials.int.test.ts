import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { itRequiresApiKey } from '../../../test/common-route-tests.ts';
import { createFob, createUsers, newFob, newUser } from '../../../test/factories/people.ts';
import { DIALECTS, type Harness, createHarness } from '../../../test/harness.ts';

const KEY = /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/;

describe.each(DIALECTS)('/credential on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.close();
  });

  const list = async (query = '') => (await h.request('GET', `/api/v1/credential${query}`)).body.data as Record<string, any>[];
  const claim = (keys: unknown[], options?: object, url = '/api/v1/credential?claim') =>
    h.request('POST', url, { body: { credentials: keys.map((credential_key) => ({ credential_key })), ...(options ? { options } : {}) } });
  const remove = (ids: unknown[], options?: object) =>
    h.request('DELETE', '/api/v1/credential', { body: { credentials: ids.map((id) => ({ id })), ...(options ? { options } : {}) } });
  const failures = (response: { body: { errors: { error: string[] }[] } }) => response.body.errors.map((e) => e.error);

  /** Two cardholders with a card each, and an unassigned fob. */
  async function seed() {
    const [test, rhea] = await createUsers(h, [
      newUser({ first_name: 'Test', last_name: 'User', card_num: '1003' }),
      newUser({ first_name: 'Rhea', last_name: 'Greswell', card_num: '1234' }),
    ]);
    const fob = await createFob(h, newFob({ name: 'Lobby Fob', card_num: '5599' }));
    return { test: test as Record<string, any>, rhea: rhea as Record<string, any>, fob };
  }

  describe('GET', () => {
    itRequiresApiKey(() => h, 'GET', '/api/v1/credential');

    it('lists every credential in id order, its holder as an array of one, [] when unassigned', async () => {
      const { test, rhea, fob } = await seed();
      expect(await list()).toEqual([
        {
          id: expect.any(Number),
          card_num: '1003',
          name: '1003',
          credential_key: test.credential_key,
          claim_status: 'Unclaimed',
          user: [{ id: test.id, name: 'User, Test' }],
        },
        {
          id: expect.any(Number),
          card_num: '1234',
          name: '1234',
          credential_key: expect.stringMatching(KEY),
          claim_status: 'Unclaimed',
          user: [{ id: rhea.id, name: 'Greswell, Rhea' }],
        },
        { id: fob.id, card_num: '5599', name: 'Lobby Fob', credential_key: fob.credential_key, claim_status: 'Unclaimed', user: [] },
      ]);
    });

    it('filters by ?user_id=, ?card_num= and ?id=', async () => {
      const { test, rhea } = await seed();
      const [rheaCard] = await list(`?user_id=${rhea.id}`);
      expect(rheaCard).toMatchObject({ card_num: '1234', user: [{ id: rhea.id }] });
      expect(await list(`?user_id=${rhea.id}`)).toHaveLength(1);
      expect((await list('?card_num=1003')).map((c) => c.user[0].id)).toEqual([test.id]);
      expect(await list(`?id=${rheaCard?.id}`)).toEqual([rheaCard]);
      for (const query of ['?user_id=999999', '?card_num=0000', '?id=999999', '?id=99999999999999']) {
        expect(await list(query), query).toEqual([]);
      }
    });

    it('refuses a blank or non-numeric filter and two filters at once', async () => {
      for (const [query, error] of [
        ['?id=', 'Missing or blank id'],
        ['?user_id=', 'Missing or blank user_id'],
        ['?user_id=abc', 'Invalid user_id: must be a non-blank whole number: abc'],
        ['?card_num=', 'Missing or blank card_num'],
        ['?id=1&card_num=1', 'Use at most one of id, user_id and card_num.'],
      ]) {
        const response = await h.request('GET', `/api/v1/credential${query}`);
        expect(response.status, query).toBe(400);
        expect(response.body, query).toEqual({ data: { error } });
      }
    });

    it('answers on the plural spelling and pages', async () => {
      await seed();
      expect((await h.request('GET', '/api/v1/credentials')).body.data).toHaveLength(3);
      const first = await list('?limit=2');
      expect(first).toHaveLength(2);
      expect(await list(`?limit=2&after_id=${first[1]?.id}`)).toHaveLength(1);
    });

    it('never shows another site’s credentials', async () => {
      const other = await h.addSite('Other');
      await h.request('POST', '/api/v1/user', { body: { users: [newUser({ card_num: '42' })] }, as: other.credentials });
      const [theirs] = (await h.request('GET', '/api/v1/credential', { as: other.credentials })).body.data;
      expect(await list()).toEqual([]);
      expect(await list(`?id=${theirs.id}`)).toEqual([]);
      expect(await list('?card_num=42')).toEqual([]);
      expect(await list(`?user_id=${theirs.user[0].id}`)).toEqual([]);
    });
  });

  it('describes credential through /object', async () => {
    const described = (await h.request('GET', '/api/v1/object?type=credential')).body.data;
    expect(described.map((p: { property: string; datatype: string }) => `${p.property}:${p.datatype}`)).toEqual([
      'id:integer',
      'card_num:string',
      'name:string',
      'credential_key:string',
      'claim_status:string',
      'user:object',
    ]);
  });

  describe('DELETE', () => {
    itRequiresApiKey(() => h, 'DELETE', '/api/v1/credential', { credentials: [{ id: 1 }] });

    it('deletes cards; the user stays, without a card', async () => {
      const { test } = await seed();
      const [card] = await list(`?user_id=${test.id}`);
      const response = await remove([card?.id]);
      expect(response.body).toEqual({ data: { submitted: 1, deleted: 1, errors: 0 } });
      const [user] = (await h.request('GET', `/api/v1/user?id=${test.id}`)).body.data;
      expect(user).toMatchObject({ card_num: '', credential_key: '', credentials: [] });
    });

    it('validates every id: missing, non-numeric, unknown, and refuses fobs', async () => {
      const { fob, test } = await seed();
      const [card] = await list(`?user_id=${test.id}`);
      const response = await h.request('DELETE', '/v1/credential', {
        body: { credentials: [{ id: card?.id }, {}, { id: 'x' }, { id: 999999 }, { id: fob.id }] },
      });
      expect(response.status).toBe(400);
      expect(failures(response)).toEqual([
        ['Missing or blank id'],
        ['Non-Numeric id found: x'],
        ['Invalid Credential id: 999999'],
        [`Credential id ${fob.id} is a Fob; delete it through /fob`],
      ]);
      expect(await list()).toHaveLength(3);
    });

    it('replays the spec’s example body: deletes the valid ids, reports the rest', async () => {
      const { test } = await seed();
      const [card] = await list(`?user_id=${test.id}`);
      const response = await h.request('DELETE', '/api/v1/credential', {
        body: { credentials: [{ id: card?.id }, { id: 236578 }], options: { validate_fails_batch: 'false' } },
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        data: { submitted: 2, deleted: 1, errors: 1 },
        errors: [{ error: ['Invalid Credential id: 236578'], input_data: { id: 236578 } }],
      });
    });

    it('refuses another site’s credential', async () => {
      const other = await h.addSite('Other');
      await h.request('POST', '/api/v1/user', { body: { users: [newUser({ card_num: '42' })] }, as: other.credentials });
      const [theirs] = (await h.request('GET', '/api/v1/credential', { as: other.credentials })).body.data;
      expect(failures(await remove([theirs.id]))).toEqual([[`Invalid Credential id: ${theirs.id}`]]);
    });
  });

  describe('GET /credentialsummary', () => {
    itRequiresApiKey(() => h, 'GET', '/api/v1/credentialsummary');

    it('counts the site’s credentials, claimed and unclaimed, as numbers', async () => {
      const empty = await h.request('GET', '/api/v1/credentialsummary');
      expect(empty.body).toEqual({ data: [{ credentials: 0, claimed: 0, unclaimed: 0 }] });
      const { test } = await seed();
      await claim([test.credential_key]);
      const other = await h.addSite('Other');
      await h.request('POST', '/api/v1/user', { body: { users: [newUser({ card_num: '42' })] }, as: other.credentials });
      const response = await h.request('GET', '/api/v1/credentialsummaries');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: [{ credentials: 3, claimed: 1, unclaimed: 2 }] });
    });
  });

  describe('POST ?claim (extension)', () => {
    itRequiresApiKey(() => h, 'POST', '/api/v1/credential?claim', { credentials: [{ credential_key: 'AAAA-BBBB-1111-2222' }] });

    it('claims a credential by its key, in any case', async () => {
      const { test } = await seed();
      const response = await claim([` ${test.credential_key.toLowerCase()} `]);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: { submitted: 1, processed: 1, errors: 0 } });
      const [card] = await list(`?user_id=${test.id}`);
      expect(card?.claim_status).toBe('Claimed');
    });

    it('refuses an unknown, malformed, already claimed or repeated key', async () => {
      const { test, rhea } = await seed();
      await claim([test.credential_key]);
      const response = await claim([test.credential_key, 'AAAA-BBBB-1111-2222', 'nope', rhea.credential_key, rhea.credential_key]);
      expect(response.status).toBe(400);
      expect(failures(response)).toEqual([
        [`Credential Already Claimed: ${test.credential_key}`],
        ['Unknown credential_key: AAAA-BBBB-1111-2222'],
        ['Invalid credential_key found (expected XXXX-XXXX-XXXX-XXXX): nope'],
        [`credential_key Duplicated In Batch: ${rhea.credential_key}`],
      ]);
      // The failed batch claimed nothing.
      expect((await list(`?user_id=${rhea.id}`))[0]?.claim_status).toBe('Unclaimed');
      const partial = await claim([rhea.credential_key, 'AAAA-BBBB-1111-2222'], { validate_fails_batch: false });
      expect(partial.body).toEqual({
        data: { submitted: 2, processed: 1, errors: 1 },
        errors: [{ error: ['Unknown credential_key: AAAA-BBBB-1111-2222'], input_data: { credential_key: 'AAAA-BBBB-1111-2222' } }],
      });
    });

    it('refuses another site’s key', async () => {
      const other = await h.addSite('Other');
      await h.request('POST', '/api/v1/user', { body: { users: [newUser({ card_num: '42' })] }, as: other.credentials });
      const [theirs] = (await h.request('GET', '/api/v1/credential', { as: other.credentials })).body.data;
      expect(failures(await claim([theirs.credential_key]))).toEqual([[`Unknown credential_key: ${theirs.credential_key}`]]);
    });

    it('needs ?claim', async () => {
      const { test } = await seed();
      const response = await claim([test.credential_key], undefined, '/api/v1/credential');
      expect(response.status).toBe(400);
      expect(response.body.result).toEqual(['POST /credential claims credentials: call it as POST /credential?claim.']);
    });

    it('lets only one of two concurrent claims of a key succeed', async () => {
      const { test } = await seed();
      const responses = await Promise.all([claim([test.credential_key]), claim([test.credential_key])]);
      expect(responses.map((r) => r.status).sort()).toEqual([200, 400]);
      expect(responses.find((r) => r.status === 400)?.body.errors[0].error).toEqual([`Credential Already Claimed: ${test.credential_key}`]);
    });
  });
});
