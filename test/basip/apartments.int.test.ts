import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.ts';
import { seedUser } from '../factories/access.ts';
import { itRequiresOperator } from '../common-route-tests.ts';
import { DIALECTS, type Harness, type OperatorCaller, createHarness } from '../harness.ts';

/** BAS-IP apartments: created at a logical address, read, listed, deleted, and given users. */

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

const apartment = (address: Record<string, unknown>, name = '221B Baker Street', extra: Record<string, unknown> = {}) => ({
  apartment_address: address,
  apartment_name: name,
  ...extra,
});
const A1 = { building: 1, unit: 1, floor: 1, room: 1 };

describe.each(DIALECTS)('BAS-IP apartments on %s', (dialect) => {
  let h: Harness;
  const clock = fixedClock(NOW);
  let admin: OperatorCaller;
  let manager: OperatorCaller;

  const create = async (body: unknown): Promise<number> => {
    const response = await admin.request('POST', '/api/v1/apartment', { body });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toEqual({ uid: expect.any(Number) });
    return response.body.uid as number;
  };

  beforeEach(async () => {
    clock.set(NOW);
    h = await createHarness(dialect, { clock });
    admin = await h.operator('admin', { username: 'boss', password: 'correct horse' });
    manager = await h.operator('manager', { username: 'clerk', password: 'battery staple' });
  });
  afterEach(async () => {
    await h.close();
  });
  itRequiresOperator(() => h, 'POST', '/api/v1/apartment', apartment(A1));
  itRequiresOperator(() => h, 'GET', '/api/v1/apartment/items');

  it('creates an apartment and shows it as the seed does', async () => {
    const uid = await create(
      apartment(A1, '221B Baker Street', {
        residents: { count: 3 },
        photo_path: '/api/v1/files?imagePath=apartment-1-1-1-1.jpg',
        route_path: '/api/v1/files?imagePath=route-1-1-1-1.webp',
      }),
    );
    const read = await manager.request('GET', `/api/v1/apartment/item/${uid}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      apartment_address: A1,
      apartment_name: '221B Baker Street',
      residents: { count: 3 },
      photo_path: '/api/v1/files?imagePath=apartment-1-1-1-1.jpg',
      route_path: '/api/v1/files?imagePath=route-1-1-1-1.webp',
      item_uid: uid,
      link_id: null,
    });
    const bare = await create(apartment({ building: 9999, unit: 0, floor: 98, room: 99 }, 'Penthouse'));
    expect((await manager.request('GET', `/api/v1/apartment/item/${bare}`)).body).toMatchObject({
      residents: { count: 0 },
      photo_path: '',
      route_path: '',
    });
    const audit = await h.store.db.selectFrom('audit').select(['actor', 'resource', 'action', 'record_ids']).orderBy('id').execute();
    expect(audit).toEqual([
      { actor: 'boss', resource: 'apartment', action: 'write', record_ids: String(uid) },
      { actor: 'boss', resource: 'apartment', action: 'write', record_ids: String(bare) },
    ]);
  });

  it('refuses a bad logical address with "Wrong Logical Address", and a taken one', async () => {
    for (const address of [
      { ...A1, building: 0 },
      { ...A1, building: 10000 },
      { ...A1, unit: 100 },
      { ...A1, floor: 99 },
      { ...A1, room: 100 },
      { ...A1, room: -1 },
      { ...A1, room: 1.5 },
      { ...A1, room: '1' },
      { building: 1, unit: 1, floor: 1 },
      'Baker Street',
      null,
    ]) {
      const response = await admin.request('POST', '/api/v1/apartment', { body: apartment(address as Record<string, unknown>) });
      expect(response.status, JSON.stringify(address)).toBe(400);
      expect(response.body).toEqual({ error: 'Wrong Logical Address' });
    }
    await create(apartment(A1));
    const taken = await admin.request('POST', '/api/v1/apartment', { body: apartment(A1, 'Another') });
    expect(taken.status).toBe(400);
    expect(taken.body).toEqual({ error: 'Logical Address Already Exists: 1-1-1-1' });
    expect(await h.store.db.selectFrom('apartment').select('id').execute()).toHaveLength(1);
  });

  it('refuses a malformed body in the panel’s words', async () => {
    const cases: [unknown, string][] = [
      [{ apartment_name: 'Flat' }, 'Wrong JSON body: no value for `apartment_address`'],
      [{ apartment_address: A1 }, 'Wrong JSON body: no value for `apartment_name`'],
      [apartment(A1, ' Flat'), 'Wrong JSON body: value `apartment_name` was of the wrong type'],
      [apartment(A1, ''), 'Wrong JSON body: value `apartment_name` was of the wrong type'],
      [apartment(A1, 'Flat', { residents: { count: 'three' } }), 'Wrong JSON body: value `residents.count` was of the wrong type'],
    ];
    for (const [body, error] of cases) {
      const response = await admin.request('POST', '/api/v1/apartment', { body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body).toEqual({ error });
    }
  });

  it('lists a page at a time, sorted and filtered on the address and the name', async () => {
    const uids: number[] = [];
    for (let room = 1; room <= 12; room += 1)
      uids.push(await create(apartment({ building: room <= 6 ? 1 : 2, unit: 1, floor: 1, room }, `Flat ${room}`)));
    const second = await manager.request('GET', '/api/v1/apartment/items?limit=10&page_number=2');
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.list_option.pagination).toEqual({ total_items: 12, items_limit: 10, total_pages: 2, current_page: 2 });
    expect(second.body.list_items.map((a: { item_uid: number }) => a.item_uid)).toEqual(uids.slice(10));
    const building2 = await manager.request(
      'GET',
      `/api/v1/apartment/items?filter=${encodeURIComponent('building eq 2 and room ge 10')}&sort_field=room&sort_type=desc`,
    );
    expect(building2.body.list_items.map((a: { apartment_name: string }) => a.apartment_name)).toEqual(['Flat 12', 'Flat 11', 'Flat 10']);
    const byName = await manager.request(
      'GET',
      '/api/v1/apartment/items?filter_field=apartment_name&filter_type=equal&filter_format=string&filter_value=Flat%203',
    );
    expect(byName.body.list_items.map((a: { item_uid: number }) => a.item_uid)).toEqual([uids[2]]);
  });

  it('adds a user to an apartment (twice is once) and deletes an apartment without its users or identifiers', async () => {
    const uid = await create(apartment(A1));
    const user = await seedUser(h.store.db, h.site.id, 'Sherlock');
    for (let i = 0; i < 2; i += 1) {
      const added = await admin.request('POST', `/api/v1/apartment/item/${uid}/user/${user}`);
      expect(added.status, JSON.stringify(added.body)).toBe(200);
      expect(added.body).toEqual({});
    }
    expect(await h.store.db.selectFrom('user_apartment').select(['user_id', 'apartment_id']).execute()).toEqual([
      { user_id: user, apartment_id: uid },
    ]);
    const credential = await h.store.db
      .insertInto('credential')
      .values({
        site_id: h.site.id,
        user_id: user,
        name: 'Card',
        card_num: '12345678',
        credential_key: randomUUID(),
        apartment_id: uid,
        created_at: NOW,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const deleted = await admin.request('DELETE', `/api/v1/apartment/item/${uid}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({});
    expect((await admin.request('GET', `/api/v1/apartment/item/${uid}`)).body).toEqual({ error: 'Apartment not found' });
    expect(await h.store.db.selectFrom('user_apartment').selectAll().execute()).toEqual([]);
    const kept = await h.store.db.selectFrom('credential').select('apartment_id').where('id', '=', credential.id).executeTakeFirstOrThrow();
    expect(kept.apartment_id).toBeNull();
    expect(await h.store.db.selectFrom('user').select('id').where('id', '=', user).execute()).toHaveLength(1);
  });

  it('answers malformed uids with 400 in the panel’s words, and unknown ones with 404 (docs/basip.md)', async () => {
    const uid = await create(apartment(A1));
    const user = await seedUser(h.store.db, h.site.id, 'Watson');
    const [operator] = await h.store.db.selectFrom('user').select('id').where('username_key', '=', 'boss').execute();
    const other = await h.addSite('Elsewhere');
    const stranger = await seedUser(h.store.db, other.site.id, 'Moriarty');
    const cases: [string, string, number, string][] = [
      ['GET', '/api/v1/apartment/item/999', 404, 'Apartment not found'],
      ['GET', '/api/v1/apartment/item/abc', 400, 'Wrong Apartment uid'],
      ['DELETE', '/api/v1/apartment/item/999', 404, 'Apartment not found'],
      ['POST', `/api/v1/apartment/item/999/user/${user}`, 404, 'Apartment not found'],
      ['POST', `/api/v1/apartment/item/${uid}/user/999`, 404, 'User not found'],
      ['POST', `/api/v1/apartment/item/${uid}/user/x`, 400, 'Wrong User uid'],
      ['POST', `/api/v1/apartment/item/${uid}/user/${operator?.id}`, 404, 'User not found'],
      ['POST', `/api/v1/apartment/item/${uid}/user/${stranger}`, 404, 'User not found'],
    ];
    for (const [method, url, status, error] of cases) {
      const response = await admin.request(method as 'GET' | 'POST' | 'DELETE', url);
      expect(response.status, `${method} ${url}`).toBe(status);
      expect(response.body).toEqual({ error });
    }
  });

  it('answers "Log In" without a session and "Administrator rights required" to a manager writing', async () => {
    const uid = await create(apartment(A1));
    const user = await seedUser(h.store.db, h.site.id, 'Hudson');
    const writes: [string, string, unknown][] = [
      ['POST', '/api/v1/apartment', apartment({ ...A1, room: 2 })],
      ['DELETE', `/api/v1/apartment/item/${uid}`, undefined],
      ['POST', `/api/v1/apartment/item/${uid}/user/${user}`, undefined],
    ];
    for (const [method, url, body] of writes) {
      const refused = await manager.request(method as 'POST' | 'DELETE', url, { body });
      expect(refused.status, `${method} ${url}`).toBe(403);
      expect(refused.body).toEqual({ error: 'Administrator rights required' });
    }
    for (const [method, url, body] of [
      ...writes,
      ['GET', `/api/v1/apartment/item/${uid}`, undefined],
      ['GET', '/api/v1/apartment/items', undefined],
    ] as [string, string, unknown][]) {
      const anonymous = await h.caller({}).request(method as 'GET' | 'POST' | 'DELETE', url, { body });
      expect(anonymous.status, `${method} ${url}`).toBe(401);
      expect(anonymous.body).toEqual({ error: 'Log In' });
    }
    expect(await h.store.db.selectFrom('apartment').select('id').execute()).toHaveLength(1);
  });
});
