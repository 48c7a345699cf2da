import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, openTestStore } from '../../test/harness.ts';
import { queryCounter } from '../../test/factories/people.ts';
import { EVENT_CATEGORIES, EVENT_CODES } from '../event-log/catalogue.ts';
import { type NewEvent, appendEvents } from '../event-log/event-log.ts';
import { systemClock } from '../lib/clock.ts';
import { createSite } from '../modules/sites/sites.service.ts';
import { type Param, hotStatement } from './prepared.ts';

/** A query run both ways: as Kysely builds it on each call (`built`), and as a hot statement. */
const hotEventsOf = () =>
  hotStatement((db, param: Param<{ siteId: number; code: number }>) =>
    db
      .selectFrom('event')
      .selectAll()
      .where(
        'site_id',
        '=',
        param((v) => v.siteId),
      )
      .where(
        'code',
        '=',
        param((v) => v.code),
      )
      .where('category', '>=', 0)
      .orderBy('id'),
  );

describe.each(DIALECTS)('hot statements on %s', (dialect) => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let siteId: number;
  beforeEach(async () => {
    store = await openTestStore(dialect);
    siteId = (await createSite(store.db, { name: 'Hot' }, systemClock)).site.id;
  });
  afterEach(async () => {
    await store.close();
  });

  const event = (code: number, detail: string, extra: Partial<NewEvent> = {}): NewEvent => ({
    siteId,
    code,
    category: EVENT_CATEGORIES.ACCESS_DENIED,
    detail,
    hwTime: 1_700_000_000_123,
    dbTime: 1_700_000_000_456,
    ...extra,
  });

  it('answers the same rows, with the same types, as the query Kysely builds, for the values of each call', async () => {
    const other = (await createSite(store.db, { name: 'Other' }, systemClock)).site.id;
    await store.db
      .transaction()
      .execute((trx) =>
        appendEvents(trx, [
          event(EVENT_CODES.ACCESS_DENIED, 'a', { doorId: null, userName: 'Ann', subcode: 3 }),
          event(EVENT_CODES.ACCESS_GRANTED, 'b'),
          event(EVENT_CODES.ACCESS_DENIED, 'c', { siteId: other }),
          event(EVENT_CODES.ACCESS_DENIED, 'd', { deviceId: null, cardNum: '123' }),
        ]),
      );
    const statement = hotEventsOf();
    const built = statement.built(store.db, { siteId, code: EVENT_CODES.ACCESS_DENIED }).compile();
    // Built with the call's values, the query is Kysely's usual one: the values are parameters, not text.
    expect(built.parameters).toEqual([siteId, EVENT_CODES.ACCESS_DENIED, 0]);
    for (const [site, code] of [
      [siteId, EVENT_CODES.ACCESS_DENIED],
      [siteId, EVENT_CODES.ACCESS_GRANTED],
      [other, EVENT_CODES.ACCESS_DENIED],
      [other, EVENT_CODES.ACCESS_GRANTED],
    ] as const) {
      const expected = (await store.db.executeQuery(statement.built(store.db, { siteId: site, code }))).rows;
      expect(await statement.rows(store.db, { siteId: site, code })).toStrictEqual(expected);
      expect(await statement.first(store.db, { siteId: site, code })).toStrictEqual(expected[0]);
    }
    expect((await statement.rows(store.db, { siteId, code: EVENT_CODES.ACCESS_DENIED })).map((e) => e.detail)).toEqual(['a', 'd']);
  });

  it('is built and compiled once, however often it runs', async () => {
    const counter = queryCounter();
    const db = store.db.withPlugin(counter);
    const statement = hotEventsOf();
    for (let i = 0; i < 3; i++) await statement.rows(db, { siteId, code: EVENT_CODES.ACCESS_DENIED });
    expect(counter.count).toBe(1);
  });

  it('runs in a transaction on that transaction, and what it wrote goes with a rollback', async () => {
    const statement = hotEventsOf();
    const rolledBack = new Error('roll back');
    await expect(
      store.db.transaction().execute(async (trx) => {
        await appendEvents(trx, [event(EVENT_CODES.ACCESS_DENIED, 'inside')]);
        expect((await statement.rows(trx, { siteId, code: EVENT_CODES.ACCESS_DENIED })).map((e) => e.detail)).toEqual(['inside']);
        // Another connection does not see it before the commit (SQLite has one connection, which the transaction holds).
        if (dialect === 'postgres') expect(await statement.rows(store.db, { siteId, code: EVENT_CODES.ACCESS_DENIED })).toEqual([]);
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    expect(await statement.rows(store.db, { siteId, code: EVENT_CODES.ACCESS_DENIED })).toEqual([]);
  });

  it('appends more events than one statement takes, in order, with their ids in order', async () => {
    const details = Array.from({ length: 150 }, (_, i) => `event ${i}`);
    const ids = await store.db.transaction().execute((trx) =>
      appendEvents(
        trx,
        details.map((d) => event(EVENT_CODES.ACCESS_DENIED, d)),
      ),
    );
    expect(ids).toHaveLength(150);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const stored = await hotEventsOf().rows(store.db, { siteId, code: EVENT_CODES.ACCESS_DENIED });
    expect(stored.map((e) => [e.id, e.detail])).toEqual(ids.map((id, i) => [id, details[i]]));
  });

  if (dialect === 'postgres') {
    it('is prepared by PostgreSQL under a name, even with more parameters than other statements are named for', async () => {
      const prepared = await store.db.transaction().execute(async (trx) => {
        // One event is 19 parameters; statements of more than 16 are otherwise sent unnamed.
        await appendEvents(trx, [event(EVENT_CODES.ACCESS_DENIED, 'named')]);
        return (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(trx)).rows;
      });
      expect(prepared.some((p) => p.statement.startsWith('insert into "event"'))).toBe(true);
    });
  }
});
