import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessIndex } from '../../src/access/access-index.ts';
import { answer } from '../../src/access/access.service.ts';
import { storeFactSource } from '../../src/access/facts.ts';
import type { Presented } from '../../src/access/facts.ts';
import { writeTransaction } from '../../src/db/change-feed.ts';
import type { Queryable } from '../../src/db/queryable.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { createDevice, listDevices, revokeDevice } from '../../src/modules/devices/devices.service.ts';
import { createOperator } from '../../src/modules/users/operators.service.ts';
import { DIALECTS, type Harness, createHarness } from '../harness.ts';

// Monday 2026-11-23 09:30 UTC; the schedules below are open at some of the instants checked, not all.
const NOW = Date.UTC(2026, 10, 23, 9, 30, 0);
const INSTANTS = [NOW, NOW + 9 * 3_600_000, NOW + 5 * 86_400_000];
const CARDS = ['5001', '5002', '5003', '5004'];
/**
 * What is presented at each door: three of the cards (the fourth only ever differs from them by being
 * written less), the users' PIN, and a code that can only be the public one.
 */
type Typed = Extract<Presented, { kind: 'card_num' | 'pin' }>;
const PRESENTED: Typed[] = [
  ...CARDS.slice(0, 3).map((value): Typed => ({ kind: 'card_num', value })),
  { kind: 'pin', value: '1234' },
  { kind: 'pin', value: '4711' },
];
/** Each run asks 45 decisions after each of up to 8 writes, twice over on PostgreSQL's round trips. */
const RUN_TIMEOUT = 120_000;
const asQuery = (presented: Typed) => `${presented.kind === 'pin' ? 'pin' : 'card_num'}=${presented.value}`;

/**
 * A write through the Lockt API, or (`operator`) through the BAS-IP panel settings as a site admin, or
 * (`direct`) straight to the store's door-mode tables in a transaction that tells the caches, as the
 * write side of door modes does, or (`service`) a service function that writes as the CLI does (devices).
 */
type Write =
  | { method: 'POST' | 'PUT' | 'DELETE'; url: string; body: (ids: SiteIds) => unknown; operator?: true }
  | { direct: (trx: Queryable, siteId: number, ids: SiteIds) => Promise<unknown> }
  | { service: (ids: SiteIds) => Promise<unknown> };
/** The site-local days of the instants checked (the site's zone is UTC). */
const DAYS = ['2026-11-23', '2026-11-28'];
const DOOR_MODES = ['unlocked', 'locked', 'card_and_pin'] as const;
const OPERATOR = { authorization: `Basic ${Buffer.from('admin:panel secret').toString('base64')}` };
interface SiteIds {
  doors: number[];
  levels: number[];
  users: number[];
  credentials: number[];
}

/**
 * Random sequences of API writes; after each, every decision the running server gives (through the
 * index behind GET /access) must equal decide() over facts read fresh from the store.
 */
