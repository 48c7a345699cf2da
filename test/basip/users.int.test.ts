import { ONE_DAY_RULE, seedApartment as seedApartmentRow, seedOneDayTimeProfile } from '../factories/access.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { newUser } from '../factories/people.ts';
import { itRequiresOperator } from '../common-route-tests.ts';
import { expectPanelError, panelCalls, panelSuite } from './panel-calls.ts';
import { DIALECTS, type Method } from '../harness.ts';

const LINK_A = '91c615e3-1040-4815-8ecb-039a18b756b5';
const LINK_B = 'eae44848-5e81-4861-8e63-861d9bd4ebb3';
const LINK_C = '91c615e3-1040-4815-8ecb-039a18b756b1';

describe.each(DIALECTS)('BAS-IP users on %s', (dialect) => {
  const suite = panelSuite(dialect);
  itRequiresOperator(() => suite.h, 'POST', '/api/v1/access/users/item', { name: 'A B' });

  const { api, ok } = panelCalls(() => suite.admin);
  const createUser = async (body: Record<string, unknown>) => (await ok('POST', '/access/users/item', body)).item_uid as number;

  /** A time profile and an apartment, written straight to the store: their own modules are not under test here. */
  const seedTimeProfile = (name: string, linkId: string | null = null) => seedOneDayTimeProfile(suite.h.store.db, suite.h.site.id, name, linkId);
  const seedApartment = (linkId: string | null = null) =>
    seedApartmentRow(suite.h.store.db, suite.h.site.id, {
      building: 1,
      unit: 1,
      floor: 1,
      room: 1,
      name: '221B Baker Street',
      residents_count: 3,
      photo_path: '/api/v1/files?imagePath=apartment-1-1-1-1.jpg',
      route_path: '/api/v1/files?imagePath=route-1-1-1-1.webp',
      link_id: linkId,
    });

  describe('authentication', () => {
    it('answers 401 "Log In" without a token or with a bad one, on every endpoint', async () => {
      const uid = await createUser({ name: 'John Doe' });
      const endpoints: [Method, string, unknown?][] = [
        ['GET', `/access/users/item/${uid}`],
        ['PATCH', `/access/users/item/${uid}`, { info: 'x' }],
        ['DELETE', `/access/users/item/${uid}`],
        ['POST', '/access/users/item', { name: 'Jane Roe' }],
        ['GET', '/access/users/items'],
        ['POST', `/access/user/${uid}/identifier/1`],
        ['POST', `/access/user/${uid}/timeprofile/1`],
        ['POST', '/access/users/items/link', { list_items: [{ name: 'A B', link_id: LINK_A }] }],
        ['DELETE', '/access/users/items/link', { link_ids: [LINK_A] }],
      ];
      for (const [method, url, body] of endpoints) {
        for (const caller of [suite.h.caller({}), suite.h.caller({ authorization: 'Bearer not-a-token' })]) {
          expectPanelError(await caller.request(method, `/api/v1${url}`, { body }), 401, 'Log In');
        }
      }
      // The Lockt API key opens nothing here.
      expectPanelError(await suite.h.request('GET', `/api/v1/access/users/item/${uid}`), 401, 'Log In');
    });

    it('lets a manager read, and refuses a manager every write with 403 "Administrator rights required"', async () => {
      const uid = await createUser({ name: 'John Doe' });
      expect((await suite.manager.request('GET', `/api/v1/access/users/item/${uid}`)).status).toBe(200);
      expect((await suite.manager.request('GET', '/api/v1/access/users/items')).status).toBe(200);
      const writes: [Method, string, unknown?][] = [
        ['PATCH', `/access/users/item/${uid}`, { info: 'x' }],
        ['DELETE', `/access/users/item/${uid}`],
        ['POST', '/access/users/item', { name: 'Jane Roe' }],
        ['POST', `/access/user/${uid}/identifier/1`],
        ['POST', `/access/user/${uid}/timeprofile/1`],
        ['POST', '/access/users/items/link', { list_items: [{ name: 'A B', link_id: LINK_A }] }],
        ['DELETE', '/access/users/items/link', { link_ids: [LINK_A] }],
      ];
      for (const [method, url, body] of writes) {
        expectPanelError(await suite.manager.request(method, `/api/v1${url}`, { body }), 403, 'Administrator rights required');
      }
      expect((await ok('GET', `/access/users/item/${uid}`)).info).toBe('');
    });
  });

  describe('one user', () => {
    it('creates a user and shows it in the seed’s shape, defaults included', async () => {
      const created = await ok('POST', '/access/users/item', { name: 'John Doe' });
      expect(created).toEqual({ item_uid: expect.any(Number), has_dublicates: false });
      expect(await ok('GET', `/access/users/item/${created.item_uid}`)).toEqual({
        auth_factors: [],
        item_uid: created.item_uid,
        link_id: null,
        name: 'John Doe',
        lock_number: 0,
        is_custom_user_access: false,
        info: '',
        identifiers: [],
        apartments: [],
        timeprofiles: [],
      });
    });

    it('shows the seed’s full entity: identifiers with apartment, time profiles and passes; apartments; time profiles', async () => {
      const uid = await createUser({ name: 'John Doe', info: 'Employee', auth_factors: ['card'], lock_number: 1, is_custom_user_access: false });
      const identifier = (
        await ok('POST', '/access/identifier', {
          identifier_owner: { name: 'Sherlock Holmes', type: 'owner' },
          identifier_type: 'ukey',
          identifier_number: '12345678',
          lock: 'first',
          valid: { time: { is_permanent: false, from: 1540819272, to: 1540905672 }, passes: { is_permanent: false, max_passes: 3 } },
        })
      ).uid as number;
      const apartment = await seedApartment(LINK_A);
      const workWeek = await seedTimeProfile('Work week', LINK_B);
      const other = await seedTimeProfile('Other', LINK_C);
      await suite.h.store.db.insertInto('user_apartment').values({ site_id: suite.h.site.id, user_id: uid, apartment_id: apartment }).execute();
      await ok('POST', `/access/user/${uid}/identifier/${identifier}`);
      await ok('POST', `/access/user/${uid}/timeprofile/${workWeek}`);
      await ok('POST', `/access/user/${uid}/timeprofile/${workWeek}`);
      await ok('POST', `/apartment/item/${apartment}/identifier/${identifier}`);
      await ok('POST', `/access/identifier/item/${identifier}/timeprofile/${workWeek}`);
      await ok('POST', `/access/identifier/item/${identifier}/timeprofile/${other}`);

      expect(await ok('GET', `/access/users/item/${uid}`)).toEqual({
        auth_factors: ['card'],
        item_uid: uid,
        link_id: null,
        name: 'John Doe',
        lock_number: 1,
        is_custom_user_access: false,
        info: 'Employee',
        identifiers: [
          {
            identifier_uid: identifier,
            identifier_owner: { name: 'Sherlock Holmes', type: 'owner' },
            identifier_type: 'ukey',
            identifier_number: '12345678',
            lock: 'first',
            valid: { time: { is_permanent: false, from: 1540819272, to: 1540905672 }, passes: { is_permanent: false, max_passes: 3 } },
            apartment: { uid: apartment, link_id: LINK_A, logical_address: { building: 1, unit: 1, floor: 1, room: 1 } },
            time_profiles: { uid_items: [workWeek, other], link_ids: [LINK_B, LINK_C], count: 2 },
            additional: { passes_left: 3 },
          },
        ],
        apartments: [
          {
            apartment_address: { building: 1, unit: 1, floor: 1, room: 1 },
            apartment_name: '221B Baker Street',
            residents: { count: 3 },
            photo_path: '/api/v1/files?imagePath=apartment-1-1-1-1.jpg',
            route_path: '/api/v1/files?imagePath=route-1-1-1-1.webp',
            item_uid: apartment,
            link_id: LINK_A,
          },
        ],
        timeprofiles: [{ item_uid: workWeek, name: 'Work week', link_id: LINK_B, ...ONE_DAY_RULE }],
      });
    });

    it('updates only the fields sent, and says when another user has the same name (the write still happens)', async () => {
      const uid = await createUser({ name: 'John Doe', info: 'Employee' });
      const twin = await ok('POST', '/access/users/item', { name: 'Jane Roe' });
      expect(twin.has_dublicates).toBe(false);
      expect(
        await ok('PATCH', `/access/users/item/${uid}`, { auth_factors: ['face_id', 'input_code'], lock_number: 2, is_custom_user_access: true }),
      ).toEqual({
        has_dublicates: false,
      });
      expect(await ok('PATCH', `/access/users/item/${uid}`, { name: 'Jane Roe' })).toEqual({ has_dublicates: true });
      expect(await ok('GET', `/access/users/item/${uid}`)).toMatchObject({
        name: 'Jane Roe',
        info: 'Employee',
        auth_factors: ['face_id', 'input_code'],
        lock_number: 2,
        is_custom_user_access: true,
      });
      expect(await ok('POST', '/access/users/item', { name: ' Jane   Roe ' })).toMatchObject({ has_dublicates: true });
      expect(await ok('PATCH', `/access/users/item/${uid}`, {})).toEqual({ has_dublicates: true });
    });

    it('deletes a user; then it is not found', async () => {
      const uid = await createUser({ name: 'John Doe' });
      expect(await ok('DELETE', `/access/users/item/${uid}`)).toEqual({});
      expectPanelError(await api('GET', `/access/users/item/${uid}`), 404, 'User not found');
      expectPanelError(await api('DELETE', `/access/users/item/${uid}`), 404, 'User not found');
    });

    it('refuses a uid that is not one with "Wrong User uid", and a valid unknown uid with 404', async () => {
      for (const bad of ['0', '-1', 'abc', '1.5', '99999999999', '2147483648']) {
        expectPanelError(await api('GET', `/access/users/item/${bad}`), 400, 'Wrong User uid');
        expectPanelError(await api('PATCH', `/access/users/item/${bad}`, { info: 'x' }), 400, 'Wrong User uid');
        expectPanelError(await api('DELETE', `/access/users/item/${bad}`), 400, 'Wrong User uid');
        expectPanelError(await api('POST', `/access/user/${bad}/identifier/1`), 400, 'Wrong User uid');
        expectPanelError(await api('POST', `/access/user/${bad}/timeprofile/1`), 400, 'Wrong User uid');
      }
      expectPanelError(await api('GET', '/access/users/item/2147483647'), 404, 'User not found');
      expectPanelError(await api('PATCH', '/access/users/item/424242', { info: 'x' }), 404, 'User not found');
    });

    it('refuses bodies that do not fit with the panel’s words', async () => {
      const uid = await createUser({ name: 'John Doe' });
      const cases: [Method, string, unknown, string][] = [
        ['POST', '/access/users/item', {}, 'Wrong JSON body: no value for `name`'],
        ['POST', '/access/users/item', { info: 'x' }, 'Wrong JSON body: no value for `name`'],
        ['POST', '/access/users/item', { name: 42 }, 'Wrong JSON body: value `name` was of the wrong type'],
        ['POST', '/access/users/item', { name: '   ' }, 'Wrong JSON body: value `name` was of the wrong type'],
        ['POST', '/access/users/item', { name: 'A B', lock_number: 3 }, 'Wrong JSON body: value `lock_number` was of the wrong type'],
        ['PATCH', `/access/users/item/${uid}`, { lock_number: '1' }, 'Wrong JSON body: value `lock_number` was of the wrong type'],
        [
          'PATCH',
          `/access/users/item/${uid}`,
          { is_custom_user_access: 'yes' },
          'Wrong JSON body: value `is_custom_user_access` was of the wrong type',
        ],
        ['PATCH', `/access/users/item/${uid}`, { auth_factors: ['retina'] }, 'Wrong JSON body: value `auth_factors.0` was of the wrong type'],
        ['PATCH', `/access/users/item/${uid}`, { auth_factors: 'card' }, 'Wrong JSON body: value `auth_factors` was of the wrong type'],
        ['PATCH', `/access/users/item/${uid}`, { auth_factors: [] }, 'auth_factors must contain at least one item'],
        ['POST', '/access/users/item', { name: 'A B', auth_factors: [] }, 'auth_factors must contain at least one item'],
        ['PATCH', `/access/users/item/${uid}`, [], 'Wrong JSON body'],
      ];
      for (const [method, url, body, error] of cases) expectPanelError(await api(method, url, body), 400, error);
      const unparseable = await suite.h.request('POST', '/api/v1/access/users/item', {
        as: null,
        headers: { authorization: `Bearer ${suite.admin.token}` },
        rawBody: '{"name": ',
      });
      expectPanelError(unparseable, 400, 'Wrong JSON body');
      expect((await ok('GET', `/access/users/item/${uid}`)).auth_factors).toEqual([]);
    });

    it('attaches identifiers and time profiles, refusing unknown ones', async () => {
      const uid = await createUser({ name: 'John Doe' });
      const { uid: card } = await ok('POST', '/access/identifier', { identifier_type: 'card', identifier_number: '555' });
      const profile = await seedTimeProfile('Day');
      expectPanelError(await api('POST', `/access/user/${uid}/identifier/999999`), 404, 'Identifier not found');
      expectPanelError(await api('POST', `/access/user/${uid}/identifier/0`), 400, 'Wrong Identifier uid');
      expectPanelError(await api('POST', `/access/user/${uid}/timeprofile/999999`), 404, 'Time profile not found');
      expectPanelError(await api('POST', `/access/user/${uid}/timeprofile/x`), 400, 'Wrong Timeprofile uid');
      expectPanelError(await api('POST', `/access/user/999999/identifier/${card}`), 404, 'User not found');
      await ok('POST', `/access/user/${uid}/identifier/${card}`);
      await ok('POST', `/access/user/${uid}/timeprofile/${profile}`);
      const user = await ok('GET', `/access/users/item/${uid}`);
      expect(user.identifiers.map((i: { identifier_uid: number }) => i.identifier_uid)).toEqual([card]);
      expect(user.timeprofiles.map((p: { item_uid: number }) => p.item_uid)).toEqual([profile]);
      // Another user takes the identifier over.
      const other = await createUser({ name: 'Jane Roe' });
      await ok('POST', `/access/user/${other}/identifier/${card}`);
      expect((await ok('GET', `/access/users/item/${uid}`)).identifiers).toEqual([]);
      expect((await ok('GET', `/access/users/item/${other}`)).identifiers).toHaveLength(1);
    });

    it('records who changed what in the audit trail', async () => {
      const uid = await createUser({ name: 'John Doe' });
      await ok('PATCH', `/access/users/item/${uid}`, { info: 'x' });
      const rows = await suite.h.store.db
        .selectFrom('audit')
        .select(['actor_kind', 'actor', 'resource', 'action', 'record_ids'])
        .where('resource', '=', 'users')
        .orderBy('id')
        .execute();
      expect(rows).toEqual([
        { actor_kind: 'operator', actor: 'admin', resource: 'users', action: 'create', record_ids: String(uid) },
        { actor_kind: 'operator', actor: 'admin', resource: 'users', action: 'update', record_ids: String(uid) },
      ]);
    });
  });

  describe('both faces', () => {
    it('shows a panel user through Lockt GET /user, its name split on the last space', async () => {
      const john = await createUser({ name: 'Anna Maria Smith' });
      const mono = await createUser({ name: 'Ronaldinho' });
      const lockt = await suite.h.request('GET', `/api/v1/user?id=${john}`);
      expect(lockt.status).toBe(200);
      expect(lockt.body.data).toEqual([expect.objectContaining({ id: john, first_name: 'Anna Maria', last_name: 'Smith', id_num: '', email: '' })]);
      const single = await suite.h.request('GET', `/api/v1/user?id=${mono}`);
      expect(single.body.data[0]).toMatchObject({ first_name: '', last_name: 'Ronaldinho' });
      expect((await ok('GET', `/access/users/item/${mono}`)).name).toBe('Ronaldinho');
    });

    it('shows a Lockt user on the panel face, with the panel’s defaults, and never an operator', async () => {
      const posted = await suite.h.request('POST', '/api/v1/user', {
        body: { users: [newUser({ first_name: 'Rhea', last_name: 'Greswell', card_num: '8675309' })] },
      });
      expect(posted.status, JSON.stringify(posted.body)).toBe(200);
      const [lockt] = (await suite.h.request('GET', '/api/v1/user')).body.data;
      const user = await ok('GET', `/access/users/item/${lockt.id}`);
      expect(user).toMatchObject({
        item_uid: lockt.id,
        name: 'Rhea Greswell',
        auth_factors: [],
        lock_number: 0,
        is_custom_user_access: false,
        info: '',
        link_id: null,
      });
      // Its Lockt card is one of its identifiers.
      expect(user.identifiers).toEqual([
        expect.objectContaining({
          identifier_type: 'card',
          identifier_number: '8675309',
          identifier_owner: { name: 'Rhea Greswell', type: 'owner' },
        }),
      ]);
      const list = await ok('GET', '/access/users/items');
      expect(list.list_items.map((u: { name: string }) => u.name)).toEqual(['Rhea Greswell']);
      const operators = await suite.h.store.db.selectFrom('user').select('id').where('role', '!=', 'cardholder').execute();
      for (const { id } of operators) expectPanelError(await api('GET', `/access/users/item/${id}`), 404, 'User not found');
    });

    it('keeps a user of another site out of reach', async () => {
      const other = await suite.h.addSite('Other');
      const theirs = await suite.h.store.db
        .insertInto('user')
        .values({ site_id: other.site.id, first_name: 'Their', last_name: 'User', created_at: 0, updated_at: 0 })
        .returning('id')
        .executeTakeFirstOrThrow();
      expectPanelError(await api('GET', `/access/users/item/${theirs.id}`), 404, 'User not found');
      expectPanelError(await api('PATCH', `/access/users/item/${theirs.id}`, { info: 'x' }), 404, 'User not found');
      expect((await ok('GET', '/access/users/items')).list_items).toEqual([]);
    });
  });

  describe('the list', () => {
    const names = Array.from({ length: 25 }, (_, i) => `User ${String(i + 1).padStart(2, '0')}`);
    let uids: number[];
    beforeEach(async () => {
      uids = [];
      for (const name of names) uids.push(await createUser({ name, info: names.indexOf(name) % 2 === 0 ? 'odd' : 'even' }));
    });

    it('pages by 10 by default, with the pagination, sort and filter objects', async () => {
      const first = await ok('GET', '/access/users/items');
      expect(first.list_option).toEqual({
        pagination: { total_items: 25, items_limit: 10, total_pages: 3, current_page: 1 },
        sort: { field: 'item_uid', asc: true, available_fields: ['item_uid', 'name', 'info', 'lock_number', 'is_custom_user_access'] },
        filter: {},
      });
      expect(first.list_items.map((u: { item_uid: number }) => u.item_uid)).toEqual(uids.slice(0, 10));
      expect(first.list_items[0]).toEqual(await ok('GET', `/access/users/item/${uids[0]}`));
      const third = await ok('GET', '/access/users/items?limit=10&page_number=3');
      expect(third.list_items.map((u: { name: string }) => u.name)).toEqual(names.slice(20));
      const beyond = await ok('GET', '/access/users/items?limit=50&page_number=2');
      expect(beyond.list_items).toEqual([]);
      expect(beyond.list_option.pagination).toEqual({ total_items: 25, items_limit: 50, total_pages: 1, current_page: 2 });
      for (const limit of [20, 30]) expect((await ok('GET', `/access/users/items?limit=${limit}`)).list_items).toHaveLength(Math.min(limit, 25));
    });

    it('sorts by sort_field and sort_type, or by order_by', async () => {
      const desc = await ok('GET', '/access/users/items?sort_field=name&sort_type=desc&limit=20');
      expect(desc.list_items.map((u: { name: string }) => u.name)).toEqual([...names].reverse().slice(0, 20));
      expect(desc.list_option.sort).toMatchObject({ field: 'name', asc: false });
      const ordered = await ok('GET', `/access/users/items?order_by=${encodeURIComponent('item_uid desc')}`);
      expect(ordered.list_items[0].item_uid).toBe(uids.at(-1));
      const byInfo = await ok('GET', '/access/users/items?sort_field=info&limit=50');
      expect(byInfo.list_items.slice(0, 12).every((u: { info: string }) => u.info === 'even')).toBe(true);
    });

    it('filters with an expression: eq nq gt ge lt le, and or not, parentheses', async () => {
      const names$ = async (filter: string, extra = '') => {
        const body = await ok('GET', `/access/users/items?limit=50&filter=${encodeURIComponent(filter)}${extra}`);
        return body.list_items.map((u: { name: string }) => u.name) as string[];
      };
      expect(await names$("name eq 'User 07'")).toEqual(['User 07']);
      expect(await names$("name nq 'User 07'")).toHaveLength(24);
      expect(await names$(`item_uid gt ${uids[22]}`)).toEqual(['User 24', 'User 25']);
      expect(await names$(`item_uid ge ${uids[23]} and item_uid le ${uids[24]}`)).toEqual(['User 24', 'User 25']);
      expect(await names$(`item_uid lt ${uids[1]}`)).toEqual(['User 01']);
      expect(await names$(`(name eq 'User 01' or name eq 'User 02') and not (item_uid eq ${uids[0]})`)).toEqual(['User 02']);
      expect(await names$(`info eq 'odd' and item_uid le ${uids[4]}`)).toEqual(['User 01', 'User 03', 'User 05']);
      expect(await names$("name eq 'Nobody'")).toEqual([]);
      expect(await names$('link_id eq null and is_custom_user_access eq false', '&sort_field=name&sort_type=desc')).toHaveLength(25);
      const body = await ok('GET', `/access/users/items?filter=${encodeURIComponent("name eq 'User 07'")}`);
      expect(body.list_option.filter).toEqual({ filter: "name eq 'User 07'" });
      expect(body.list_option.pagination).toEqual({ total_items: 1, items_limit: 10, total_pages: 1, current_page: 1 });
    });

    it('filters with the flat style', async () => {
      const body = await ok('GET', '/access/users/items?filter_field=name&filter_type=equal&filter_format=string&filter_value=User%2012');
      expect(body.list_items.map((u: { name: string }) => u.name)).toEqual(['User 12']);
      expect(body.list_option.filter).toEqual({ filter_field: 'name', filter_type: 'equal', filter_format: 'string', filter_value: 'User 12' });
      const byUid = await ok('GET', `/access/users/items?filter_field=item_uid&filter_value=${uids[3]}`);
      expect(byUid.list_items.map((u: { name: string }) => u.name)).toEqual(['User 04']);
    });

    it('refuses what it cannot honour with 400', async () => {
      const cases: [string, string][] = [
        ['limit=101', 'Wrong limit: 101 (expected 1 to 100)'],
        ['limit=0', 'Wrong limit: 0 (expected 1 to 100)'],
        ['limit=abc', 'Wrong limit: abc (expected 1 to 100)'],
        ['page_number=0', 'Wrong page_number: 0 (expected 1 or more)'],
        ['page_number=-2', 'Wrong page_number: -2 (expected 1 or more)'],
        ['sort_field=password_hash', 'Unknown sort field: password_hash (available: item_uid, name, info, lock_number, is_custom_user_access)'],
        ['sort_type=up', 'Wrong sort_type: up (expected asc or desc)'],
        ['order_by=name&sort_field=name', 'Use either order_by or sort_field and sort_type, not both'],
        [
          'filter_field=role&filter_value=admin',
          'Unknown filter field: role (available: item_uid, name, info, lock_number, is_custom_user_access, link_id)',
        ],
        ['filter_field=name&filter_type=like&filter_value=x', 'Wrong filter_type: like (expected equal)'],
        ['filter_field=item_uid&filter_value=abc', 'Wrong filter value for item_uid: abc (expected an integer)'],
        ['filter_field=name', 'Wrong filter: no value for filter_value'],
        [
          `filter=${encodeURIComponent("name eq 'a'")}&filter_field=name&filter_value=a`,
          'Use either filter or filter_field and filter_value, not both',
        ],
      ];
      for (const [query, error] of cases) expectPanelError(await api('GET', `/access/users/items?${query}`), 400, error);
      for (const filter of [
        "role eq 'admin'",
        "name eq 'a' and",
        'name',
        "contains(name, 'a')",
        "item_uid eq 'x'",
        'name gt null',
        "password_hash eq 'x'",
      ]) {
        const response = await api('GET', `/access/users/items?filter=${encodeURIComponent(filter)}`);
        expect(response.status, filter).toBe(400);
        expect(response.body.error, filter).toMatch(/^(Wrong filter|Unknown filter field)/);
      }
    });
  });

  describe('by link_id', () => {
    it('creates, then updates by link_id or else by an unlinked user’s name, reporting duplicates', async () => {
      const named = await createUser({ name: 'Jane Roe' });
      const first = await ok('POST', '/access/users/items/link', {
        list_items: [
          { link_id: LINK_A, name: 'John Doe', info: 'Employee', auth_factors: ['card'], lock_number: 1 },
          { link_id: LINK_B.toUpperCase(), name: 'Jane Roe' },
        ],
      });
      expect(first).toEqual({
        result: [
          { link_id: LINK_A, success: true, extended_info: 'created', has_dublicates: false },
          { link_id: LINK_B, success: true, extended_info: 'updated', has_dublicates: false },
        ],
      });
      expect(await ok('GET', `/access/users/item/${named}`)).toMatchObject({ link_id: LINK_B, name: 'Jane Roe' });
      const again = await ok('POST', '/access/users/items/link', {
        list_items: [
          { link_id: LINK_A, name: 'Johnny Doe', lock_number: 2 },
          { link_id: LINK_C, name: 'Jane Roe' },
        ],
      });
      expect(again.result).toEqual([
        { link_id: LINK_A, success: true, extended_info: 'updated', has_dublicates: false },
        { link_id: LINK_C, success: true, extended_info: 'created', has_dublicates: true },
      ]);
      const linked = await ok('GET', `/access/users/items?filter=${encodeURIComponent(`link_id eq '${LINK_A}'`)}`);
      expect(linked.list_items).toEqual([expect.objectContaining({ name: 'Johnny Doe', info: 'Employee', lock_number: 2, auth_factors: ['card'] })]);
      expect((await ok('GET', '/access/users/items')).list_option.pagination.total_items).toBe(3);
    });

    it('lets one of concurrent upserts of a new link_id create it, the others updating it or getting a 400, never a 500', async () => {
      const responses = await Promise.all(
        Array.from({ length: 6 }, (_, i) => api('POST', '/access/users/items/link', { list_items: [{ link_id: LINK_A, name: `Racer ${i}` }] })),
      );
      for (const r of responses) {
        expect([200, 400], JSON.stringify(r.body)).toContain(r.status);
        if (r.status === 400) expect(r.body).toEqual({ error: 'A link_id was taken by a concurrent change; send the list again' });
      }
      const created = responses.filter((r) => r.status === 200 && r.body.result[0].extended_info === 'created');
      expect(created).toHaveLength(1);
      expect((await ok('GET', '/access/users/items')).list_option.pagination.total_items).toBe(1);
    });

    it('deletes by link_id, reporting unknown ones as not_found', async () => {
      await ok('POST', '/access/users/items/link', { list_items: [{ link_id: LINK_A, name: 'John Doe' }] });
      expect(await ok('DELETE', '/access/users/items/link', { link_ids: [LINK_A, LINK_B] })).toEqual({
        result: [
          { link_id: LINK_A, success: true, extended_info: 'deleted' },
          { link_id: LINK_B, success: false, extended_info: 'not_found' },
        ],
      });
      expect((await ok('GET', '/access/users/items')).list_items).toEqual([]);
    });

    it('refuses an empty list, a bad link_id and an empty auth_factors, writing nothing', async () => {
      expectPanelError(await api('POST', '/access/users/items/link', { list_items: [] }), 400, 'List cannot be empty');
      expectPanelError(await api('DELETE', '/access/users/items/link', { link_ids: [] }), 400, 'List cannot be empty');
      expectPanelError(await api('DELETE', '/access/users/items/link', {}), 400, 'Wrong JSON body: no value for `link_ids`');
      expectPanelError(await api('DELETE', '/access/users/items/link'), 400, 'Wrong JSON body');
      expectPanelError(
        await api('POST', '/access/users/items/link', { list_items: [{ link_id: 'nope', name: 'A B' }] }),
        400,
        'Wrong JSON body: value `list_items.0.link_id` was of the wrong type',
      );
      expectPanelError(
        await api('POST', '/access/users/items/link', { list_items: [{ name: 'A B' }] }),
        400,
        'Wrong JSON body: no value for `list_items.0.link_id`',
      );
      expectPanelError(
        await api('POST', '/access/users/items/link', {
          list_items: [
            { link_id: LINK_A, name: 'A B' },
            { link_id: LINK_B, name: 'C D', auth_factors: [] },
          ],
        }),
        400,
        'auth_factors must contain at least one item',
      );
      expect((await ok('GET', '/access/users/items')).list_items).toEqual([]);
    });
  });
});
