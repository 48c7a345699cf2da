import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestStore } from '../../../test/harness.ts';
import { CATEGORY_TEXT, CODE_TEXT, SUBCODE_TEXT } from '../../event-log/catalogue.ts';
import { waitUntilSettled } from '../../db/log-ids.ts';
import { type NewEvent, appendEvents } from '../../event-log/event-log.ts';
import { systemClock } from '../../lib/clock.ts';
import { FOUR_DIGIT_YEARS_UTC, formatIsoUtc } from '../../lib/site-time.ts';
import { createSite } from '../sites/sites.service.ts';
import { type EventRow, listEventsAfter, listNewestEvents } from './events.repository.ts';

/** What the store's JSON must equal: the event presented in JavaScript and given to JSON.stringify. */
function presentedInJavaScript(row: EventRow): string {
  const hwTime = formatIsoUtc(row.hw_time);
  return JSON.stringify({
    id: row.id,
    device: row.device_name,
    code: row.code,
    code_text: CODE_TEXT[row.code] ?? '',
    subcode: row.subcode,
    subcode_text: row.subcode === null ? '' : (SUBCODE_TEXT[row.subcode] ?? ''),
    schedule: row.schedule_name,
    controller: row.controller,
    location: row.location_name,
    door: row.door_name,
    card_num: row.card_num,
    user: row.user_name,
    category: row.category,
    category_text: CATEGORY_TEXT[row.category] ?? '',
    detail: row.detail,
    hw_time: hwTime,
    event_time: hwTime,
    db_time: formatIsoUtc(row.db_time),
  });
}

const { first, last } = FOUR_DIGIT_YEARS_UTC;
const EDGE_TIMES = [
  first,
  last,
  -1,
  0,
  1,
  Date.parse('1969-12-31T23:59:59.999Z'),
  Date.parse('2024-02-29T23:59:59.999Z'),
  Date.parse('2026-03-29T01:00:00.001Z'),
  Date.parse('2038-01-19T03:14:08.000Z'),
  Date.parse('1900-02-28T12:00:00.500Z'),
];
const time = fc.oneof(fc.constantFrom(...EDGE_TIMES), fc.integer({ min: first, max: last }));

// Any text the faces let in: every code point but NUL (refused at the door, and PostgreSQL cannot hold it).
const text = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replaceAll('\u0000', ''));
const oddText = fc.oneof(
  text,
  fc.constantFrom('', '"quoted" \\ back/slash', '\b\f\n\r\t\u0001\u001f\u007f', '\u2028\u2029', '😀 émoji ✓', '</script>'),
);
const code = (known: Record<number, string>) =>
  fc.oneof(fc.constantFrom(...Object.keys(known).map(Number)), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));

describe.each(DIALECTS)('events serialised by the store on %s', (dialect) => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let siteId: number;
  beforeAll(async () => {
    store = await openTestStore(dialect);
    siteId = (await createSite(store.db, { name: 'Json' }, systemClock)).site.id;
  });
  afterAll(async () => {
    await store.close();
  });

  const newEvent = fc.record({
    code: code(CODE_TEXT),
    subcode: fc.option(code(SUBCODE_TEXT)),
    category: code(CATEGORY_TEXT),
    deviceName: oddText,
    controller: oddText,
    doorName: oddText,
    locationName: oddText,
    scheduleName: oddText,
    cardNum: oddText,
    userName: oddText,
    detail: oddText,
    hwTime: time,
    dbTime: time,
  });

  it('writes every event byte for byte as JSON.stringify of the presented event', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(newEvent, { minLength: 1, maxLength: 20 }), async (events) => {
        const ids = await store.db.transaction().execute((trx) =>
          appendEvents(
            trx,
            events.map((e): NewEvent => ({ siteId, ...e })),
          ),
        );
        const first = (ids[0] as number) - 1;
        const rows = await store.db.selectFrom('event').selectAll().where('id', 'in', ids).orderBy('id').execute();
        // As the events route does: on PostgreSQL a row is listed once every older transaction of the database
        // has ended (src/db/log-ids.ts), and one may be running (autovacuum's ANALYZE takes a transaction id).
        await waitUntilSettled(store.db, 'event', siteId, first);
        const served = await listEventsAfter(store.db, siteId, first, ids.length);
        expect(served.map((e) => e.id)).toEqual(ids);
        expect(served.map((e) => e.json)).toEqual(rows.map(presentedInJavaScript));
        const newest = await listNewestEvents(store.db, siteId, ids.length);
        expect(newest.map((e) => e.json)).toEqual(rows.map(presentedInJavaScript).reverse());
      }),
      { numRuns: 60 },
    );
  });
});
