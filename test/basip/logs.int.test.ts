import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendEvents, type NewEvent } from '../../src/event-log/event-log.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { basipEventKey } from '../../src/modules/events/events.basip.presenter.ts';
import { itRequiresOperator } from '../common-route-tests.ts';
import { DIALECTS, type Caller, type Harness, type OperatorCaller, createHarness } from '../harness.ts';

/** The site's event log as the panel face's `/log/items`: keys, paging, sort and the time window. */

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
/** Events one minute apart from this instant. */
const T0 = Date.UTC(2026, 10, 1, 8, 0, 0);
const MINUTE = 60_000;

describe.each(DIALECTS)('BAS-IP log on %s', (dialect) => {
  let h: Harness;
  const clock = fixedClock(NOW);
  let manager: OperatorCaller;

  const logs = (query: string, caller: Caller = manager) => caller.request('GET', `/api/v1/log/items${query}`);
  const event = (siteId: number, index: number, fields: Partial<NewEvent> = {}): NewEvent => ({
    siteId,
    code: 48,
    subcode: 100,
    category: 1,
    cardNum: String(1000 + index),
    doorName: 'Front',
    deviceName: 'Lobby Panel',
    hwTime: T0 + index * MINUTE,
    dbTime: T0 + index * MINUTE,
    ...fields,
  });

  beforeEach(async () => {
    clock.set(NOW);
    h = await createHarness(dialect, { clock });
    manager = await h.operator('manager', { username: 'clerk', password: 'battery staple' });
  });
  afterEach(async () => {
    await h.close();
  });
  itRequiresOperator(() => h, 'GET', '/api/v1/log/items');

  it('shows each event with its time in ms, its key and the identifier number, oldest first by default', async () => {
    await appendEvents(h.store.db, [
      event(h.site.id, 0),
      event(h.site.id, 1, { code: 49, subcode: 101, category: 2, userName: '' }),
      event(h.site.id, 2, { code: 49, subcode: 117, category: 2, userName: 'Holmes, Sherlock', detail: 'Outside every time profile.' }),
      event(h.site.id, 3, { code: 70, subcode: null, category: 5, cardNum: '' }),
    ]);
    const response = await logs('?limit=10&page_number=1&locale=en&sort_type=asc');
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.list_items.map((i: { name: { key: string } }) => i.name.key)).toEqual([
      'access_granted_by_valid_identifier',
      'access_denied_by_unknown_card',
      'access_denied_by_time_profile',
      'lock_open_requested_by_api_call',
    ]);
    expect(response.body.list_items[2]).toEqual({
      timestamp: T0 + 2 * MINUTE,
      name: { key: 'access_denied_by_time_profile', text: 'Access Denied: Outside Time Profile' },
      info: {
        model: {
          event_id: expect.any(Number),
          number: '1002',
          user: 'Holmes, Sherlock',
          door: 'Front',
          location: '',
          device: 'Lobby Panel',
          code: 49,
          subcode: 117,
          detail: 'Outside every time profile.',
        },
      },
    });
    expect(response.body.list_items[0].name.text).toBe('Access Granted');
  });

  it('pages with limit and page_number, newest first with sort_type=desc', async () => {
    await appendEvents(
      h.store.db,
      Array.from({ length: 25 }, (_, i) => event(h.site.id, i)),
    );
    const third = await logs('?limit=10&page_number=3');
    expect(third.body.list_option.pagination).toEqual({ total_items: 25, items_limit: 10, total_pages: 3, current_page: 3 });
    expect(third.body.list_items.map((i: { timestamp: number }) => i.timestamp)).toEqual([20, 21, 22, 23, 24].map((i) => T0 + i * MINUTE));
    const newest = await logs('?limit=10&sort_type=desc');
    expect(newest.body.list_items[0].timestamp).toBe(T0 + 24 * MINUTE);
    expect(newest.body.list_items).toHaveLength(10);
    const beyond = await logs('?limit=10&page_number=9');
    expect(beyond.body.list_items).toEqual([]);
  });

  it('keeps to the window from..to, both ends included, given in ms or in seconds', async () => {
    await appendEvents(
      h.store.db,
      Array.from({ length: 10 }, (_, i) => event(h.site.id, i)),
    );
    const stamps = (response: { body: { list_items: { timestamp: number }[] } }) => response.body.list_items.map((i) => i.timestamp);
    const ms = await logs(`?from=${T0 + 2 * MINUTE}&to=${T0 + 5 * MINUTE}`);
    expect(stamps(ms)).toEqual([2, 3, 4, 5].map((i) => T0 + i * MINUTE));
    expect(ms.body.list_option.pagination.total_items).toBe(4);
    // As a public client sends them: from in seconds, to in ms.
    const mixed = await logs(`?from=${(T0 + 8 * MINUTE) / 1000}&to=${T0 + 60 * MINUTE}`);
    expect(stamps(mixed)).toEqual([8, 9].map((i) => T0 + i * MINUTE));
    expect(stamps(await logs(`?to=${T0}`))).toEqual([T0]);
    expect(stamps(await logs(`?from=${T0 + 100 * MINUTE}`))).toEqual([]);
  });

  it('filters on the timestamp in milliseconds, in either filter style (issue 14 item 13)', async () => {
    await appendEvents(
      h.store.db,
      Array.from({ length: 5 }, (_, i) => event(h.site.id, i)),
    );
    const stamps = (response: { status: number; body: { list_items: { timestamp: number }[] } }) => {
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return response.body.list_items.map((i) => i.timestamp);
    };
    const after = encodeURIComponent(`timestamp gt ${T0 + 2 * MINUTE}`);
    expect(stamps(await logs(`?filter=${after}`))).toEqual([3, 4].map((i) => T0 + i * MINUTE));
    const window = encodeURIComponent(`timestamp ge ${T0 + MINUTE} and timestamp lt 1700000000000000`);
    expect(stamps(await logs(`?filter=${window}`))).toEqual([1, 2, 3, 4].map((i) => T0 + i * MINUTE));
    const flat = `?filter_field=timestamp&filter_type=equal&filter_format=number&filter_value=${T0 + 4 * MINUTE}`;
    expect(stamps(await logs(flat))).toEqual([T0 + 4 * MINUTE]);
    // Past what a JavaScript Date (and so any stored time) can be: refused, not compared.
    const beyond = await logs(`?filter=${encodeURIComponent('timestamp gt 9000000000000000')}`);
    expect(beyond.status).toBe(400);
    expect(beyond.body.error).toBe('Wrong filter value for timestamp: 9000000000000000 (expected an integer)');
  });

  it("shows only the operator's own site", async () => {
    const other = await h.addSite('Elsewhere');
    await appendEvents(h.store.db, [event(h.site.id, 0), event(other.site.id, 1), event(other.site.id, 2)]);
    const response = await logs('');
    expect(response.body.list_items.map((i: { info: { model: { number: string } } }) => i.info.model.number)).toEqual(['1000']);
  });

  it('refuses a bad limit, page, sort or time, and a caller without a session', async () => {
    const cases: [string, string][] = [
      ['?limit=250', 'Wrong limit: 250 (expected 1 to 100)'],
      ['?page_number=0', 'Wrong page_number: 0 (expected 1 or more)'],
      ['?sort_type=up', 'Wrong sort_type: up (expected asc or desc)'],
      ['?from=yesterday', 'Wrong from: yesterday (expected Unix time in ms or seconds)'],
      ['?to=-5', 'Wrong to: -5 (expected Unix time in ms or seconds)'],
    ];
    for (const [query, error] of cases) {
      const response = await logs(query);
      expect(response.status, query).toBe(400);
      expect(response.body).toEqual({ error });
    }
    const anonymous = await logs('', h.caller({}));
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ error: 'Log In' });
  });

  it('maps every catalogued code and denial to a key', () => {
    const keys = [48, 60, 61, 62, 63, 64, 65, 70, 71, 72].map((code) => basipEventKey(code, null));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.every((k) => !k.startsWith('event_'))).toBe(true);
    for (let subcode = 101; subcode <= 117; subcode += 1) expect(basipEventKey(49, subcode)).toMatch(/^access_denied_by_/);
    expect(basipEventKey(48, 100)).toBe('access_granted_by_valid_identifier');
  });
});
