import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_CATEGORIES, EVENT_CODES } from '../../src/event-log/catalogue.ts';
import { appendEvents } from '../../src/event-log/event-log.ts';
import { itRequiresApiKey } from '../common-route-tests.ts';
import { DIALECTS, type Harness, createHarness } from '../harness.ts';

describe.each(DIALECTS)('POST /anonymize on %s', (dialect) => {
  let h: Harness;
  let userId: number;
  let otherId: number;
  beforeEach(async () => {
    h = await createHarness(dialect);
    const person = (n: number) => ({
      id: -1,
      id_num: `E-${n}`,
      first_name: `First${n}`,
      last_name: `Last${n}`,
      email: `p${n}@example.com`,
      phone: '5551234567',
      pin: `12${n}4`,
      card_num: `100${n}`,
      enabled: true,
    });
    const created = await h.request('POST', '/api/v1/user', { body: { users: [person(1), person(2)] } });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    [userId, otherId] = (await h.request('GET', '/api/v1/user')).body.data.map((u: { id: number }) => u.id);
    const event = (uid: number, name: string, card: string) => ({
      siteId: h.site.id,
      code: EVENT_CODES.ACCESS_GRANTED,
      subcode: 100,
      category: EVENT_CATEGORIES.ACCESS_GRANTED,
      userId: uid,
      userName: name,
      cardNum: card,
      hwTime: 1,
      dbTime: 2,
    });
    await h.store.db
      .transaction()
      .execute((trx) => appendEvents(trx, [event(userId, 'Last1, First1', '1001'), event(userId, 'Last1, First1', '1001'), event(otherId, 'Last2, First2', '1002')]));
  });
  afterEach(async () => {
    await h.close();
  });

  itRequiresApiKey(() => h, 'POST', '/api/v1/anonymize?user_id=1');

  it('replaces the personal data in the user and its events, keeps ids and counts, and is idempotent', async () => {
    const first = await h.request('POST', `/api/v1/anonymize?user_id=${userId}`);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toEqual({ data: { user_id: userId, anonymized: true, events: 2 } });
    const [user] = (await h.request('GET', `/api/v1/user?id=${userId}`)).body.data;
    expect(user).toMatchObject({ id: userId, first_name: 'Anonymized', last_name: `User ${userId}`, email: '', phone: '', id_num: '', pin: '' });
    const events = (await h.request('GET', '/api/v1/events?id=0')).body.data;
    expect(events).toHaveLength(3);
    expect(events.filter((e: { user: string }) => e.user === `User ${userId}, Anonymized`)).toHaveLength(2);
    expect(JSON.stringify(events)).not.toContain('First1');
    expect(JSON.stringify(events)).not.toContain('1001');
    expect(JSON.stringify(events)).toContain('Last2, First2');
    const again = await h.request('POST', `/api/v1/anonymize?user_id=${userId}`);
    expect(again.body.data).toMatchObject({ user_id: userId, anonymized: true });
    const [after] = (await h.request('GET', `/api/v1/user?id=${userId}`)).body.data;
    expect(after).toEqual(user);
    const trail = (await h.request('GET', '/api/v1/audit')).body.data;
    expect(trail[0]).toMatchObject({ resource: 'users', action: 'anonymize', record_ids: [userId] });
    expect(JSON.stringify(trail)).not.toContain('First1');
  });

  it('refuses a missing, blank, unknown or foreign user id', async () => {
    const other = await h.addSite('Other');
    for (const [query, as] of [
      ['', undefined],
      ['?user_id=', undefined],
      ['?user_id=abc', undefined],
      ['?user_id=999999', undefined],
      [`?user_id=${userId}`, other.credentials],
    ] as const) {
      const response = await h.request('POST', `/api/v1/anonymize${query}`, { as });
      expect(response.status, query).toBe(400);
    }
    const [user] = (await h.request('GET', `/api/v1/user?id=${userId}`)).body.data;
    expect(user.first_name).toBe('First1');
  });
});
