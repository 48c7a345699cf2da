import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { itRequiresApiKey } from '../../../test/common-route-tests.ts';
import { createFob, createUsers, newFob, newUser, postUsers, queryCounter, seedAccessLevel, seedCardholder } from '../../../test/factories/people.ts';
import { seedUser } from '../../../test/factories/access.ts';
import { DIALECTS, type Harness, createHarness } from '../../../test/harness.ts';
import { buildApp } from '../../app.ts';
import { fixedClock } from '../../lib/clock.ts';
import { hashPin } from '../../lib/pins.ts';
import { changeSite } from '../sites/sites.service.ts';

const KEY = /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/;

describe.each(DIALECTS)('/user on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.close();
  });

  const list = async (query = '') => (await h.request('GET', `/api/v1/user${query}`)).body.data as Record<string, any>[];
  const getUser = async (id: number) => (await list(`?id=${id}`))[0] as Record<string, any>;
  const put = (user: Record<string, unknown>, options?: Record<string, unknown>) =>
    h.request('PUT', '/api/v1/user', { body: { users: [user], ...(options ? { options } : {}) } });
  const remove = (users: Record<string, unknown>[], options?: Record<string, unknown>) =>
    h.request('DELETE', '/api/v1/user', { body: { users, ...(options ? { options } : {}) } });
  const failures = (response: { body: { errors: { error: string[] }[] } }) => response.body.errors.map((e) => e.error);

  describe('GET', () => {
    itRequiresApiKey(() => h, 'GET', '/api/v1/user');

    it('lists cardholders in id order, in the spec’s shape, never a PIN', async () => {
      const office = await seedAccessLevel(h.store.db, h.site.id, 'Office Doors');
      await postUsers(h, [
        newUser({
          id_num: '329359',
          first_name: 'Susan3',
          last_name: 'Brown3',
          email: 'susan.brown@web.place',
          phone: '33344455555',
          card_num: '8769',
          pin: '8822',
          access_effective: '2022-07-10 09:00:00',
          access_expires: '2030-07-10T12:00:00Z',
          accesslevels: [{ id: office }],
        }),
        newUser({ id_num: 'B', enabled: 'false' }),
      ]);
      const users = await list();
      expect(users).toEqual([
        {
          id: expect.any(Number),
          id_num: '329359',
          first_name: 'Susan3',
          last_name: 'Brown3',
          card_num: '8769',
          credential_key: expect.stringMatching(KEY),
          email: 'susan.brown@web.place',
          phone: '33344455555',
          pin: '****',
          access_effective: '2022-07-10T09:00:00.000Z',
          access_expires: '2030-07-10T12:00:00.000Z',
          enabled: true,
          accesslevels: [{ id: office, unid: office, name: 'Office Doors' }],
        },
        expect.objectContaining({
          id_num: 'B',
          card_num: '',
          credential_key: '',
          access_effective: '',
          access_expires: '',
          enabled: false,
          accesslevels: [],
        }),
      ]);
      expect(users[0]?.id).toBeLessThan(users[1]?.id);
      expect(JSON.stringify(users)).not.toContain('8822');
    });

    it('reads zone-less times in the site’s zone and shows them in UTC', async () => {
      await changeSite(h.store.db, h.site.id, { timezone: 'America/New_York' });
      await postUsers(h, [newUser({ access_effective: '2022-07-10 09:00:00', access_expires: '2022-12-10T09:00:00+01:00' })]);
      expect((await list())[0]).toMatchObject({ access_effective: '2022-07-10T13:00:00.000Z', access_expires: '2022-12-10T08:00:00.000Z' });
    });

    it('shows "" for the PIN of a user who has none', async () => {
      await seedCardholder(h.store.db, h.site.id, { idNum: 'NOPIN' });
      expect((await list())[0]).toMatchObject({ id_num: 'NOPIN', pin: '', email: '' });
    });

    it('answers on the plural and /v1 spellings too', async () => {
      await postUsers(h, [newUser()]);
      for (const url of ['/api/v1/users', '/v1/user/', '/api/v1/users/']) {
        const response = await h.request('GET', url);
        expect(response.status, url).toBe(200);
        expect(response.body.data, url).toHaveLength(1);
      }
    });

    it('reads one cardholder by ?id=, ?id_num= and ?idnum=, with every credential, fobs included', async () => {
      const [user] = await createUsers(h, [newUser({ id_num: 'ABC123-98765', card_num: '8769' })]);
      const fob = await createFob(h, newFob({ name: 'Fob 1A', card_num: '10050' }));
      await h.request('PUT', '/api/v1/fob', { body: { fobs: [{ id: fob.id, user_id: user?.id }] } });
      for (const query of [`?id=${user?.id}`, '?id_num=ABC123-98765', '?idnum=ABC123-98765']) {
        const [found, ...rest] = await list(query);
        expect(rest, query).toEqual([]);
        expect(found, query).toMatchObject({ id: user?.id, card_num: '8769' });
        expect(found?.credentials, query).toEqual([
          { id: expect.any(Number), name: '8769', card_num: '8769', credential_key: found?.credential_key, fob: false },
          { id: fob.id, name: 'Fob 1A', card_num: '10050', credential_key: fob.credential_key, fob: true },
        ]);
      }
      // The plain list does not carry credentials.
      expect((await list())[0]).not.toHaveProperty('credentials');
    });

    it('reads by ?id= the record ?id_num= reads, levels and credentials each in id order, or none held; none past after_id, no operator', async () => {
      const first = await seedAccessLevel(h.store.db, h.site.id, 'First');
      const second = await seedAccessLevel(h.store.db, h.site.id, 'Second');
      const [user, other] = await createUsers(h, [
        newUser({ id_num: 'WHOLE', card_num: '4242', accesslevels: [{ id: second }, { id: first }] }),
        newUser({ id_num: 'OTHER', card_num: '5151', accesslevels: [{ id: second }] }),
      ]);
      for (const name of ['Fob B', 'Fob A']) {
        const fob = await createFob(h, newFob({ name }));
        await h.request('PUT', '/api/v1/fob', { body: { fobs: [{ id: fob.id, user_id: user?.id }] } });
      }
      const [byId] = await list(`?id=${user?.id}`);
      expect(byId).toEqual((await list('?id_num=WHOLE'))[0]);
      expect(byId?.accesslevels.map((l: { id: number }) => l.id)).toEqual([first, second]);
      expect(byId?.credentials.map((c: { name: string }) => c.name)).toEqual(['4242', 'Fob B', 'Fob A']);
      expect((await list(`?id=${other?.id}`))[0]).toEqual((await list('?id_num=OTHER'))[0]);
      // A cardholder holding no level and no credential is read whole too.
      const [bare] = await createUsers(h, [newUser({ id_num: 'BARE' })]);
      const [bareById] = await list(`?id=${bare?.id}`);
      expect(bareById).toEqual((await list('?id_num=BARE'))[0]);
      expect([bareById?.id_num, bareById?.accesslevels, bareById?.credentials]).toEqual(['BARE', [], []]);
      expect(await list(`?id=${user?.id}&after_id=${user?.id}`)).toEqual([]);
      const operator = await seedUser(h.store.db, h.site.id, 'Manager', 'manager');
      expect(await list(`?id=${operator}`)).toEqual([]);
    });

    it('answers an unknown id or id_num with an empty list', async () => {
      for (const query of ['?id=999999', '?id_num=nobody', '?id=99999999999999']) {
        const response = await h.request('GET', `/api/v1/user${query}`);
        expect(response.status, query).toBe(200);
        expect(response.body, query).toEqual({ data: [] });
      }
    });

    it('refuses a blank or non-numeric ?id= and a blank ?id_num= rather than listing everyone (known issue)', async () => {
      await postUsers(h, [newUser()]);
      for (const [query, error] of [
        ['?id=', 'Missing or blank id'],
        ['?id', 'Missing or blank id'],
        ['?id=abc', 'Invalid id: must be a non-blank whole number: abc'],
        ['?id=-3', 'Invalid id: must be a non-blank whole number: -3'],
        ['?id_num=', 'Missing or blank id_num'],
        ['?id_num=%20', 'Missing or blank id_num'],
        ['?idnum=', 'Missing or blank idnum'],
      ]) {
        const response = await h.request('GET', `/api/v1/user${query}`);
        expect(response.status, query).toBe(400);
        expect(response.body, query).toEqual({ data: { error } });
      }
    });

    it('refuses two selections at once', async () => {
      const response = await h.request('GET', '/api/v1/user?id=1&missingcreds');
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ data: { error: 'Use only one of id, missingcreds.' } });
    });

    it('lists with ?missingcreds the cardholders holding no credential at all', async () => {
      const [carded, bare, fobbed] = await createUsers(h, [newUser({ card_num: '100' }), newUser(), newUser()]);
      const fob = await createFob(h);
      await h.request('PUT', '/api/v1/fob', { body: { fobs: [{ id: fob.id, user_id: fobbed?.id }] } });
      const missing = await list('?missingcreds');
      expect(missing.map((u) => u.id)).toEqual([bare?.id]);
      expect(missing.map((u) => u.id)).not.toContain(carded?.id);
    });

    it('pages with limit and after_id', async () => {
      await postUsers(h, [newUser({ id_num: 'A' }), newUser({ id_num: 'B' }), newUser({ id_num: 'C' })]);
      const first = await list('?limit=2');
      expect(first.map((u) => u.id_num)).toEqual(['A', 'B']);
      expect((await list(`?limit=2&after_id=${first[1]?.id}`)).map((u) => u.id_num)).toEqual(['C']);
    });

    it('never shows another site’s users', async () => {
      const other = await h.addSite('Other');
      await h.request('POST', '/api/v1/user', { body: { users: [newUser({ id_num: 'SECRET' })] }, as: other.credentials });
      const [theirs] = (await h.request('GET', '/api/v1/user', { as: other.credentials })).body.data;
      expect(await list()).toEqual([]);
      expect(await list(`?id=${theirs.id}`)).toEqual([]);
      expect(await list('?id_num=SECRET')).toEqual([]);
    });
  });

  describe('POST', () => {
    itRequiresApiKey(() => h, 'POST', '/api/v1/user', { users: [newUser()] });

    it('inserts users with id -1, a card for each card_num, and their access levels', async () => {
      const level = await seedAccessLevel(h.store.db, h.site.id, 'Cardholder');
      const response = await postUsers(h, [newUser({ card_num: 5588, accesslevels: [{ id: String(level) }] }), newUser()]);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: { submitted: 2, inserted: 2, updated: 0, errors: 0 } });
      const [first, second] = await list();
      expect(first).toMatchObject({ card_num: '5588', credential_key: expect.stringMatching(KEY), accesslevels: [{ id: level }] });
      expect(second).toMatchObject({ card_num: '', accesslevels: [] });
      const [credential] = (await h.request('GET', `/api/v1/credential?user_id=${first?.id}`)).body.data;
      expect(credential).toMatchObject({ name: '5588', card_num: '5588', claim_status: 'Unclaimed' });
    });

    it('stores the PIN as an HMAC under the site’s secret, never the PIN', async () => {
      await postUsers(h, [newUser({ pin: 1234 })]);
      const { pin_hash: pinHash } = await h.store.db.selectFrom('user').select('pin_hash').executeTakeFirstOrThrow();
      const { pin_secret: secret } = await h.store.db.selectFrom('site').select('pin_secret').where('id', '=', h.site.id).executeTakeFirstOrThrow();
      expect(pinHash).toBe(hashPin('1234', secret));
      expect(pinHash).not.toContain('1234');
    });

    it('reports the spec’s example errors: a non-numeric card and a malformed email', async () => {
      await seedAccessLevel(h.store.db, h.site.id, 'Housekeeping', 574);
      const record = {
        id: -1,
        id_num: 'qjwi-880329359',
        first_name: 'Rhea',
        last_name: 'Greswell',
        card_num: 'A8914',
        email: 'rgreswell0@@@@gravatar.com',
        phone: '8184365134',
        access_effective: '2022-01-24 00:00:00',
        access_expires: '2022-10-29 00:00:00',
        pin: '0986',
        enabled: false,
        accesslevels: [{ id: 574 }],
      };
      const response = await postUsers(h, [record]);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        result: ['Validation errors found. Batch has failed. Details provided.'],
        errors: [{ error: ['Non-Numeric card_num found: A8914', 'Invalid email address found: rgreswell0@@@@gravatar.com'], input_data: record }],
      });
    });

    it('reports every validation row of the spec, each naming the field', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ first_name: undefined }, 'Missing or blank first_name'],
        [{ first_name: '  ' }, 'Missing or blank first_name'],
        [{ last_name: '' }, 'Missing or blank last_name'],
        [{ email: undefined }, 'Missing or blank email'],
        [{ email: '' }, 'Missing or blank email'],
        [{ email: 'no-at-sign.example.com' }, 'Invalid email address found: no-at-sign.example.com'],
        [{ phone: undefined }, 'Missing or blank phone'],
        [{ phone: 'call me' }, 'Invalid phone number found: call me'],
        [{ phone: '12' }, 'Invalid phone number found: 12'],
        [{ id_num: ' ' }, 'Missing or blank id_num'],
        [{ id_num: undefined }, 'Missing or blank id_num'],
        [{ id: undefined }, 'Missing or blank id'],
        [{ id: '' }, 'Missing or blank id'],
        [{ id: 'x1' }, 'Non-Numeric id found: x1'],
        [{ card_num: '12a' }, 'Non-Numeric card_num found: 12a'],
        [{ card_num: '12345678901' }, 'Invalid card_num length found (at most 10 digits): 12345678901'],
        [{ pin: undefined }, 'Missing or blank pin'],
        [{ pin: '' }, 'Missing or blank pin'],
        [{ pin: '12ab' }, 'Non-Numeric pin found: 12ab'],
        [{ pin: '123' }, 'Invalid pin length found (4 to 8 digits)'],
        [{ pin: 123456789 }, 'Invalid pin length found (4 to 8 digits)'],
        [{ access_effective: '2022-02-30 00:00:00' }, 'Invalid access_effective date found: 2022-02-30 00:00:00'],
        [{ access_expires: 'tomorrow' }, 'Invalid access_expires date found: tomorrow'],
        [{ accesslevels: [{ id: 999999 }] }, 'Invalid access level id found: 999999'],
        [{ accesslevels: 'all' }, 'Invalid accesslevels found (expected an array of {"id": n}): all'],
        [{ enabled: 'yes' }, 'Invalid enabled found (expected true or false): yes'],
      ];
      for (const [change, message] of cases) {
        const record = newUser(change);
        for (const [key, value] of Object.entries(change)) if (value === undefined) delete record[key];
        const response = await postUsers(h, [record]);
        expect(response.status, message).toBe(400);
        expect(failures(response), message).toEqual([[message]]);
      }
      expect(await list()).toEqual([]);
    });

    it('measures card numbers and PINs against the site’s own limits', async () => {
      await changeSite(h.store.db, h.site.id, { cardNumMaxLength: 4, pinMinLength: 6, pinMaxLength: 6 });
      const response = await postUsers(h, [newUser({ card_num: '12345', pin: '1234' }), newUser({ card_num: '1234', pin: '123456' })]);
      expect(failures(response)).toEqual([['Invalid card_num length found (at most 4 digits): 12345', 'Invalid pin length found (6 to 6 digits)']]);
    });

    it('refuses an access level twice in one record, and another site’s level', async () => {
      const mine = await seedAccessLevel(h.store.db, h.site.id, 'Mine');
      const other = await h.addSite('Other');
      const theirs = await seedAccessLevel(h.store.db, other.site.id, 'Theirs');
      const response = await postUsers(h, [newUser({ accesslevels: [{ id: mine }, { id: mine }, { id: theirs }] })]);
      expect(failures(response)).toEqual([[`Duplicate Assigned Access Level id: ${mine}`, `Invalid access level id found: ${theirs}`]]);
    });

    it('refuses an id_num, email or card number already in the store (email case-insensitively)', async () => {
      await postUsers(h, [newUser({ id_num: 'ABC123', email: 'toby.peters@web.place', card_num: '8769' })]);
      const response = await postUsers(h, [newUser({ id_num: 'ABC123', email: 'Toby.Peters@WEB.place', card_num: '8769' })]);
      expect(response.status).toBe(400);
      expect(failures(response)).toEqual([
        ['ID Number Already Exists: ABC123', 'Email Already Exists: Toby.Peters@WEB.place', 'Card Number Already Exists: 8769'],
      ]);
    });

    it('refuses a card number a fob already carries', async () => {
      await createFob(h, newFob({ card_num: '10050' }));
      const response = await postUsers(h, [newUser({ card_num: '10050' })]);
      expect(failures(response)).toEqual([['Card Number Already Exists: 10050']]);
    });

    it('refuses an id_num, email or card number repeated within the batch (known issue)', async () => {
      const response = await postUsers(h, [
        newUser({ id_num: 'X1', email: 'same@example.com', card_num: '42' }),
        newUser({ id_num: 'X1', email: 'SAME@example.com', card_num: 42 }),
      ]);
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        {
          error: ['ID Number Duplicated In Batch: X1', 'Email Duplicated In Batch: SAME@example.com', 'Card Number Duplicated In Batch: 42'],
          input_data: expect.objectContaining({ id_num: 'X1' }),
        },
      ]);
      expect(await list()).toEqual([]);
    });

    it('writes the valid records and reports the others when validate_fails_batch is false', async () => {
      const response = await postUsers(h, [newUser({ id_num: 'OK' }), newUser({ email: 'bad' })], { validate_fails_batch: 'false' });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        data: { submitted: 2, inserted: 1, updated: 0, errors: 1 },
        errors: [{ error: ['Invalid email address found: bad'], input_data: expect.objectContaining({ email: 'bad' }) }],
      });
      expect((await list()).map((u) => u.id_num)).toEqual(['OK']);
    });

    it('refuses a batch larger than the key allows', async () => {
      const response = await postUsers(
        h,
        Array.from({ length: 101 }, () => newUser()),
      );
      expect(response.status).toBe(400);
      expect(response.body.result).toEqual(['Batch size exceeds maximum of 100 objects.']);
    });

    it('refuses an unknown option value', async () => {
      const response = await postUsers(h, [newUser()], { update_existing: 'maybe' });
      expect(response.status).toBe(400);
      expect(response.body.result).toEqual(['Invalid value for option update_existing: maybe (expected true or false)']);
    });

    describe('Behaviors', () => {
      it('ignores updates when update_existing is false (the default): counted, neither written nor an error', async () => {
        const [user] = await createUsers(h, [newUser({ first_name: 'Before' })]);
        for (const options of [undefined, { update_existing: false }]) {
          const response = await postUsers(h, [newUser({ id: user?.id, id_num: user?.id_num, email: user?.email, first_name: 'After' })], options);
          expect(response.body).toEqual({ data: { submitted: 1, inserted: 0, updated: 0, errors: 0 } });
        }
        expect((await getUser(user?.id)).first_name).toBe('Before');
      });

      it('updates by id when update_existing is true, keeping the user’s own id_num and email', async () => {
        const [user] = await createUsers(h, [newUser({ first_name: 'Before', email: 'me@example.com' })]);
        const response = await postUsers(
          h,
          [newUser({ id: String(user?.id), id_num: user?.id_num, email: 'ME@example.com', first_name: 'After', enabled: false })],
          { update_existing: true },
        );
        expect(response.body).toEqual({ data: { submitted: 1, inserted: 0, updated: 1, errors: 0 } });
        expect(await getUser(user?.id)).toMatchObject({ first_name: 'After', email: 'ME@example.com', enabled: false });
      });

      it('matches updates by id only, then checks id_num and email against the other users', async () => {
        const [a, b] = await createUsers(h, [newUser({ id_num: 'A', email: 'a@example.com' }), newUser({ id_num: 'B', email: 'b@example.com' })]);
        const response = await postUsers(h, [newUser({ id: a?.id, id_num: 'B', email: 'b@example.com' })], { update_existing: true });
        expect(failures(response)).toEqual([['ID Number Already Exists: B', 'Email Already Exists: b@example.com']]);
        // An insert carrying an existing id_num is not an update of that user (the old matching rule).
        const insert = await postUsers(h, [newUser({ id_num: 'A' })], { update_existing: true });
        expect(failures(insert)).toEqual([['ID Number Already Exists: A']]);
        expect((await getUser(b?.id)).id_num).toBe('B');
      });

      it('refuses an id that is not a cardholder of this site, whatever update_existing says', async () => {
        const other = await h.addSite('Other');
        await h.request('POST', '/api/v1/user', { body: { users: [newUser()] }, as: other.credentials });
        const [theirs] = (await h.request('GET', '/api/v1/user', { as: other.credentials })).body.data;
        for (const update_existing of [true, false]) {
          const response = await postUsers(h, [newUser({ id: 999999 }), newUser({ id: theirs.id }), newUser({ id: -5 })], { update_existing });
          expect(failures(response)).toEqual([['Invalid User id: 999999'], [`Invalid User id: ${theirs.id}`], ['Invalid User id: -5']]);
        }
      });

      it('uses card_num on update only for a user with no card yet', async () => {
        const [carded, bare] = await createUsers(h, [newUser({ card_num: '111' }), newUser()]);
        const response = await postUsers(h, [newUser({ ...pick(carded), card_num: '222' }), newUser({ ...pick(bare), card_num: '333' })], {
          update_existing: true,
        });
        expect(response.body.data).toEqual({ submitted: 2, inserted: 0, updated: 2, errors: 0 });
        expect((await getUser(carded?.id)).credentials.map((c: { card_num: string }) => c.card_num)).toEqual(['111']);
        expect((await getUser(bare?.id)).card_num).toBe('333');
      });

      it('removes every card but no fob with card_num -1', async () => {
        const [user] = await createUsers(h, [newUser({ card_num: '111' })]);
        const fob = await createFob(h);
        await h.request('PUT', '/api/v1/fob', { body: { fobs: [{ id: fob.id, user_id: user?.id }] } });
        const response = await postUsers(h, [newUser({ ...pick(user), card_num: -1 })], { update_existing: true });
        expect(response.body.data.updated).toBe(1);
        const after = await getUser(user?.id);
        expect(after.card_num).toBe('');
        expect(after.credentials).toEqual([expect.objectContaining({ id: fob.id, fob: true })]);
      });

      it('adds access levels with replace_privileges false, replaces them with true, clears them with [] and true', async () => {
        const [l1, l2, l3] = [
          await seedAccessLevel(h.store.db, h.site.id, 'L1'),
          await seedAccessLevel(h.store.db, h.site.id, 'L2'),
          await seedAccessLevel(h.store.db, h.site.id, 'L3'),
        ];
        const [user] = await createUsers(h, [newUser({ accesslevels: [{ id: l1 }] })]);
        const levels = async () => (await getUser(user?.id)).accesslevels.map((l: { id: number }) => l.id);
        const update = (accesslevels: unknown, replace_privileges?: unknown) =>
          postUsers(h, [newUser({ ...pick(user), ...(accesslevels !== undefined ? { accesslevels } : {}) })], {
            update_existing: true,
            ...(replace_privileges !== undefined ? { replace_privileges } : {}),
          });

        await update([{ id: l2 }, { id: l1 }], 'false');
        expect(await levels()).toEqual([l1, l2]);
        await update([{ id: l3 }]); // replace_privileges defaults to true
        expect(await levels()).toEqual([l3]);
        await update(undefined, true); // not sent: unchanged
        expect(await levels()).toEqual([l3]);
        await update([], false); // nothing to add
        expect(await levels()).toEqual([l3]);
        await update({}, true); // "an empty object"
        expect(await levels()).toEqual([]);
        await update([{ id: l1 }], true);
        await update([], true);
        expect(await levels()).toEqual([]);
      });

      it('writes the records without errors when validate_fails_batch is false, updates and inserts alike', async () => {
        const [user] = await createUsers(h, [newUser({ first_name: 'Before' })]);
        const response = await postUsers(h, [newUser({ ...pick(user), first_name: 'After' }), newUser({ id: 424242 }), newUser({ id_num: 'NEW' })], {
          update_existing: 'true',
          validate_fails_batch: 'false',
        });
        expect(response.body).toEqual({
          data: { submitted: 3, inserted: 1, updated: 1, errors: 1 },
          errors: [{ error: ['Invalid User id: 424242'], input_data: expect.objectContaining({ id: 424242 }) }],
        });
        expect((await getUser(user?.id)).first_name).toBe('After');
      });

      it('replays the spec’s example body: string booleans, string options, the same card twice', async () => {
        await seedAccessLevel(h.store.db, h.site.id, 'Level 123', 123);
        await seedAccessLevel(h.store.db, h.site.id, 'Level 789', 789);
        await seedCardholder(h.store.db, h.site.id, { id: 4432, idNum: 'OLD-1' });
        await seedCardholder(h.store.db, h.site.id, { id: 7612, idNum: 'OLD-2' });
        const body = {
          users: [
            {
              id: 4432,
              id_num: 'ABC123',
              last_name: 'Peters',
              first_name: 'Toby',
              card_num: '8769',
              credential_key: '',
              email: 'toby.peters@web.place',
              pin: '1234',
              phone: '33344455555',
              access_effective: '',
              access_expires: '',
              enabled: 'true',
              accesslevels: [{ id: 123 }, { id: 789 }],
            },
            {
              id: 7612,
              id_num: 'DEF567',
              last_name: 'Wilson',
              first_name: 'Dana',
              card_num: '8769',
              credential_key: '',
              email: 'dana.wilson@web.place',
              pin: '4567',
              phone: '33344455555',
              access_effective: '',
              access_expires: '',
              enabled: 'true',
              accesslevels: [{ id: 123 }, { id: 789 }],
            },
          ],
          options: { update_existing: 'true', validate_fails_batch: 'false', replace_privileges: 'true' },
        };
        const response = await h.request('POST', '/api/v1/user', { body });
        expect(response.status).toBe(200);
        expect(response.body).toEqual({
          data: { submitted: 2, inserted: 0, updated: 1, errors: 1 },
          errors: [{ error: ['Card Number Duplicated In Batch: 8769'], input_data: body.users[1] }],
        });
        expect(await getUser(4432)).toMatchObject({
          id_num: 'ABC123',
          first_name: 'Toby',
          card_num: '8769',
          enabled: true,
          accesslevels: [
            { id: 123, unid: 123, name: 'Level 123' },
            { id: 789, unid: 789, name: 'Level 789' },
          ],
        });
        expect((await getUser(7612)).id_num).toBe('OLD-2');
      });

      it('requires the PIN on update too, as the validation table has it: the spec’s Python example omits it', async () => {
        await seedCardholder(h.store.db, h.site.id, { id: 4432, idNum: 'OLD-1' });
        const record = {
          id: 4432,
          id_num: 'ABC123',
          last_name: 'Peters',
          first_name: 'Toby',
          card_num: '5588',
          credential_key: '',
          email: 'toby.peters@web.place',
          phone: '33344455555',
          access_effective: '',
          access_expires: '',
          enabled: 'true',
        };
        const response = await postUsers(h, [record], { update_existing: 'true', validate_fails_batch: 'true', replace_privileges: 'true' });
        expect(response.status).toBe(400);
        expect(response.body.errors).toEqual([{ error: ['Missing or blank pin'], input_data: record }]);
        expect((await postUsers(h, [{ ...record, pin: '1234' }], { update_existing: 'true' })).body.data.updated).toBe(1);
      });

      it('lets two users share a PIN unless the site asks for unique PINs (known issue)', async () => {
        const [first] = await createUsers(h, [newUser({ pin: '1111' })]);
        expect((await postUsers(h, [newUser({ pin: '1111' })])).status).toBe(200);

        await changeSite(h.store.db, h.site.id, { uniquePins: true });
        const response = await postUsers(h, [newUser({ pin: '1111' }), newUser({ pin: '2222' }), newUser({ pin: 2222 })]);
        expect(failures(response)).toEqual([['PIN Already Exists'], ['PIN Duplicated In Batch']]);
        // A user keeping their own PIN does not clash with themself.
        const keep = await postUsers(h, [newUser({ ...pick(first), pin: '1111' })], { update_existing: true });
        expect(failures(keep)).toEqual([['PIN Already Exists']]); // the other holder of 1111 still does
      });
    });

    it('lets only one of two concurrent batches take an email or a card number', async () => {
      for (const [a, b, message] of [
        [newUser({ email: 'race@example.com' }), newUser({ email: 'RACE@example.com' }), /^Email Already Exists/],
        [newUser({ card_num: '777' }), newUser({ card_num: '777' }), /^Card Number Already Exists: 777$/],
      ] as const) {
        const responses = await Promise.all([postUsers(h, [a]), postUsers(h, [b])]);
        expect(responses.map((r) => r.status).sort()).toEqual([200, 400]);
        const loser = responses.find((r) => r.status === 400);
        expect(loser?.body.errors[0].error[0]).toMatch(message);
      }
    });

    it('runs the same few queries for a batch of 100 as for a batch of 10', async () => {
      const counter = queryCounter();
      const app = await buildApp({ db: h.store.db.withPlugin(counter), clock: h.clock });
      const post = async (users: Record<string, unknown>[], options?: object) => {
        counter.count = 0;
        const response = await app.inject({
          method: 'POST',
          url: '/api/v1/user',
          headers: { ...h.credentials, 'content-type': 'application/json' },
          payload: JSON.stringify({ users, options }),
        });
        expect(response.statusCode, response.body).toBe(200);
        return counter.count;
      };
      const level = await seedAccessLevel(h.store.db, h.site.id, 'L');
      try {
        const small = await post(Array.from({ length: 10 }, (_, i) => newUser({ card_num: 1000 + i, accesslevels: [{ id: level }] })));
        const large = await post(Array.from({ length: 100 }, (_, i) => newUser({ card_num: 2000 + i, accesslevels: [{ id: level }] })));
        expect(large).toBe(small);
        const users = (await h.request('GET', '/api/v1/user')).body.data as { id: number; id_num: string; email: string }[];
        const updates = (n: number, offset: number) =>
          users
            .slice(offset, offset + n)
            .map((u) => newUser({ id: u.id, id_num: u.id_num, email: u.email, first_name: 'Changed', accesslevels: [] }));
        const smallUpdate = await post(updates(10, 0), { update_existing: true });
        const largeUpdate = await post(updates(100, 10), { update_existing: true });
        expect(largeUpdate).toBe(smallUpdate);
        expect(largeUpdate).toBeLessThanOrEqual(15);
      } finally {
        await app.close();
      }
    });
  });

  describe('PUT', () => {
    itRequiresApiKey(() => h, 'PUT', '/api/v1/user', { users: [{ id: 1 }] });

    it('changes only the properties sent', async () => {
      const [user] = await createUsers(h, [newUser({ first_name: 'Toby', phone: '33344455555' })]);
      const response = await put({ id: String(user?.id), first_name: 'Tobias' });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: { submitted: 1, inserted: 0, updated: 1, errors: 0 } });
      const after = await getUser(user?.id);
      expect(after).toEqual({ ...user, first_name: 'Tobias' });
    });

    it('replays the spec’s full-object example', async () => {
      const level = await seedAccessLevel(h.store.db, h.site.id, 'Level 188', 188);
      const [user] = await createUsers(h, [newUser()]);
      const response = await h.request('PUT', '/v1/user/', {
        body: {
          users: [
            {
              id: String(user?.id),
              enabled: true,
              access_effective: '',
              access_expires: '2099-09-20 08:00:00',
              card_num: '123456',
              accesslevels: [{ id: level }],
            },
          ],
          options: { validate_fails_batch: 'true', replace_privileges: 'true' },
        },
      });
      expect(response.body).toEqual({ data: { submitted: 1, inserted: 0, updated: 1, errors: 0 } });
      expect(await getUser(user?.id)).toMatchObject({
        enabled: true,
        access_effective: '',
        access_expires: '2099-09-20T08:00:00.000Z',
        card_num: '123456',
        accesslevels: [{ id: 188, unid: 188, name: 'Level 188' }],
      });
    });

    it('updates the PIN, email and id_num under the same rules as POST', async () => {
      const [user, other] = await createUsers(h, [newUser(), newUser({ email: 'taken@example.com' })]);
      expect((await put({ id: user?.id, pin: '99887766', email: 'new@example.com', id_num: 'NEW-1' })).status).toBe(200);
      expect(await getUser(user?.id)).toMatchObject({ email: 'new@example.com', id_num: 'NEW-1', pin: '****' });
      const refused = await put({ id: user?.id, email: 'TAKEN@example.com', id_num: other?.id_num, pin: '', phone: 'x' });
      expect(failures(refused)).toEqual([
        [
          'Invalid phone number found: x',
          'Missing or blank pin',
          `ID Number Already Exists: ${other?.id_num}`,
          'Email Already Exists: TAKEN@example.com',
        ],
      ]);
    });

    it('requires an id naming a cardholder of the site', async () => {
      for (const [user, message] of [
        [{ first_name: 'X' }, 'Missing or blank id'],
        [{ id: '' }, 'Missing or blank id'],
        [{ id: 'abc' }, 'Non-Numeric id found: abc'],
        [{ id: -1 }, 'Invalid User id: -1'],
        [{ id: 999999 }, 'Invalid User id: 999999'],
      ] as const) {
        const response = await put(user);
        expect(response.status, message).toBe(400);
        expect(failures(response), message).toEqual([[message]]);
      }
    });

    it('takes one user per call', async () => {
      const response = await h.request('PUT', '/api/v1/user', { body: { users: [{ id: 1 }, { id: 2 }] } });
      expect(response.status).toBe(400);
      expect(response.body.result).toEqual(['Batch size exceeds maximum of 1 objects.']);
    });

    it('uses card_num only for a user with no card, and -1 to remove the cards', async () => {
      const [carded, bare] = await createUsers(h, [newUser({ card_num: '111' }), newUser()]);
      await put({ id: carded?.id, card_num: '222' });
      expect((await getUser(carded?.id)).card_num).toBe('111');
      await put({ id: bare?.id, card_num: '333' });
      expect((await getUser(bare?.id)).card_num).toBe('333');
      await put({ id: carded?.id, card_num: '-1' });
      expect((await getUser(carded?.id)).credentials).toEqual([]);
      expect(failures(await put({ id: bare?.id, card_num: 'A1' }))).toEqual([['Non-Numeric card_num found: A1']]);
    });

    it('adds or replaces access levels as replace_privileges says', async () => {
      const l1 = await seedAccessLevel(h.store.db, h.site.id, 'L1');
      const l2 = await seedAccessLevel(h.store.db, h.site.id, 'L2');
      const [user] = await createUsers(h, [newUser({ accesslevels: [{ id: l1 }] })]);
      await put({ id: user?.id, accesslevels: [{ id: l2 }] }, { replace_privileges: 'false' });
      expect((await getUser(user?.id)).accesslevels.map((l: { id: number }) => l.id)).toEqual([l1, l2]);
      await put({ id: user?.id, accesslevels: [{ id: l2 }] });
      expect((await getUser(user?.id)).accesslevels.map((l: { id: number }) => l.id)).toEqual([l2]);
      await put({ id: user?.id, accesslevels: [] }, { replace_privileges: true });
      expect((await getUser(user?.id)).accesslevels).toEqual([]);
    });

    it('refuses access_effective not before access_expires, and an access_expires already past', async () => {
      const [user] = await createUsers(h, [newUser()]);
      const backwards = await put({ id: user?.id, access_effective: '2099-02-01 00:00:00', access_expires: '2099-01-01 00:00:00' });
      expect(failures(backwards)).toEqual([
        ['access_effective must be before access_expires: 2099-02-01T00:00:00.000Z is not before 2099-01-01T00:00:00.000Z'],
      ]);
      const past = await put({ id: user?.id, access_expires: '2001-01-01 00:00:00' });
      expect(failures(past)).toEqual([['access_expires cannot be in the past: 2001-01-01 00:00:00']]);
      // The bound not sent is the stored one.
      expect((await put({ id: user?.id, access_expires: '2099-06-01 00:00:00' })).status).toBe(200);
      const later = await put({ id: user?.id, access_effective: '2099-07-01 00:00:00' });
      expect(failures(later)).toEqual([
        ['access_effective must be before access_expires: 2099-07-01T00:00:00.000Z is not before 2099-06-01T00:00:00.000Z'],
      ]);
      expect(failures(await put({ id: user?.id, access_effective: 'soon' }))).toEqual([['Invalid access_effective date found: soon']]);
    });

    it('judges "in the past" by the server’s clock', async () => {
      const [user] = await createUsers(h, [newUser()]);
      const app = await buildApp({ db: h.store.db, clock: fixedClock(Date.UTC(2000, 0, 1)) });
      try {
        const response = await app.inject({
          method: 'PUT',
          url: '/api/v1/user',
          headers: { ...h.credentials, 'content-type': 'application/json' },
          payload: JSON.stringify({ users: [{ id: user?.id, access_expires: '2001-01-01 00:00:00' }] }),
        });
        expect(response.statusCode, response.body).toBe(200);
      } finally {
        await app.close();
      }
      expect((await getUser(user?.id)).access_expires).toBe('2001-01-01T00:00:00.000Z');
    });

    it('reports the failure beside an empty summary when validate_fails_batch is false', async () => {
      const response = await put({ id: 999999 }, { validate_fails_batch: false });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        data: { submitted: 1, inserted: 0, updated: 0, errors: 1 },
        errors: [{ error: ['Invalid User id: 999999'], input_data: { id: 999999 } }],
      });
    });
  });

  it('describes user, user_create and user_delete through /object', async () => {
    const types = (await h.request('GET', '/api/v1/object?listtypes')).body.data.map((t: { object: string }) => t.object);
    expect(types).toEqual(expect.arrayContaining(['user', 'user_create', 'user_delete']));
    const create = (await h.request('GET', '/api/v1/object?type=user_create')).body.data;
    expect(create.map((p: { property: string }) => p.property)).toEqual([
      'id',
      'id_num',
      'first_name',
      'last_name',
      'card_num',
      'email',
      'phone',
      'pin',
      'access_effective',
      'access_expires',
      'enabled',
      'accesslevels',
    ]);
    expect(create[0]).toEqual({ property: 'id', datatype: 'integer', description: expect.stringContaining('-1') });
  });

  describe('DELETE', () => {
    itRequiresApiKey(() => h, 'DELETE', '/api/v1/user', { users: [{ id: 1 }] });

    it('deletes users with their cards and levels; their fobs stay, unassigned', async () => {
      const level = await seedAccessLevel(h.store.db, h.site.id, 'L');
      const [user, keep] = await createUsers(h, [newUser({ card_num: '111', accesslevels: [{ id: level }] }), newUser()]);
      const fob = await createFob(h);
      await h.request('PUT', '/api/v1/fob', { body: { fobs: [{ id: fob.id, user_id: user?.id }] } });
      const response = await remove([{ id: user?.id }, { id: String(user?.id) }]);
      expect(response.body).toEqual({ data: { submitted: 2, deleted: 1, errors: 0 } });
      expect((await list()).map((u) => u.id)).toEqual([keep?.id]);
      const credentials = (await h.request('GET', '/api/v1/credential')).body.data;
      expect(credentials).toEqual([expect.objectContaining({ id: fob.id, user: [] })]);
      const grants = await h.store.db.selectFrom('user_access_level').selectAll().execute();
      expect(grants).toEqual([]);
    });

    it('replays the spec’s example body', async () => {
      await seedCardholder(h.store.db, h.site.id, { id: 4432, idNum: 'A' });
      await seedCardholder(h.store.db, h.site.id, { id: 7612, idNum: 'B' });
      const response = await h.request('DELETE', '/v1/user/', {
        body: { users: [{ id: 4432 }, { id: 7612 }], options: { validate_fails_batch: 'false' } },
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: { submitted: 2, deleted: 2, errors: 0 } });
    });

    it('validates every id: missing, non-numeric, not a cardholder of this site', async () => {
      const other = await h.addSite('Other');
      await h.request('POST', '/api/v1/user', { body: { users: [newUser()] }, as: other.credentials });
      const [theirs] = (await h.request('GET', '/api/v1/user', { as: other.credentials })).body.data;
      const [mine] = await createUsers(h, [newUser()]);
      const response = await remove([{ id: mine?.id }, {}, { id: 'x' }, { id: 999999 }, { id: theirs.id }]);
      expect(response.status).toBe(400);
      expect(failures(response)).toEqual([
        ['Missing or blank id'],
        ['Non-Numeric id found: x'],
        ['Invalid User id: 999999'],
        [`Invalid User id: ${theirs.id}`],
      ]);
      expect(await list()).toHaveLength(1);
      const partial = await remove([{ id: mine?.id }, { id: 999999 }], { validate_fails_batch: 'false' });
      expect(partial.body).toEqual({
        data: { submitted: 2, deleted: 1, errors: 1 },
        errors: [{ error: ['Invalid User id: 999999'], input_data: { id: 999999 } }],
      });
      expect(await list()).toEqual([]);
    });
  });
});

/** What a POST /user update must carry to pass its own checks: the user's id, id_num and email. */
function pick(user: Record<string, any> | undefined): Record<string, unknown> {
  return { id: user?.id, id_num: user?.id_num, email: user?.email };
}
