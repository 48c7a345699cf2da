import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROWS_PER_TRANSACTION } from '../../db/log-ids.ts';
import { EVENT_CATEGORIES, EVENT_CODES } from '../../event-log/catalogue.ts';
import { type NewEvent, appendEvents } from '../../event-log/event-log.ts';
import { changeSite } from '../sites/sites.service.ts';
import { itRequiresApiKey } from '../../../test/common-route-tests.ts';
import { DIALECTS, type Harness, createHarness } from '../../../test/harness.ts';

const T0 = Date.UTC(2021, 10, 18, 16, 15, 28);

describe.each(DIALECTS)('/events on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.close();
  });

  const event = (n: number, overrides: Partial<NewEvent> = {}): NewEvent => ({
    siteId: h.site.id,
    code: EVENT_CODES.ACCESS_DENIED,
    subcode: 104,
    category: EVENT_CATEGORIES.ACCESS_DENIED,
    deviceName: 'Core 1',
    controller: 'Switch Bridge',
    locationName: 'Main Hall',
    cardNum: String(1000 + n),
    userName: 'Jones, Adam',
    hwTime: T0 + n * 1000,
    dbTime: T0 + n * 1000 + 500,
    ...overrides,
  });
  const record = (events: NewEvent[]) => h.store.db.transaction().execute((trx) => appendEvents(trx, events));

  itRequiresApiKey(() => h, 'GET', '/api/v1/events');

  it('lists the newest events first, in the spec’s shape', async () => {
    const [first, second] = await record([event(1), event(2, { code: EVENT_CODES.ACCESS_GRANTED, subcode: 100, category: 1 })]);
    const response = await h.request('GET', '/api/v1/events');
    expect(response.status).toBe(200);
    expect(response.body.data.map((e: { id: number }) => e.id)).toEqual([second, first]);
    expect(response.body.data[1]).toEqual({
      id: first,
      device: 'Core 1',
      code: 49,
      code_text: 'Access Denied',
      subcode: 104,
      subcode_text: 'Battery Missing',
      schedule: '',
      controller: 'Switch Bridge',
      location: 'Main Hall',
      door: '',
      card_num: '1001',
      user: 'Jones, Adam',
      category: 2,
      category_text: 'Door Access Denied',
      detail: '',
      hw_time: '2021-11-18T16:15:29.000Z',
      event_time: '2021-11-18T16:15:29.000Z',
      db_time: '2021-11-18T16:15:29.500Z',
    });
    expect(response.body.data[0]).toMatchObject({ code: 48, code_text: 'Access Granted', category_text: 'Door Access Granted' });
  });

  it('returns at most the site’s events_limit; ?id= pages oldest first after the id', async () => {
    await changeSite(h.store.db, h.site.id, { eventsLimit: 3 });
    const ids = await record(Array.from({ length: 7 }, (_, i) => event(i)));
    const newest = await h.request('GET', '/api/v1/events');
    expect(newest.body.data.map((e: { id: number }) => e.id)).toEqual(ids.slice(4).reverse());
    const seen: number[] = [];
    let last = 0;
    for (;;) {
      const page = await h.request('GET', `/api/v1/events?id=${last}`);
      if (page.body.data.length === 0) break;
      expect(page.body.data.length).toBeLessThanOrEqual(3);
      for (const e of page.body.data) seen.push(e.id);
      last = seen[seen.length - 1] as number;
    }
    expect(seen).toEqual(ids);
  });

  it('pages an events_limit larger than one query reads (5,000) whole, in order, without a gap', async () => {
    await changeSite(h.store.db, h.site.id, { eventsLimit: 7000 });
    const ids: number[] = [];
    for (let start = 0; start < 12_000; start += 500) ids.push(...(await record(Array.from({ length: 500 }, (_, i) => event(start + i)))));
    const first = await h.request('GET', '/api/v1/events?id=0');
    expect(first.body.data.map((e: { id: number }) => e.id)).toEqual(ids.slice(0, 7000));
    expect(first.body.data[6999]).toMatchObject({ card_num: '7999', hw_time: '2021-11-18T18:12:07.000Z' });
    const second = await h.request('GET', `/api/v1/events?id=${ids[6999]}`);
    expect(second.body.data.map((e: { id: number }) => e.id)).toEqual(ids.slice(7000));
  });

  it('refuses a blank or non-numeric id, and treats an id past every event as "nothing new"', async () => {
    expect((await h.request('GET', '/api/v1/events?id=')).status).toBe(400);
    expect((await h.request('GET', '/api/v1/events?id=abc')).status).toBe(400);
    expect((await h.request('GET', '/api/v1/events?id=99999999999999')).body).toEqual({ data: [] });
  });

  it('shows a site only its own events', async () => {
    const other = await h.addSite('Other');
    await record([event(1, { siteId: other.site.id })]);
    expect((await h.request('GET', '/api/v1/events')).body).toEqual({ data: [] });
    expect((await h.request('GET', '/api/v1/events', { as: other.credentials })).body.data).toHaveLength(1);
  });

  it('loses no event to a poller while writers commit concurrently', async () => {
    const writers = 6;
    const perWriter = 25;
    let writing = true;
    const seen: number[] = [];
    const poller = (async () => {
      let last = 0;
      while (writing || seen.length < writers * perWriter) {
        // Only a page asked for after the last commit may end the poll: one asked for before it can come back
        // empty after it.
        const askedAfterWriting = !writing;
        const page = await h.request('GET', `/api/v1/events?id=${last}`);
        for (const e of page.body.data as { id: number }[]) {
          expect(e.id).toBeGreaterThan(last);
          seen.push(e.id);
          last = e.id;
        }
        if (askedAfterWriting && page.body.data.length === 0) break;
      }
    })();
    const written = (
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          const ids: number[] = [];
          for (let i = 0; i < perWriter; i++) ids.push(...(await record([event(w * 100 + i)])));
          return ids;
        }),
      )
    ).flat();
    writing = false;
    await poller;
    expect([...seen].sort((a, b) => a - b)).toEqual([...written].sort((a, b) => a - b));
  });

  // SQLite has one writer and one connection here, so ids commit in order by construction. PostgreSQL
  // writers commit side by side, and no lock orders them (src/db/log-ids.ts): what keeps a reader from
  // passing an id that commits later is that it stops below the oldest transaction still running.
  it.runIf(dialect === 'postgres')('lets no later event become visible while an earlier one is uncommitted', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted = (_id: number) => {};
    const didInsert = new Promise<number>((resolve) => {
      inserted = resolve;
    });
    const first = h.store.db.transaction().execute(async (trx) => {
      const [id] = (await appendEvents(trx, [event(1)])) as [number];
      inserted(id);
      await held;
      return id;
    });
    const a = await didInsert;
    const committed = () => h.store.db.selectFrom('event').select('id').orderBy('id').execute();
    let openMeanwhile: unknown;
    let committedMeanwhile: unknown;
    let listedMeanwhile: unknown;
    let b = 0;
    try {
      // The earlier writer really is a transaction still open, holding the id that numbers its event.
      openMeanwhile = (
        await sql<{ state: string }>`select state from pg_stat_activity
          where backend_xid::text::bigint = ${Math.floor(a / ROWS_PER_TRANSACTION) % 2 ** 32}`.execute(h.store.db)
      ).rows;
      // The later event commits at once, with a higher id, and any connection can see it...
      [b] = (await record([event(2)])) as [number];
      committedMeanwhile = await committed();
      // ...but a reader must not pass it while the lower id may still commit.
      listedMeanwhile = (await h.request('GET', '/api/v1/events?id=0')).body;
    } finally {
      release();
    }
    expect(openMeanwhile).toEqual([{ state: 'idle in transaction' }]);
    expect(b).toBeGreaterThan(a);
    expect(committedMeanwhile).toEqual([{ id: b }]);
    expect(listedMeanwhile).toEqual({ data: [] });
    expect(await first).toBe(a);
    const ids = (await h.request('GET', '/api/v1/events?id=0')).body.data.map((e: { id: number }) => e.id);
    expect(ids).toEqual([a, b]);
  });

  it('streams new events as Server-Sent Events and resumes after Last-Event-ID', async () => {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (h.app.server.address() as AddressInfo).port;
    const [before] = await record([event(1)]);
    const received: { id: string; data: { id: number; card_num: string } }[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/api/v1/events?stream', headers: { ...h.credentials, 'last-event-id': String(before) } },
        (res) => {
          expect(res.headers['content-type']).toMatch(/text\/event-stream/);
          let buffer = '';
          res.on('data', (chunk: Buffer) => {
            buffer += chunk.toString();
            let end = buffer.indexOf('\n\n');
            while (end >= 0) {
              const message = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const id = /^id: (.*)$/m.exec(message)?.[1];
              const payload = /^data: (.*)$/m.exec(message)?.[1];
              if (id && payload) received.push({ id, data: JSON.parse(payload) });
              if (received.length === 2) {
                req.destroy();
                resolve();
              }
              end = buffer.indexOf('\n\n');
            }
          });
        },
      );
      req.on('error', (error) => (received.length === 2 ? resolve() : reject(error)));
      req.end();
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [a, b] = await record([event(2), event(3)]);
    await done;
    expect(received.map((r) => Number(r.id))).toEqual([a, b]);
    expect(received[0]?.data).toMatchObject({ id: a, card_num: '1002' });
  });
});
