import { beforeEach, describe, expect, it } from 'vitest';
import { DECISION_SUBCODE } from '../../src/event-log/catalogue.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { createDevice } from '../../src/modules/devices/devices.service.ts';
import { seedApartment as seedApartmentRow, seedDoor, seedOneDayTimeProfile } from '../factories/access.ts';
import { newUser } from '../factories/people.ts';
import { itRequiresOperator } from '../common-route-tests.ts';
import { expectPanelError, panelCalls, panelSuite } from './panel-calls.ts';
import { DIALECTS, type Method } from '../harness.ts';

const LINK_A = '91c615e3-1040-4815-8ecb-039a18b756b5';
const LINK_B = 'eae44848-5e81-4861-8e63-861d9bd4ebb3';
const LINK_C = '91c615e3-1040-4815-8ecb-039a18b756b1';
const QR = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe.each(DIALECTS)('BAS-IP identifiers on %s', (dialect) => {
  const suite = panelSuite(dialect);
  itRequiresOperator(() => suite.h, 'POST', '/api/v1/access/identifier', { identifier_type: 'card', identifier_number: '1' });

  const { api, ok } = panelCalls(() => suite.admin);
  const create = async (body: Record<string, unknown>) => (await ok('POST', '/access/identifier', body)).uid as number;
  const card = (number: string, extra: Record<string, unknown> = {}) => create({ identifier_type: 'card', identifier_number: number, ...extra });

  const seedTimeProfile = (name: string, linkId: string | null = null) => seedOneDayTimeProfile(suite.h.store.db, suite.h.site.id, name, linkId);
  const seedApartment = (linkId: string | null = null) =>
    seedApartmentRow(suite.h.store.db, suite.h.site.id, { building: 2, unit: 3, floor: 4, room: 5, name: 'Flat', link_id: linkId });

  describe('authentication', () => {
    it('answers 401 "Log In" without or with a bad token, and 403 to a manager’s writes', async () => {
      const uid = await card('100');
      const reads: string[] = [`/access/identifier/item/${uid}`, '/access/identifier/items', `/access/identifier/items/link?link_id=${LINK_A}`];
      const writes: [Method, string, unknown?][] = [
        ['POST', '/access/identifier', { identifier_type: 'card', identifier_number: '1' }],
        ['PATCH', `/access/identifier/item/${uid}`, { lock: 'first' }],
        ['DELETE', `/access/identifier/item/${uid}`],
        ['POST', `/access/identifier/item/${uid}/passes/reset`],
        ['POST', `/access/identifier/item/${uid}/timeprofile/1`],
        ['DELETE', `/access/identifier/item/${uid}/timeprofile/1`],
        ['POST', `/apartment/item/1/identifier/${uid}`],
        ['POST', `/apartment/item/unbind/identifier/${uid}`],
        ['DELETE', '/access/identifier/items', { uid_items: [uid] }],
        ['POST', '/access/identifier/items/link', { list_items: [] }],
        ['DELETE', '/access/identifier/items/link', { link_ids: [LINK_A] }],
      ];
      for (const [method, url, body] of [...reads.map((url) => ['GET', url] as [Method, string]), ...writes]) {
        for (const caller of [suite.h.caller({}), suite.h.caller({ authorization: 'Bearer bad' })])
          expectPanelError(await caller.request(method, `/api/v1${url}`, { body }), 401, 'Log In');
      }
      expectPanelError(await suite.h.caller({}).request('GET', `/api/v1/access/identifier/item/${uid}/qr`), 401, 'Log In');
      for (const url of reads) expect((await suite.manager.request('GET', `/api/v1${url}`)).status, url).toBe(200);
      for (const [method, url, body] of writes) {
        expectPanelError(await suite.manager.request(method, `/api/v1${url}`, { body }), 403, 'Administrator rights required');
      }
      expect((await ok('GET', `/access/identifier/item/${uid}`)).lock).toBe('all');
    });
  });

  describe('one identifier', () => {
    it('creates one from the notes’ example and shows it', async () => {
      const created = await ok('POST', '/access/identifier', {
        identifier_owner: { name: 'Sherlock Holmes', type: 'owner' },
        identifier_type: 'ukey',
        identifier_number: '12345678',
        lock: 'first',
        valid: { time: { is_permanent: true, from: 1540819272, to: 1540819272 }, passes: { is_permanent: true, max_passes: 2 } },
      });
      expect(created).toEqual({ uid: expect.any(Number) });
      expect(await ok('GET', `/access/identifier/item/${created.uid}`)).toEqual({
        identifier_uid: created.uid,
        identifier_owner: { name: 'Sherlock Holmes', type: 'owner' },
        identifier_type: 'ukey',
        identifier_number: '12345678',
        lock: 'first',
        valid: { time: { is_permanent: true, from: 0, to: 0 }, passes: { is_permanent: true, max_passes: 0 } },
        apartment: { uid: -1, link_id: null, logical_address: null },
        time_profiles: { uid_items: [], link_ids: [], count: 0 },
        additional: { passes_left: -1 },
        link_id: null,
        user_uid: -1,
      });
      const row = await suite.h.store.db.selectFrom('credential').selectAll().where('id', '=', created.uid).executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        panel_access: 1,
        card_num: '12345678',
        access_effective: null,
        access_expires: null,
        max_passes: null,
        passes_left: null,
      });
      expect(row.credential_key).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$/);
    });

    it('keeps limits in time and passes, as Unix seconds and counts', async () => {
      const uid = await card('200', {
        identifier_owner: { name: 'Mrs Hudson', type: 'guest' },
        valid: { time: { is_permanent: false, from: 1540819272, to: 1540905672 }, passes: { is_permanent: false, max_passes: 3 } },
      });
      const shown = await ok('GET', `/access/identifier/item/${uid}`);
      expect(shown).toMatchObject({
        identifier_owner: { name: 'Mrs Hudson', type: 'guest' },
        lock: 'all',
        valid: { time: { is_permanent: false, from: 1540819272, to: 1540905672 }, passes: { is_permanent: false, max_passes: 3 } },
        additional: { passes_left: 3 },
      });
      const row = await suite.h.store.db.selectFrom('credential').selectAll().where('id', '=', uid).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ access_effective: 1540819272000, access_expires: 1540905672000, max_passes: 3, passes_left: 3 });
    });

    it('checks the number’s form for its type', async () => {
      const valid: [string, string][] = [
        ['card', '1'],
        ['card', '0001234567'],
        ['card', 'AA:BB:CC:DD'],
        ['card', '00-00-00-1A-2B-3C-4D'],
        ['ukey', 'aa:bb'],
        ['ukey', '11-22-33-44-55-66-77-88'],
        ['inputCode', '0987654321123'],
        ['qr', QR],
        ['face_id', 'ZmFjZSBkYXRh'],
        ['license_plate', 'AB 123 CD'],
      ];
      for (const [type, number] of valid)
        expect((await api('POST', '/access/identifier', { identifier_type: type, identifier_number: number })).status, `${type} ${number}`).toBe(200);
      const invalid: [string, string, string][] = [
        ['card', '12345678901', 'up to 10 digits, or hex bytes such as AA:BB:CC:DD'],
        ['card', 'AA:BB:CC:DD:EE:FF:00:11:22', 'up to 10 digits, or hex bytes such as AA:BB:CC:DD'],
        ['card', 'AA', 'up to 10 digits, or hex bytes such as AA:BB:CC:DD'],
        ['ukey', 'GG:HH', 'up to 10 digits, or hex bytes such as AA:BB:CC:DD'],
        ['ukey', 'AA:BB-', 'up to 10 digits, or hex bytes such as AA:BB:CC:DD'],
        ['inputCode', '12a4', 'digits'],
        ['qr', 'not-a-uuid', 'a UUID'],
        ['face_id', '   ', 'not blank'],
        ['license_plate', '', 'not blank'],
      ];
      for (const [type, number, expected] of invalid) {
        expectPanelError(
          await api('POST', '/access/identifier', { identifier_type: type, identifier_number: number }),
          400,
          `Wrong identifier_number for ${type}: ${number === '' ? '""' : number} (expected ${expected})`,
        );
      }
    });

    it('refuses a number another identifier or a Lockt card carries, whatever its kind', async () => {
      await card('4242');
      const taken = 'identifier_number is taken by another identifier: 4242';
      expectPanelError(await api('POST', '/access/identifier', { identifier_type: 'card', identifier_number: '4242' }), 400, taken);
      expectPanelError(await api('POST', '/access/identifier', { identifier_type: 'inputCode', identifier_number: ' 4242 ' }), 400, taken);
      const lockt = await suite.h.request('POST', '/api/v1/user', { body: { users: [newUser({ card_num: '8675309' })] } });
      expect(lockt.status, JSON.stringify(lockt.body)).toBe(200);
      expectPanelError(
        await api('POST', '/access/identifier', { identifier_type: 'ukey', identifier_number: '8675309' }),
        400,
        'identifier_number is taken by another identifier: 8675309',
      );
      const other = await card('5151');
      expectPanelError(await api('PATCH', `/access/identifier/item/${other}`, { identifier_number: '4242' }), 400, taken);
      // Its own number is not "another's".
      await ok('PATCH', `/access/identifier/item/${other}`, { identifier_number: '5151', lock: 'second' });
    });

    it('lets one of concurrent creates of a number win, the others getting a 400, never a 500', async () => {
      const responses = await Promise.all(
        Array.from({ length: 6 }, () => api('POST', '/access/identifier', { identifier_type: 'card', identifier_number: '31337' })),
      );
      expect(responses.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400, 400]);
      for (const r of responses.filter((r) => r.status === 400)) {
        expect(r.body).toEqual({ error: 'identifier_number is taken by another identifier: 31337' });
      }
    });

    it('refuses bodies that do not fit with the panel’s words', async () => {
      const uid = await card('300');
      const cases: [Method, string, unknown, string][] = [
        ['POST', '/access/identifier', { identifier_number: '1' }, 'Wrong JSON body: no value for `identifier_type`'],
        ['POST', '/access/identifier', { identifier_type: 'card' }, 'Wrong JSON body: no value for `identifier_number`'],
        [
          'POST',
          '/access/identifier',
          { identifier_type: 'iris', identifier_number: '1' },
          'Wrong JSON body: value `identifier_type` was of the wrong type',
        ],
        [
          'POST',
          '/access/identifier',
          { identifier_type: 'card', identifier_number: 1 },
          'Wrong JSON body: value `identifier_number` was of the wrong type',
        ],
        [
          'POST',
          '/access/identifier',
          { identifier_type: 'card', identifier_number: '1', lock: 'third' },
          'Wrong JSON body: value `lock` was of the wrong type',
        ],
        [
          'POST',
          '/access/identifier',
          { identifier_type: 'card', identifier_number: '1', identifier_owner: { type: 'boss' } },
          'Wrong JSON body: value `identifier_owner.type` was of the wrong type',
        ],
        [
          'POST',
          '/access/identifier',
          { identifier_type: 'card', identifier_number: '1', valid: { time: { from: 1 } } },
          'Wrong JSON body: no value for `valid.time.is_permanent`',
        ],
        [
          'POST',
          '/access/identifier',
          { identifier_type: 'card', identifier_number: '1', valid: { time: { is_permanent: false, from: 10 } } },
          'Wrong JSON body: no value for `valid.time.to`',
        ],
        [
          'POST',
          '/access/identifier',
          { identifier_type: 'card', identifier_number: '1', valid: { time: { is_permanent: false, from: 10, to: 10 } } },
          'valid.time.from must be before valid.time.to: 10 is not before 10',
        ],
        [
          'POST',
          '/access/identifier',
          { identifier_type: 'card', identifier_number: '1', valid: { passes: { is_permanent: false } } },
          'Wrong JSON body: no value for `valid.passes.max_passes`',
        ],
        [
          'POST',
          '/access/identifier',
          { identifier_type: 'card', identifier_number: '1', valid: { passes: { is_permanent: false, max_passes: 1.5 } } },
          'Wrong JSON body: value `valid.passes.max_passes` was of the wrong type',
        ],
        ['PATCH', `/access/identifier/item/${uid}`, { identifier_type: 'qr' }, 'Wrong identifier_number for qr: 300 (expected a UUID)'],
        ['POST', '/access/identifier', 'card', 'Wrong JSON body'],
      ];
      for (const [method, url, body, error] of cases) expectPanelError(await api(method, url, body), 400, error);
      expect((await ok('GET', '/access/identifier/items')).list_option.pagination.total_items).toBe(1);
    });

    it('changes only what is sent; a new pass allowance starts full, the same one keeps what is left', async () => {
      const uid = await card('400', { valid: { passes: { is_permanent: false, max_passes: 3 } } });
      await suite.h.store.db.updateTable('credential').set({ passes_left: 1 }).where('id', '=', uid).execute();
      await ok('PATCH', `/access/identifier/item/${uid}`, { lock: 'second', valid: { passes: { is_permanent: false, max_passes: 3 } } });
      expect(await ok('GET', `/access/identifier/item/${uid}`)).toMatchObject({
        lock: 'second',
        additional: { passes_left: 1 },
        identifier_number: '400',
      });
      await ok('PATCH', `/access/identifier/item/${uid}`, { valid: { passes: { is_permanent: false, max_passes: 5 } } });
      expect((await ok('GET', `/access/identifier/item/${uid}`)).additional).toEqual({ passes_left: 5 });
      await ok('PATCH', `/access/identifier/item/${uid}`, {
        identifier_type: 'qr',
        identifier_number: QR,
        identifier_owner: { name: 'Guest' },
        valid: { passes: { is_permanent: true }, time: { is_permanent: false, from: 100, to: 200 } },
      });
      expect(await ok('GET', `/access/identifier/item/${uid}`)).toMatchObject({
        identifier_type: 'qr',
        identifier_number: QR,
        identifier_owner: { name: 'Guest', type: 'owner' },
        lock: 'second',
        valid: { time: { is_permanent: false, from: 100, to: 200 }, passes: { is_permanent: true, max_passes: 0 } },
        additional: { passes_left: -1 },
      });
    });

    it('resets passes, and deletes', async () => {
      const uid = await card('500', { valid: { passes: { is_permanent: false, max_passes: 2 } } });
      await suite.h.store.db.updateTable('credential').set({ passes_left: 0 }).where('id', '=', uid).execute();
      expect(await ok('POST', `/access/identifier/item/${uid}/passes/reset`)).toEqual({});
      expect((await ok('GET', `/access/identifier/item/${uid}`)).additional).toEqual({ passes_left: 2 });
      const unlimited = await card('501');
      await ok('POST', `/access/identifier/item/${unlimited}/passes/reset`);
      expect((await ok('GET', `/access/identifier/item/${unlimited}`)).additional).toEqual({ passes_left: -1 });
      expect(await ok('DELETE', `/access/identifier/item/${uid}`)).toEqual({});
      expectPanelError(await api('GET', `/access/identifier/item/${uid}`), 404, 'Identifier not found');
      expectPanelError(await api('DELETE', `/access/identifier/item/${uid}`), 404, 'Identifier not found');
      expectPanelError(await api('POST', `/access/identifier/item/${uid}/passes/reset`), 404, 'Identifier not found');
      for (const bad of ['0', '-3', 'x', '99999999999']) {
        expectPanelError(await api('GET', `/access/identifier/item/${bad}`), 400, 'Wrong Identifier uid');
        expectPanelError(await api('PATCH', `/access/identifier/item/${bad}`, {}), 400, 'Wrong Identifier uid');
      }
    });

    it('draws a qr identifier as a PNG, and no other kind', async () => {
      const qr = await create({ identifier_type: 'qr', identifier_number: QR });
      const response = await suite.manager.request('GET', `/api/v1/access/identifier/item/${qr}/qr`);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('image/png');
      const raw = await suite.h.app.inject({
        method: 'GET',
        url: `/api/v1/access/identifier/item/${qr}/qr`,
        headers: { authorization: `Bearer ${suite.admin.token}` },
      });
      expect([...raw.rawPayload.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
      expect(raw.rawPayload.length).toBeGreaterThan(100);
      const plain = await card('600');
      expectPanelError(await api('GET', `/access/identifier/item/${plain}/qr`), 400, `Identifier ${plain} is not a qr identifier: it is card`);
      expectPanelError(await api('GET', '/access/identifier/item/999999/qr'), 404, 'Identifier not found');
    });

    it('attaches and detaches time profiles, and binds to and unbinds from an apartment', async () => {
      const uid = await card('700');
      const profile = await seedTimeProfile('Day', LINK_B);
      const apartment = await seedApartment(LINK_A);
      await ok('POST', `/access/identifier/item/${uid}/timeprofile/${profile}`);
      await ok('POST', `/access/identifier/item/${uid}/timeprofile/${profile}`);
      await ok('POST', `/apartment/item/${apartment}/identifier/${uid}`);
      expect(await ok('GET', `/access/identifier/item/${uid}`)).toMatchObject({
        time_profiles: { uid_items: [profile], link_ids: [LINK_B], count: 1 },
        apartment: { uid: apartment, link_id: LINK_A, logical_address: { building: 2, unit: 3, floor: 4, room: 5 } },
      });
      await ok('DELETE', `/access/identifier/item/${uid}/timeprofile/${profile}`);
      await ok('POST', `/apartment/item/unbind/identifier/${uid}`);
      expect(await ok('GET', `/access/identifier/item/${uid}`)).toMatchObject({
        time_profiles: { uid_items: [], link_ids: [], count: 0 },
        apartment: { uid: -1, link_id: null, logical_address: null },
      });
      expectPanelError(await api('POST', `/access/identifier/item/${uid}/timeprofile/999999`), 404, 'Time profile not found');
      expectPanelError(await api('POST', `/access/identifier/item/${uid}/timeprofile/0`), 400, 'Wrong Timeprofile uid');
      expectPanelError(await api('POST', `/apartment/item/999999/identifier/${uid}`), 404, 'Apartment not found');
      expectPanelError(await api('POST', `/apartment/item/x/identifier/${uid}`), 400, 'Wrong Apartment uid');
      expectPanelError(await api('POST', '/apartment/item/unbind/identifier/999999'), 404, 'Identifier not found');
      // A Lockt weekly schedule is not a time profile.
      const weekly = await suite.h.store.db
        .insertInto('schedule')
        .values({ site_id: suite.h.site.id, name: 'Weekly', name_key: 'weekly', start_time: '08:00:00', stop_time: '17:00:00', created_at: 0 })
        .returning('id')
        .executeTakeFirstOrThrow();
      expectPanelError(await api('POST', `/access/identifier/item/${uid}/timeprofile/${weekly.id}`), 404, 'Time profile not found');
    });
  });

  describe('both faces', () => {
    it('shows identifiers through Lockt GET /credential, and Lockt cards as card identifiers', async () => {
      const uid = await create({ identifier_type: 'inputCode', identifier_number: '13579' });
      const lockt = await suite.h.request('GET', `/api/v1/credential?id=${uid}`);
      expect(lockt.body.data).toEqual([expect.objectContaining({ id: uid, card_num: '13579', name: '13579', claim_status: 'Unclaimed', user: [] })]);
      await suite.h.request('POST', '/api/v1/user', {
        body: { users: [newUser({ first_name: 'Rhea', last_name: 'Greswell', card_num: '8675309' })] },
      });
      const listed = await ok('GET', `/access/identifier/items?filter=${encodeURIComponent("identifier_number eq '8675309'")}`);
      expect(listed.list_items).toEqual([
        expect.objectContaining({
          identifier_type: 'card',
          identifier_number: '8675309',
          identifier_owner: { name: 'Rhea Greswell', type: 'owner' },
          lock: 'all',
          valid: { time: { is_permanent: true, from: 0, to: 0 }, passes: { is_permanent: true, max_passes: 0 } },
          user_uid: expect.any(Number),
        }),
      ]);
      const row = await suite.h.store.db.selectFrom('credential').select('panel_access').where('card_num', '=', '8675309').executeTakeFirstOrThrow();
      expect(row.panel_access).toBe(0);
    });
  });

  describe('the list', () => {
    let uids: number[];
    beforeEach(async () => {
      uids = [];
      for (let i = 1; i <= 12; i++) {
        uids.push(
          await create({
            identifier_type: i % 3 === 0 ? 'inputCode' : 'card',
            identifier_number: String(1000 + i).padStart(10, '0'),
            identifier_owner: { name: `Owner ${String(i).padStart(2, '0')}` },
          }),
        );
      }
    });

    it('pages, sorts and filters in both styles', async () => {
      const first = await ok('GET', '/access/identifier/items');
      expect(first.list_option.pagination).toEqual({ total_items: 12, items_limit: 10, total_pages: 2, current_page: 1 });
      expect(first.list_option.sort).toEqual({
        field: 'identifier_uid',
        asc: true,
        available_fields: ['identifier_uid', 'identifier_number', 'identifier_type', 'name', 'owner_type', 'lock'],
      });
      expect((await ok('GET', '/access/identifier/items?page_number=2')).list_items.map((i: { identifier_uid: number }) => i.identifier_uid)).toEqual(
        uids.slice(10),
      );
      const byName = await ok('GET', '/access/identifier/items?sort_field=name&sort_type=desc&limit=20');
      expect(byName.list_items[0].identifier_owner.name).toBe('Owner 12');
      const exact = await ok('GET', `/access/identifier/items?filter=${encodeURIComponent("identifier_number eq '0000001005'")}`);
      expect(exact.list_items.map((i: { identifier_uid: number }) => i.identifier_uid)).toEqual([uids[4]]);
      const codes = await ok(
        'GET',
        `/access/identifier/items?filter=${encodeURIComponent("identifier_type eq 'inputCode' and not (name eq 'Owner 03')")}`,
      );
      expect(codes.list_items.map((i: { identifier_owner: { name: string } }) => i.identifier_owner.name)).toEqual([
        'Owner 06',
        'Owner 09',
        'Owner 12',
      ]);
      const range = await ok(
        'GET',
        `/access/identifier/items?filter=${encodeURIComponent("identifier_number ge '0000001011' or identifier_number lt '0000001002'")}`,
      );
      expect(range.list_option.pagination.total_items).toBe(3);
      const flat = await ok('GET', '/access/identifier/items?filter_field=name&filter_type=equal&filter_format=string&filter_value=Owner%2007');
      expect(flat.list_items.map((i: { identifier_uid: number }) => i.identifier_uid)).toEqual([uids[6]]);
      const notType = await ok('GET', `/access/identifier/items?limit=20&filter=${encodeURIComponent("identifier_type nq 'card'")}`);
      expect(notType.list_items).toHaveLength(4);
      expectPanelError(await api('GET', '/access/identifier/items?limit=1000'), 400, 'Wrong limit: 1000 (expected 1 to 100)');
      expectPanelError(
        await api('GET', `/access/identifier/items?filter=${encodeURIComponent("credential_key eq 'x'")}`),
        400,
        'Unknown filter field: credential_key (available: identifier_uid, identifier_number, identifier_type, name, owner_type, lock, user_uid, apartment_uid, link_id)',
      );
    });

    it('deletes many by uid, reporting unknown ones, and refuses an empty list', async () => {
      expect(await ok('DELETE', '/access/identifier/items', { uid_items: [uids[0], uids[1], 999999, 0] })).toEqual({
        result: [
          { uid: uids[0], success: true, extended_info: 'deleted' },
          { uid: uids[1], success: true, extended_info: 'deleted' },
          { uid: 999999, success: false, extended_info: 'not_found' },
          { uid: 0, success: false, extended_info: 'not_found' },
        ],
      });
      expect((await ok('GET', '/access/identifier/items')).list_option.pagination.total_items).toBe(10);
      expectPanelError(await api('DELETE', '/access/identifier/items', { uid_items: [] }), 400, 'List cannot be empty');
      expectPanelError(await api('DELETE', '/access/identifier/items', {}), 400, 'Wrong JSON body: no value for `uid_items`');
    });
  });

  describe('by link_id', () => {
    it('creates and updates by link_id, binding apartments and time profiles by theirs', async () => {
      const apartment = await seedApartment(LINK_C);
      const profile = await seedTimeProfile('Day', LINK_B);
      const item = {
        link_id: LINK_A,
        identifier_type: 'card',
        identifier_number: '900',
        identifier_owner: { name: 'Watson', type: 'owner' },
        apartment_link_id: LINK_C,
        time_profiles: { link_ids: [LINK_B] },
        valid: { passes: { is_permanent: false, max_passes: 5 } },
        additional: { passes_left: 2 },
      };
      expect(await ok('POST', '/access/identifier/items/link', { list_items: [item] })).toEqual({
        result: [{ link_id: LINK_A, success: true, extended_info: 'created' }],
      });
      const [created] = (await ok('GET', `/access/identifier/items/link?link_id=${LINK_A.toUpperCase()}`)).list_items;
      expect(created).toMatchObject({
        link_id: LINK_A,
        identifier_number: '900',
        apartment: { uid: apartment, link_id: LINK_C },
        time_profiles: { uid_items: [profile], link_ids: [LINK_B], count: 1 },
        additional: { passes_left: 2 },
      });
      const updated = await ok('POST', '/access/identifier/items/link', {
        list_items: [
          { ...item, identifier_number: '901', apartment_link_id: null, time_profiles: { link_ids: [] }, additional: { passes_left: -1 } },
        ],
      });
      expect(updated.result).toEqual([{ link_id: LINK_A, success: true, extended_info: 'updated' }]);
      expect((await ok('GET', `/access/identifier/items/link?link_id=${LINK_A}`)).list_items[0]).toMatchObject({
        identifier_uid: created.identifier_uid,
        identifier_number: '901',
        apartment: { uid: -1 },
        time_profiles: { count: 0 },
        additional: { passes_left: 2 },
      });
    });

    it('reports each item’s failure with the panel’s word and writes the others', async () => {
      await card('950');
      const base = { identifier_type: 'card', identifier_number: '951' };
      const result = await ok('POST', '/access/identifier/items/link', {
        list_items: [
          { ...base, link_id: LINK_A, identifier_number: '950' },
          { ...base, link_id: LINK_B, time_profiles: { link_ids: [LINK_C] } },
          { ...base, link_id: LINK_C, apartment_link_id: LINK_A },
          { ...base, link_id: LINK_A, identifier_number: 'x' },
          { ...base, link_id: LINK_A, valid: { passes: { is_permanent: false, max_passes: 2 } }, additional: { passes_left: 3 } },
          { ...base, link_id: LINK_A, valid: { time: { is_permanent: false, from: 5, to: 1 } } },
          { ...base, link_id: LINK_B },
        ],
      });
      expect(result.result).toEqual([
        { link_id: LINK_A, success: false, extended_info: 'number_taken_by_another_identifier' },
        { link_id: LINK_B, success: false, extended_info: 'bound_time_profile_doesnt_exist' },
        { link_id: LINK_C, success: false, extended_info: 'entity_not_found' },
        { link_id: LINK_A, success: false, extended_info: 'wrong_rule' },
        { link_id: LINK_A, success: false, extended_info: 'wrong_rule' },
        { link_id: LINK_A, success: false, extended_info: 'invalid_time_rules_settings' },
        { link_id: LINK_B, success: true, extended_info: 'created' },
      ]);
      expect(
        (await ok('GET', `/access/identifier/items/link?link_id=${LINK_A},${LINK_B}`)).list_items.map((i: { link_id: string }) => i.link_id),
      ).toEqual([LINK_B]);
    });

    it('deletes by link_id, and refuses empty lists and a missing link_id', async () => {
      await ok('POST', '/access/identifier/items/link', { list_items: [{ link_id: LINK_A, identifier_type: 'qr', identifier_number: QR }] });
      expect(await ok('DELETE', '/access/identifier/items/link', { link_ids: [LINK_A, LINK_B] })).toEqual({
        result: [
          { link_id: LINK_A, success: true, extended_info: 'deleted' },
          { link_id: LINK_B, success: false, extended_info: 'not_found' },
        ],
      });
      expect((await ok('GET', `/access/identifier/items/link?link_id=${LINK_A}`)).list_items).toEqual([]);
      expectPanelError(await api('DELETE', '/access/identifier/items/link', { link_ids: [] }), 400, 'List cannot be empty');
      expectPanelError(await api('POST', '/access/identifier/items/link', { list_items: [] }), 400, 'List cannot be empty');
      expectPanelError(await api('GET', '/access/identifier/items/link'), 400, 'Required parameters missed');
      expectPanelError(
        await api('POST', '/access/identifier/items/link', { list_items: [{ link_id: LINK_A, identifier_type: 'card' }] }),
        400,
        'Wrong JSON body: no value for `list_items.0.identifier_number`',
      );
    });
  });

  describe('deciding through the engine', () => {
    let door: number;
    let deviceKey: string;
    beforeEach(async () => {
      door = await seedDoor(suite.h.store.db, suite.h.site.id, 'Gate');
      // The gate is lock 1 of the panel.
      deviceKey = (await createDevice(suite.h.store.db, suite.h.site, { name: 'Panel', doorIds: [door] }, systemClock)).deviceKey;
    });
    const present = async (cardNum: string) => {
      const response = await suite.h.request('POST', '/api/v1/device/access', {
        as: null,
        headers: { authorization: `Bearer ${deviceKey}` },
        body: { door_id: door, card_num: cardNum },
      });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return response.body.data as { granted: boolean; subcode: number };
    };
    const expectDecision = async (cardNum: string, reason: keyof typeof DECISION_SUBCODE) => {
      const answer = await present(cardNum);
      expect({ granted: answer.granted, subcode: answer.subcode }, reason).toEqual({
        granted: reason === 'granted',
        subcode: DECISION_SUBCODE[reason],
      });
    };

    it('opens the panel’s lock by itself, and honours the user’s lock and auth factors', async () => {
      const uid = await card('0001234567');
      await expectDecision('0001234567', 'granted');
      const user = (await ok('POST', '/access/users/item', { name: 'John Doe' })).item_uid;
      await ok('POST', `/access/user/${user}/identifier/${uid}`);
      await expectDecision('0001234567', 'granted');
      await ok('PATCH', `/access/users/item/${user}`, { lock_number: 2 });
      await expectDecision('0001234567', 'lock_not_allowed');
      await ok('PATCH', `/access/users/item/${user}`, { lock_number: 1, is_custom_user_access: true, auth_factors: ['face_id'] });
      await expectDecision('0001234567', 'factor_not_allowed');
      await ok('PATCH', `/access/users/item/${user}`, { auth_factors: ['face_id', 'card'] });
      await expectDecision('0001234567', 'granted');
      await ok('PATCH', `/access/identifier/item/${uid}`, { lock: 'second' });
      await expectDecision('0001234567', 'lock_not_allowed');
    });

    it('spends passes, refuses when none are left, and grants again after a reset', async () => {
      const uid = await card('7777', { valid: { passes: { is_permanent: false, max_passes: 1 } } });
      await expectDecision('7777', 'granted');
      expect((await ok('GET', `/access/identifier/item/${uid}`)).additional).toEqual({ passes_left: 0 });
      await expectDecision('7777', 'passes_used_up');
      await ok('POST', `/access/identifier/item/${uid}/passes/reset`);
      await expectDecision('7777', 'granted');
      await expectDecision('7777', 'passes_used_up');
    });

    it('honours the identifier’s time window and its removal', async () => {
      const now = Math.floor(Date.now() / 1000);
      const uid = await card('8888', { valid: { time: { is_permanent: false, from: now + 3600, to: now + 7200 } } });
      await expectDecision('8888', 'credential_not_yet_effective');
      await ok('PATCH', `/access/identifier/item/${uid}`, { valid: { time: { is_permanent: false, from: now - 7200, to: now - 3600 } } });
      await expectDecision('8888', 'credential_expired');
      await ok('DELETE', `/access/identifier/item/${uid}`);
      await expectDecision('8888', 'unknown_credential');
    });
  });
});
