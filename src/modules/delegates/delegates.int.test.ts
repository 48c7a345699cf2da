import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { itRequiresApiKey } from '../../../test/common-route-tests.ts';
import { accessLevelIdsOf, grantAccessLevel, seedDoor, seedSchedule, seedUser } from '../../../test/factories/access.ts';
import { DIALECTS, type Harness, createHarness } from '../../../test/harness.ts';
import { fixedClock } from '../../lib/clock.ts';
import { formatSiteTime } from '../../lib/site-time.ts';

const ZONE = 'America/New_York';
/** 2030-06-01 12:00 UTC, 08:00 in the site's zone. */
const NOW = Date.UTC(2030, 5, 1, 12, 0, 0);
const MINUTE = 60_000;
/** A wire time `minutes` from NOW, in the site's zone. */
const at = (minutes: number) => formatSiteTime(NOW + minutes * MINUTE, ZONE);

const PARSE_FAILURE = {
  result: ['No data found or invalid JSON objects supplied. Could not parse input.'],
  errors: [],
};

describe.each(DIALECTS)('/delegate on %s', (dialect) => {
  let h: Harness;
  let clock: ReturnType<typeof fixedClock>;
  let front: number;
  let office: number;
  let back: number;
  let giver: number;
  let receiver: number;
  let third: number;
  let admin: number;
  let staff: number;
  beforeEach(async () => {
    clock = fixedClock(NOW);
    h = await createHarness(dialect, { clock, timezone: ZONE });
    const db = h.store.db;
    front = await seedDoor(db, h.site.id, 'Front Door');
    office = await seedDoor(db, h.site.id, 'Office Door');
    back = await seedDoor(db, h.site.id, 'Back Door');
    const always = await seedSchedule(db, h.site.id, 'Always');
    giver = await seedUser(db, h.site.id, 'Giver');
    receiver = await seedUser(db, h.site.id, 'Receiver');
    third = await seedUser(db, h.site.id, 'Third');
    admin = await seedUser(db, h.site.id, 'Admin', 'admin');
    await h.request('POST', '/api/v1/accesslevel', {
      body: {
        accesslevels: [
          {
            name: 'Staff',
            doors: [
              { id: front, schedule_id: always },
              { id: office, schedule_id: always },
            ],
          },
        ],
      },
    });
    staff = (await h.request('GET', '/api/v1/accesslevel?name=Staff')).body.data[0].id;
    await grantAccessLevel(db, h.site.id, giver, staff);
  });
  afterEach(async () => {
    await h.close();
  });

  const delegation = (overrides: Record<string, unknown> = {}) => ({
    from_user_id: giver,
    to_user_id: receiver,
    access_effective: at(0),
    access_expires: at(120),
    doors: [{ id: front }],
    ...overrides,
  });
  const delegate = (overrides: Record<string, unknown> = {}) =>
    h.request('POST', '/api/v1/delegate', { body: { delegates: [delegation(overrides)] } });
  const list = async () => (await h.request('GET', '/api/v1/delegate')).body.data;

  describe('GET', () => {
    itRequiresApiKey(() => h, 'GET', '/api/v1/delegate');

    it('lists only delegate levels, their window in the site’s zone and their doors by id and name', async () => {
      expect(await h.request('GET', '/api/v1/delegate')).toMatchObject({ status: 200, body: { data: [] } });
      await delegate({ doors: [{ id: office }, { id: front }] });
      const response = await h.request('GET', '/api/v1/delegates');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        data: [
          {
            id: expect.any(Number),
            name: expect.stringMatching(/^delegate_[0-9a-f]{32}$/),
            access_effective: '2030-06-01 08:00:00',
            access_expires: '2030-06-01 10:00:00',
            doors: [
              { id: front, name: 'Front Door' },
              { id: office, name: 'Office Door' },
            ],
          },
        ],
      });
    });

    it('pages with limit and after_id', async () => {
      await delegate();
      await delegate({ to_user_id: third });
      const first = await h.request('GET', '/api/v1/delegate?limit=1');
      expect(first.body.data).toHaveLength(1);
      const next = await h.request('GET', `/api/v1/delegate?limit=1&after_id=${first.body.data[0].id}`);
      expect(next.body.data).toHaveLength(1);
      expect(next.body.data[0].id).toBeGreaterThan(first.body.data[0].id);
      expect((await h.request('GET', `/api/v1/delegate?after_id=${next.body.data[0].id}`)).body.data).toEqual([]);
    });

    it('never shows another site’s delegate levels', async () => {
      await delegate();
      const other = await h.addSite('Other');
      expect((await h.request('GET', '/api/v1/delegate', { as: other.credentials })).body).toEqual({ data: [] });
    });
  });

  describe('POST', () => {
    itRequiresApiKey(() => h, 'POST', '/api/v1/delegate', { delegates: [{ from_user_id: 1 }] });

    it('creates a delegate level from the giver’s doors and assigns it to the receiver', async () => {
      // As the spec's example sends them: ids as numeric strings.
      const response = await delegate({
        from_user_id: String(giver),
        to_user_id: String(receiver),
        doors: [{ id: String(front) }],
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: { submitted: 1, processed: 1, errors: 0 } });
      const [level] = await list();
      expect(await accessLevelIdsOf(h.store.db, receiver)).toEqual([level.id]);
      expect(await accessLevelIdsOf(h.store.db, giver)).toEqual([staff]);
      const row = await h.store.db.selectFrom('access_level').selectAll().where('id', '=', level.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        site_id: h.site.id,
        is_delegate: 1,
        delegated_by_user_id: giver,
        access_effective: NOW,
        access_expires: NOW + 120 * MINUTE,
      });
      const doors = h.store.db.selectFrom('access_level_door').selectAll().where('access_level_id', '=', level.id);
      expect(await doors.execute()).toEqual([{ access_level_id: level.id, door_id: front, schedule_id: null, site_id: h.site.id }]);
    });

    it('reads ISO 8601 times with an offset, and an effective time in the past', async () => {
      const response = await delegate({ access_effective: '2030-06-01T10:00:00Z', access_expires: '2030-06-01T13:30:00+00:00' });
      expect(response.status).toBe(200);
      expect((await list())[0]).toMatchObject({ access_effective: '2030-06-01 06:00:00', access_expires: '2030-06-01 09:30:00' });
    });

    it('reports every problem of the spec’s example at once and writes nothing', async () => {
      const record = delegation({ access_effective: at(-30), access_expires: at(-60), doors: [{ id: back }] });
      const response = await h.request('POST', '/api/v1/delegate', { body: { delegates: [record] } });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        result: ['Validation errors found. Batch has failed. Details provided.'],
        errors: [
          {
            error: [
              `Door id ${back} is not available to delegate`,
              'Invalid access_effective date: 2030-06-01 07:30:00, must be before access_expires',
              'Invalid access_expires date: 2030-06-01 07:00:00, cannot be in past',
            ],
            input_data: record,
          },
        ],
      });
      expect(await list()).toEqual([]);
      expect(await accessLevelIdsOf(h.store.db, receiver)).toEqual([]);
    });

    it('refuses an effective time equal to the expiry', async () => {
      const response = await delegate({ access_effective: at(60), access_expires: at(60) });
      expect(response.body.errors[0].error).toEqual([`Invalid access_effective date: ${at(60)}, must be before access_expires`]);
    });

    it('requires two different cardholders of this site', async () => {
      const other = await h.addSite('Other');
      const stranger = await seedUser(h.store.db, other.site.id, 'Stranger');
      const cases: [Record<string, unknown>, string[]][] = [
        [{ from_user_id: 404040 }, ['Invalid from_user_id: 404040']],
        [{ from_user_id: admin }, [`Invalid from_user_id: ${admin}`]],
        [{ to_user_id: admin }, [`Invalid to_user_id: ${admin}`]],
        [{ to_user_id: stranger }, [`Invalid to_user_id: ${stranger}`]],
        [{ from_user_id: stranger, to_user_id: 99999999999 }, [`Invalid from_user_id: ${stranger}`, 'Invalid to_user_id: 99999999999']],
        [{ to_user_id: giver }, [`Invalid to_user_id: ${giver}, must differ from from_user_id`]],
        [{ from_user_id: 'abc', to_user_id: '' }, ['Non-Numeric from_user_id found: abc', 'Missing or blank to_user_id']],
      ];
      for (const [overrides, messages] of cases) {
        const response = await delegate(overrides);
        expect(response.status, JSON.stringify(overrides)).toBe(400);
        expect(response.body.errors[0].error, JSON.stringify(overrides)).toEqual(messages);
      }
      expect(await list()).toEqual([]);
    });

    it('requires both dates, each a time', async () => {
      const cases: [Record<string, unknown>, string[]][] = [
        [{ access_effective: '' }, ['Missing or blank access_effective']],
        [{ access_expires: null }, ['Missing or blank access_expires']],
        [{ access_effective: undefined, access_expires: undefined }, ['Missing or blank access_effective', 'Missing or blank access_expires']],
        [{ access_effective: 'tomorrow' }, ['Invalid access_effective date found: tomorrow']],
        [{ access_expires: '2030-02-30 10:00:00' }, ['Invalid access_expires date found: 2030-02-30 10:00:00']],
        [{ access_expires: 20300601 }, ['Invalid access_expires date found: 20300601']],
      ];
      for (const [overrides, messages] of cases) {
        const response = await delegate(overrides);
        expect(response.status, JSON.stringify(overrides)).toBe(400);
        expect(response.body.errors[0].error, JSON.stringify(overrides)).toEqual(messages);
      }
    });

    it('requires doors, each once, each held by the giver', async () => {
      const other = await h.addSite('Other');
      const vault = await seedDoor(h.store.db, other.site.id, 'Vault');
      const shape = 'Invalid doors found (expected [{"id": door id}, …])';
      const cases: [Record<string, unknown>, string[]][] = [
        [{ doors: undefined }, ['Missing or blank doors']],
        [{ doors: [] }, [`${shape}: []`]],
        [{ doors: [{ id: 'x' }] }, [`${shape}: [{"id":"x"}]`]],
        [{ doors: [{ id: front }, { id: front }] }, [`Duplicate door id ${front} in delegation`]],
        [
          { doors: [{ id: front }, { id: back }, { id: vault }, { id: 777777 }] },
          [
            `Door id ${back} is not available to delegate`,
            `Door id ${vault} is not available to delegate`,
            'Door id 777777 is not available to delegate',
          ],
        ],
      ];
      for (const [overrides, messages] of cases) {
        const response = await delegate(overrides);
        expect(response.status, JSON.stringify(overrides)).toBe(400);
        expect(response.body.errors[0].error, JSON.stringify(overrides)).toEqual(messages);
      }
    });

    it('does not let a door received by delegation be delegated again', async () => {
      expect((await delegate()).status).toBe(200);
      const response = await delegate({ from_user_id: receiver, to_user_id: third });
      expect(response.status).toBe(400);
      expect(response.body.errors[0].error).toEqual([`Door id ${front} is not available to delegate`]);
    });

    it('lets a door be delegated on when the giver also holds it through a level of their own', async () => {
      // The receiver is given Staff too: its doors are now their own, whatever was delegated to them.
      await delegate();
      await grantAccessLevel(h.store.db, h.site.id, receiver, staff);
      expect((await delegate({ from_user_id: receiver, to_user_id: third })).status).toBe(200);
    });

    it('takes one record per call, whatever the options say', async () => {
      const two = await h.request('POST', '/api/v1/delegate', { body: { delegates: [delegation(), delegation()] } });
      expect(two.status).toBe(400);
      expect(two.body).toEqual({ result: ['Batch size exceeds maximum of 1 objects.'], errors: [] });
      const partial = await h.request('POST', '/api/v1/delegate', {
        body: { delegates: [delegation({ doors: [{ id: back }] })], options: { validate_fails_batch: false } },
      });
      expect(partial.status).toBe(400);
      expect(partial.body.result).toEqual(['Validation errors found. Batch has failed. Details provided.']);
      expect(await list()).toEqual([]);
    });

    it('refuses a missing or empty body when not purging', async () => {
      for (const options of [{}, { rawBody: '' }, { body: {} }, { body: { delegates: [] } }]) {
        const response = await h.request('POST', '/api/v1/delegate', options);
        expect(response.status, JSON.stringify(options)).toBe(400);
        expect(response.body, JSON.stringify(options)).toEqual(PARSE_FAILURE);
      }
    });
  });

  it('lets /object describe delegate and delegate_create', async () => {
    const described = await h.request('GET', '/api/v1/object?type=delegate_create');
    expect(described.body.data.map((p: { property: string; datatype: string }) => [p.property, p.datatype])).toEqual([
      ['from_user_id', 'integer'],
      ['to_user_id', 'integer'],
      ['access_effective', 'date-time'],
      ['access_expires', 'date-time'],
      ['doors', 'array'],
    ]);
    const shown = await h.request('GET', '/api/v1/object?type=delegate');
    expect(shown.body.data.map((p: { property: string }) => p.property)).toEqual(['id', 'name', 'access_effective', 'access_expires', 'doors']);
  });

  describe('POST ?purge', () => {
    itRequiresApiKey(() => h, 'POST', '/api/v1/delegate?purge');

    it('deletes only the delegate levels whose expiry has passed, and their assignments', async () => {
      await delegate({ access_expires: at(60) });
      await delegate({ access_expires: at(180), doors: [{ id: office }] });
      const [, later] = await list();
      const other = await h.addSite('Other');
      await h.store.db
        .insertInto('access_level')
        .values({
          site_id: other.site.id,
          name: 'delegate_old',
          name_key: 'delegate_old',
          is_delegate: 1,
          access_expires: NOW - MINUTE,
          created_at: NOW,
        })
        .execute();

      clock.set(NOW + 60 * MINUTE);
      // Expiring exactly now is not yet "before the current date/time".
      const none = await h.request('POST', '/api/v1/delegate?purge', { rawBody: '' });
      expect(none.status).toBe(200);
      expect(none.body).toEqual({ data: { submitted: 2, deleted: 0, errors: 0 } });

      clock.set(NOW + 120 * MINUTE);
      // The spec's client sends Content-Type application/json with no body, to the plural.
      const one = await h.request('POST', '/api/v1/delegates?purge', { rawBody: '' });
      expect(one.body).toEqual({ data: { submitted: 2, deleted: 1, errors: 0 } });
      expect((await list()).map((l: { id: number }) => l.id)).toEqual([later.id]);
      expect(await accessLevelIdsOf(h.store.db, receiver)).toEqual([later.id]);

      const again = await h.request('POST', '/api/v1/delegate?purge', { body: {} });
      expect(again.body).toEqual({ data: { submitted: 1, deleted: 0, errors: 0 } });

      // Ordinary levels and other sites are untouched.
      expect((await h.request('GET', '/api/v1/accesslevel?name=Staff')).body.data).toHaveLength(1);
      const theirs = await h.store.db.selectFrom('access_level').select('id').where('site_id', '=', other.site.id).execute();
      expect(theirs).toHaveLength(1);
    });

    it('takes ?purge with any value, with or without a Content-Type, and ignores a body', async () => {
      await delegate({ access_expires: at(1) });
      clock.set(NOW + 2 * MINUTE);
      const response = await h.request('POST', '/api/v1/delegate?purge=true', { body: { delegates: [delegation()] } });
      expect(response.body).toEqual({ data: { submitted: 1, deleted: 1, errors: 0 } });
      expect(await list()).toEqual([]);
      const bare = await h.request('POST', '/api/v1/delegate?purge');
      expect(bare.body).toEqual({ data: { submitted: 0, deleted: 0, errors: 0 } });
    });
  });
});