describe.each(DIALECTS)('the access index agrees with the store on %s', (dialect) => {
  let h: Harness;
  const clock = fixedClock(NOW);
  beforeEach(async () => {
    h = await createHarness(dialect, { clock });
  });
  afterEach(async () => {
    await h.close();
  });

  async function ids(): Promise<SiteIds> {
    const list = async (url: string) => (await h.request('GET', url)).body.data.map((r: { id: number }) => r.id) as number[];
    return {
      doors: await list('/api/v1/door'),
      levels: await list('/api/v1/accesslevel'),
      users: await list('/api/v1/user'),
      credentials: await list('/api/v1/credential'),
    };
  }

  let alwaysSchedule = 0;
  let morningsSchedule = 0;
  /** The site's two locations (D1 starts in the first, D2 and D3 in the second). */
  let locations: number[] = [];
  let firstPanel = 0;
  const pick = <T>(items: T[], n: number): T | undefined => (items.length === 0 ? undefined : items[n % items.length]);
  const onDoor = (n: number, s: SiteIds) => pick(s.doors, n) ?? 0;

  // fast-check favours small values, and a plain fc.boolean() came out false in every one of these few runs,
  // so no holder was ever enabled and no decision was a grant.
  const MOSTLY_TRUE = fc.nat(3).map((n) => n < 3);
  const writeArb: fc.Arbitrary<Write> = fc.oneof(
    fc.record({ card: fc.constantFrom(...CARDS), enabled: MOSTLY_TRUE, level: fc.nat(), expired: MOSTLY_TRUE.map((current) => !current) }).map(
      ({ card, enabled, level, expired }): Write => ({
        method: 'POST',
        url: '/api/v1/user',
        body: (s) => ({
          users: [
            {
              id: -1,
              id_num: `U${card}-${Math.random()}`,
              first_name: 'F',
              last_name: `L${card}`,
              email: `${card}.${Math.random()}@example.com`,
              phone: '5551234567',
              pin: '1234',
              card_num: card,
              enabled,
              access_expires: expired ? '2026-11-01 00:00:00' : '',
              accesslevels: pick(s.levels, level) === undefined ? [] : [{ id: pick(s.levels, level) }],
            },
          ],
          options: { validate_fails_batch: false },
        }),
      }),
    ),
    fc
      .record({ user: fc.nat(), enabled: MOSTLY_TRUE })
      .map(
        ({ user, enabled }): Write => ({ method: 'PUT', url: '/api/v1/user', body: (s) => ({ users: [{ id: pick(s.users, user) ?? 0, enabled }] }) }),
      ),
    fc.record({ user: fc.nat(), level: fc.nat(), replace: fc.boolean() }).map(
      ({ user, level, replace }): Write => ({
        method: 'PUT',
        url: '/api/v1/user',
        body: (s) => ({
          users: [{ id: pick(s.users, user) ?? 0, accesslevels: replace ? [] : [{ id: pick(s.levels, level) ?? 0 }] }],
          options: { replace_privileges: replace },
        }),
      }),
    ),
    fc
      .record({ door: fc.nat(), enabled: MOSTLY_TRUE })
      .map(
        ({ door, enabled }): Write => ({ method: 'PUT', url: '/api/v1/door', body: (s) => ({ doors: [{ id: pick(s.doors, door) ?? 0, enabled }] }) }),
      ),
    fc.record({ level: fc.nat(), door: fc.nat() }).map(
      ({ level, door }): Write => ({
        method: 'PUT',
        url: '/api/v1/accesslevel',
        body: (s) => ({ accesslevels: [{ id: pick(s.levels, level) ?? 0, doors: [{ id: pick(s.doors, door) ?? 0, schedule_id: alwaysSchedule }] }] }),
      }),
    ),
    fc
      .nat()
      .map((n): Write => ({ method: 'DELETE', url: '/api/v1/credential', body: (s) => ({ credentials: [{ id: pick(s.credentials, n) ?? 0 }] }) })),
    // A panel's free access: the instants checked are Monday 09:30 and 18:30 and Saturday 09:30 (UTC).
    fc
      .record({
        enable: MOSTLY_TRUE,
        lock: fc.constantFrom('first', 'second', 'all'),
        day: fc.constantFrom('MON', 'SAT', 'WED'),
        // A whole day as often as a random window: random ones seldom cover the instants checked.
        from: fc.oneof(fc.constant(0), fc.nat(86_399)),
        to: fc.oneof(fc.constant(86_399), fc.nat(86_399)),
      })
      .map(
        ({ enable, lock, day, from, to }): Write => ({
          method: 'POST',
          url: '/api/v1/access/freeaccess',
          body: () => ({ enable, days: [{ lock, enable: true, time_from: from, time_to: to, day }] }),
          operator: true,
        }),
      ),
    fc.record({ enable: MOSTLY_TRUE, code: fc.constantFrom(4711, 1234) }).map(
      ({ enable, code }): Write => ({
        method: 'POST',
        url: '/api/v1/access/general/unlock/input/code',
        body: () => ({ input_code_enable: enable, input_code_number: code }),
        operator: true,
      }),
    ),
    fc.nat().map((n): Write => ({ method: 'DELETE', url: '/api/v1/user', body: (s) => ({ users: [{ id: pick(s.users, n) ?? 0 }] }) })),
    // Moving a door to another location (or none) changes which location-scoped plans cover it.
    fc.record({ door: fc.nat(), location: fc.option(fc.nat(), { nil: undefined }) }).map(
      ({ door, location }): Write => ({
        method: 'PUT',
        url: '/api/v1/door',
        body: (s) => ({ doors: [{ id: pick(s.doors, door) ?? 0, location: location === undefined ? null : pick(locations, location) }] }),
      }),
    ),
    // Which locks a door sits behind decides its free access: another panel drives a door as its lock 1, or every other panel is revoked.
    fc.record({ door: fc.nat(), revoke: fc.boolean() }).map(
      ({ door, revoke }): Write => ({
        service: async (s) => {
          if (!revoke) return createDevice(h.store.db, h.site, { name: `Panel ${Math.random()}`, doorIds: [pick(s.doors, door) ?? 0] }, clock);
          const others = (await listDevices(h.store.db, h.site.id)).filter((d) => d.id !== firstPanel && !d.revoked);
          for (const device of others) await revokeDevice(h.store.db, device.id, clock);
        },
      }),
    ),
    // One choice among the others, a little more likely: the door-mode writes, each as likely as the rest.
    { arbitrary: fc.oneof(...doorModeWrites()), weight: 3 },
    // Plans once more on their own, so that location-scoped ones meet the doors moved between locations.
    planWrite(),
  );

  /** A started lockdown or egress plan over the site, a list of doors or a location, with a responder level. */
  function planWrite(): fc.Arbitrary<Write> {
    return fc
      .record({
        mode: fc.constantFrom('lockdown' as const, 'egress' as const),
        priority: fc.nat(3),
        // Location-scoped plans twice as likely: the doors they cover move (the door writes above).
        scope: fc.constantFrom('site' as const, 'doors' as const, 'location' as const, 'location' as const),
        door: fc.nat(),
        responder: fc.nat(),
        until: fc.constantFrom(null, NOW + 3_600_000),
      })
      .map(
        ({ mode, priority, scope, door, responder, until }): Write => ({
          direct: async (trx, siteId, s) => {
            const name = `${scope === 'location' ? 'Location plan' : 'Plan'} ${Math.random()}`;
            const plan = await trx
              .insertInto('lockdown_plan')
              .values({
                site_id: siteId,
                name,
                name_key: name,
                mode,
                priority,
                scope,
                location_id: scope === 'location' ? (pick(locations, door) ?? null) : null,
                active_since: NOW,
                active_until: until,
                active_by: 'operator alice',
                created_at: NOW,
              })
              .returning('id')
              .executeTakeFirstOrThrow();
            if (scope === 'doors')
              await trx
                .insertInto('lockdown_plan_door')
                .values({ plan_id: plan.id, door_id: onDoor(door, s), site_id: siteId })
                .execute();
            const level = pick(s.levels, responder);
            if (level !== undefined)
              await trx.insertInto('lockdown_plan_responder').values({ plan_id: plan.id, access_level_id: level, site_id: siteId }).execute();
          },
        }),
      );
  }

  /** Writes to the door-mode tables: unlock rows, holidays, overrides, lockdown plans, first person in. */
  function doorModeWrites(): fc.Arbitrary<Write>[] {
    return [
      fc.record({ door: fc.nat(), mornings: fc.boolean(), mode: fc.constantFrom(...DOOR_MODES), firstIn: fc.boolean() }).map(
        ({ door, mornings, mode, firstIn }): Write => ({
          direct: async (trx, siteId, s) => {
            const schedule = mornings ? morningsSchedule : alwaysSchedule;
            await trx.deleteFrom('door_mode_schedule').where('door_id', '=', onDoor(door, s)).where('schedule_id', '=', schedule).execute();
            await trx
              .insertInto('door_mode_schedule')
              .values({ site_id: siteId, door_id: onDoor(door, s), schedule_id: schedule, mode, first_person_in: firstIn ? 1 : 0, created_at: NOW })
              .execute();
          },
        }),
      ),
      fc
        .nat()
        .map((door): Write => ({ direct: (trx, _site, s) => trx.deleteFrom('door_mode_schedule').where('door_id', '=', onDoor(door, s)).execute() })),
      fc.record({ day: fc.constantFrom(...DAYS), yearly: fc.boolean() }).map(
        ({ day, yearly }): Write => ({
          direct: (trx, siteId) => {
            const name = `Holiday ${Math.random()}`;
            // A yearly one from a year before: it must repeat to cover the day.
            const start = yearly ? `2025${day.slice(4)}` : day;
            return trx
              .insertInto('holiday')
              .values({ site_id: siteId, name, name_key: name, start_date: start, end_date: start, yearly: yearly ? 1 : 0, created_at: NOW })
              .execute();
          },
        }),
      ),
      fc.constant<Write>({ direct: (trx, siteId) => trx.deleteFrom('holiday').where('site_id', '=', siteId).execute() }),
      fc.record({ mornings: fc.boolean(), observes: fc.boolean() }).map(
        ({ mornings, observes }): Write => ({
          direct: (trx) =>
            trx
              .updateTable('schedule')
              .set({ observes_holidays: observes ? 1 : 0 })
              .where('id', '=', mornings ? morningsSchedule : alwaysSchedule)
              .execute(),
        }),
      ),
      fc
        .record({ door: fc.nat(), mode: fc.constantFrom('access_controlled' as const, ...DOOR_MODES), until: fc.constantFrom(null, NOW + 3_600_000) })
        .map(
          ({ door, mode, until }): Write => ({
            direct: async (trx, siteId, s) => {
              await trx.deleteFrom('door_override').where('door_id', '=', onDoor(door, s)).execute();
              await trx
                .insertInto('door_override')
                .values({ door_id: onDoor(door, s), site_id: siteId, mode, since: NOW, until, actor: 'operator alice' })
                .execute();
            },
          }),
        ),
      fc.constant<Write>({ direct: (trx, siteId) => trx.deleteFrom('door_override').where('site_id', '=', siteId).execute() }),
      planWrite(),
      fc.constant<Write>({
        direct: (trx, siteId) =>
          trx.updateTable('lockdown_plan').set({ active_since: null, active_by: null }).where('site_id', '=', siteId).execute(),
      }),
      fc.record({ door: fc.nat(), day: fc.constantFrom(...DAYS) }).map(
        ({ door, day }): Write => ({
          direct: async (trx, siteId, s) => {
            await trx.deleteFrom('door_first_in').where('door_id', '=', onDoor(door, s)).where('day', '=', day).execute();
            await trx
              .insertInto('door_first_in')
              .values({ door_id: onDoor(door, s), site_id: siteId, day, user_id: null, at: NOW })
              .execute();
          },
        }),
      ),
      fc.record({ level: fc.nat(), firstIn: fc.boolean() }).map(
        ({ level, firstIn }): Write => ({
          direct: (trx, _site, s) =>
            trx
              .updateTable('access_level')
              .set({ first_person_in: firstIn ? 1 : 0 })
              .where('id', '=', pick(s.levels, level) ?? 0)
              .execute(),
        }),
      ),
    ];
  }

  /** The doors, schedules and levels every run starts from; returns what the checks need. */
  async function seedSite() {
    await h.request('POST', '/api/v1/door', { body: { doors: [{ name: 'D1' }, { name: 'D2' }, { name: 'D3' }] } });
    await h.request('POST', '/api/v1/schedule', {
      body: {
        schedules: [
          { name: 'Mornings', d0: 1, d1: 1, d2: 1, d3: 1, d4: 1, start: '08:00:00', stop: '11:59:59' },
          { name: 'Always', d0: 1, d1: 1, d2: 1, d3: 1, d4: 1, d5: 1, d6: 1, start: '00:00:00', stop: '23:59:59' },
        ],
      },
    });
    const base = await ids();
    const [mornings, always] = (await h.request('GET', '/api/v1/schedule')).body.data.map((s: { id: number }) => s.id);
    const levels = await h.request('POST', '/api/v1/accesslevel', {
      body: {
        accesslevels: [
          {
            name: 'Mornings',
            doors: [
              { id: base.doors[0], schedule_id: mornings },
              { id: base.doors[1], schedule_id: mornings },
            ],
          },
          { name: 'Always', doors: [{ id: base.doors[2], schedule_id: always }] },
        ],
      },
    });
    expect(levels.status, JSON.stringify(levels.body)).toBe(200);
    alwaysSchedule = always;
    morningsSchedule = mornings;
    await h.request('POST', '/api/v1/locationtype', { body: { locationtypes: [{ name: 'Wing' }] } });
    const [wing] = (await h.request('GET', '/api/v1/locationtype')).body.data.map((t: { id: number }) => t.id);
    await h.request('POST', '/api/v1/location', {
      body: {
        locations: [
          { name: 'North', locationtype: wing },
          { name: 'South', locationtype: wing },
        ],
      },
    });
    locations = (await h.request('GET', '/api/v1/location')).body.data.map((l: { id: number }) => l.id);
    const placed = await h.request('PUT', '/api/v1/door', {
      body: {
        doors: [
          { id: base.doors[0], location: locations[0] },
          { id: base.doors[1], location: locations[1] },
          { id: base.doors[2], location: locations[1] },
        ],
      },
    });
    expect(placed.status, JSON.stringify(placed.body)).toBe(200);
    // A panel drives D1 (lock 1) and D2 (lock 2); D3 is no panel's.
    await createOperator(h.store.db, h.site.id, { username: 'admin', password: 'panel secret', role: 'admin' }, clock);
    firstPanel = (await createDevice(h.store.db, h.site, { name: 'Panel', doorIds: [base.doors[0] as number, base.doors[1] as number] }, clock))
      .device.id;
    return firstPanel;
  }

  /**
   * Runs random write sequences; after each write (and `afterWrite`), every decision `indexed` gives
   * at the panel must equal decide() over facts read fresh from the store.
   */
  async function checkAgainstStore(
    indexed: (doorId: number, presented: Typed, at: number, deviceId: number) => Promise<{ granted: boolean; subcode: number }>,
    afterWrite: () => Promise<void> = async () => undefined,
  ) {
    const deviceId = await seedSite();
    const fresh = storeFactSource(h.store.db);
    const site = { id: h.site.id, timezone: h.site.timezone };
    let granted = 0;
    let freeAccess = 0;
    let publicCode = 0;
    let doorMode = 0;
    let locationPlan = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(writeArb, { minLength: 1, maxLength: 8 }), async (writes) => {
        for (const write of writes) {
          if ('direct' in write) {
            const now = await ids();
            // A door-mode row needs a door; with none yet, there is nothing to write.
            if (now.doors.length > 0) await writeTransaction(h.store.db, h.site.id, (trx) => write.direct(trx, h.site.id, now));
          } else if ('service' in write) {
            await write.service(await ids());
          } else {
            const body = write.body(await ids());
            const response = await h.request(write.method, write.url, write.operator ? { body, as: null, headers: OPERATOR } : { body });
            expect(response.status, JSON.stringify(response.body)).toBeLessThan(500);
          }
          await afterWrite();
          const { doors } = await ids();
          for (const presented of PRESENTED) {
            for (const doorId of doors) {
              for (const at of INSTANTS) {
                const truth = await answer(fresh, { site, doorId, presented, at, deviceId });
                if (truth.decision.granted) granted++;
                const { rule } = truth.decision;
                if (truth.decision.granted && rule?.via === 'door_mode' && rule.cause.startsWith('BAS-IP free access')) freeAccess++;
                if (truth.decision.explanation.includes("'Location plan")) locationPlan++;
                if (truth.decision.granted && truth.decision.rule?.via === 'public_code') publicCode++;
                if (truth.decision.rule?.via === 'door_mode' || truth.decision.reason === 'door_locked') doorMode++;
                expect(await indexed(doorId, presented, at, deviceId), `${asQuery(presented)} door ${doorId} at ${at}`).toEqual({
                  granted: truth.decision.granted,
                  subcode: truth.subcode,
                });
              }
            }
          }
        }
      }),
      { numRuns: 12, seed: 20261123 },
    );
    // The writes must reach grants too, by each kind of fact: agreeing only on denials would prove little.
    expect(granted).toBeGreaterThan(0);
    expect(freeAccess).toBeGreaterThan(0);
    expect(publicCode).toBeGreaterThan(0);
    expect(doorMode).toBeGreaterThan(0);
    expect(locationPlan).toBeGreaterThan(0);
  }

  it(
    'after every write, for every card, door and instant',
    async () => {
      await checkAgainstStore(async (doorId, presented, at, deviceId) => {
        clock.set(at);
        const { granted, subcode } = (await h.request('GET', `/api/v1/access?door_id=${doorId}&${asQuery(presented)}&device_id=${deviceId}`)).body
          .data[0];
        clock.set(NOW);
        return { granted, subcode };
      });
    },
    RUN_TIMEOUT,
  );

  it(
    'when read whole, also when a write lands while it is being read',
    async () => {
      const index = new AccessIndex(h.store.db);

      const site = { id: h.site.id, timezone: h.site.timezone };
      // A read of the whole site begun before each write, finished after it, must not bring back what the write changed.
      let reading = index.warm(site.id);
      try {
        await checkAgainstStore(
          async (doorId, presented, at, deviceId) => {
            const { decision, subcode } = await answer(index, { site, doorId, presented, at, deviceId });
            return { granted: decision.granted, subcode };
          },
          async () => {
            await reading;
            await index.warm(site.id);
            reading = index.warm(site.id);
          },
        );
      } finally {
        index.close();
        await reading;
      }
    },
    RUN_TIMEOUT,
  );
});
