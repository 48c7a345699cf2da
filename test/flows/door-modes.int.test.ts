import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeTransaction } from '../../src/db/change-feed.ts';
import type { Queryable } from '../../src/db/queryable.ts';
import { nameKey } from '../../src/domain/names.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { hashPin } from '../../src/lib/pins.ts';
import { createDevice } from '../../src/modules/devices/devices.service.ts';
import { grantAccessLevel, seedDoor, seedSchedule, seedUser } from '../factories/access.ts';
import { seedAccessLevel } from '../factories/places.ts';
import { DIALECTS, type Harness, createHarness } from '../harness.ts';

// Wednesday 2026-11-25 10:00 in Berlin (09:00 UTC).
const WEDNESDAY_10AM = Date.UTC(2026, 10, 25, 9, 0, 0);

/**
 * The engine's side of door modes through the real HTTP stack: a device's decisions and the explain
 * endpoint follow the door's unlock schedule, holidays, override and lockdown plans, written to the store
 * the way the write side does (in a transaction that tells the access index), and a first person in is
 * recorded with the grant that made it.
 */
describe.each(DIALECTS)('door modes decided on %s', (dialect) => {
  let h: Harness;
  const clock = fixedClock(WEDNESDAY_10AM);
  let door: number;
  let staffLevel: number;
  let ann: number;
  let deviceKey: string;

  beforeEach(async () => {
    clock.set(WEDNESDAY_10AM);
    h = await createHarness(dialect, { clock, timezone: 'Europe/Berlin' });
    const db = h.store.db;
    door = await seedDoor(db, h.site.id, 'Front Door');
    const always = await seedSchedule(db, h.site.id, 'Always');
    staffLevel = await seedAccessLevel(db, h.site.id, 'Staff', [door], { scheduleId: always });
    const visitors = await seedAccessLevel(db, h.site.id, 'Visitors', [door], { scheduleId: always });
    await db.updateTable('access_level').set({ first_person_in: 1 }).where('id', '=', staffLevel).execute();
    const { pin_secret } = await db.selectFrom('site').select('pin_secret').where('id', '=', h.site.id).executeTakeFirstOrThrow();
    ann = await seedUser(db, h.site.id, 'Ann');
    const bob = await seedUser(db, h.site.id, 'Bob');
    await grantAccessLevel(db, h.site.id, ann, staffLevel);
    await grantAccessLevel(db, h.site.id, bob, visitors);
    for (const [user, card, pin] of [
      [ann, '1001', '4321'],
      [bob, '2002', '8765'],
    ] as const) {
      await db
        .insertInto('credential')
        .values({ site_id: h.site.id, user_id: user, name: 'Card', card_num: card, credential_key: `KEY-${card}`, created_at: 0 })
        .execute();
      await db
        .updateTable('user')
        .set({ pin_hash: hashPin(pin, pin_secret) })
        .where('id', '=', user)
        .execute();
    }
    deviceKey = (await createDevice(db, h.site, { name: 'Lobby Panel', doorIds: [door] }, clock)).deviceKey;
  });
  afterEach(async () => {
    await h.close();
  });

  /** A write to the mode tables as the write side makes it: in a transaction that tells the index. */
  const write = <T>(work: (trx: Queryable) => Promise<T>) => writeTransaction(h.store.db, h.site.id, work);
  const device = async (body: Record<string, unknown>) => {
    const response = await h.request('POST', '/api/v1/device/access', {
      as: null,
      headers: { authorization: `Bearer ${deviceKey}` },
      body: { door_id: door, ...body },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.data as { granted: boolean; subcode: number; event_id: number };
  };
  const explain = async (query: string) => {
    const response = await h.request('GET', `/api/v1/access?door_id=${door}&${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.data[0] as { granted: boolean; subcode: number; reason: string; rule: string | null };
  };
  const officeHours = () =>
    write((trx) =>
      trx
        .insertInto('schedule')
        .values({
          site_id: h.site.id,
          name: 'Office hours',
          name_key: nameKey('Office hours'),
          d0: 1,
          d1: 1,
          d2: 1,
          d3: 1,
          d4: 1,
          d5: 0,
          d6: 0,
          start_time: '08:00:00',
          stop_time: '17:59:59',
          created_at: 0,
        })
        .returning('id')
        .executeTakeFirstOrThrow(),
    ).then((row) => row.id);
  const unlockRow = (schedule: number, mode: 'unlocked' | 'locked' | 'card_and_pin', firstPersonIn = false) =>
    write((trx) =>
      trx
        .insertInto('door_mode_schedule')
        .values({ site_id: h.site.id, door_id: door, schedule_id: schedule, mode, first_person_in: firstPersonIn ? 1 : 0, created_at: 0 })
        .execute(),
    );

  it('an unlock schedule waiting for its first person in: others need their access until a first-person-in holder is granted', async () => {
    await unlockRow(await officeHours(), 'unlocked', true);
    expect(await device({ card_num: '9999' })).toMatchObject({ granted: false, subcode: 101 });
    // Bob's level is no first-person-in level: his grant leaves the door waiting.
    expect(await device({ card_num: '2002' })).toMatchObject({ granted: true, subcode: 100 });
    expect(await explain('card_num=9999')).toMatchObject({
      granted: false,
      reason:
        "No credential matches what was presented. Door mode access controlled: unlock schedule 'Office hours', waiting for today's first person in.",
    });
    const firstIn = await device({ card_num: '1001' });
    expect(firstIn).toMatchObject({ granted: true, subcode: 100 });
    expect(await h.store.db.selectFrom('door_first_in').select(['door_id', 'day', 'user_id', 'at']).execute()).toEqual([
      { door_id: door, day: '2026-11-25', user_id: ann, at: WEDNESDAY_10AM },
    ]);
    // Unlocked for the rest of the window: anyone, even an unknown card.
    expect(await device({ card_num: '9999' })).toMatchObject({ granted: true, subcode: 100 });
    expect(await explain('card_num=9999')).toMatchObject({ granted: true, rule: "door mode unlocked: unlock schedule 'Office hours'" });
    // A second first-person-in grant the same day records nothing more.
    await device({ card_num: '1001' });
    expect(await h.store.db.selectFrom('door_first_in').select('day').execute()).toHaveLength(1);
    // After the window, and the next morning, the door waits again.
    clock.set(Date.UTC(2026, 10, 26, 8, 0, 0));
    expect(await device({ card_num: '9999' })).toMatchObject({ granted: false, subcode: 101 });
  });

  it('a lockdown locks the door but for its responders; an egress of higher priority opens it; clearing reveals the next', async () => {
    const plan = async (name: string, mode: 'lockdown' | 'egress', priority: number) => {
      const row = await write((trx) =>
        trx
          .insertInto('lockdown_plan')
          .values({
            site_id: h.site.id,
            name,
            name_key: nameKey(name),
            mode,
            priority,
            scope: 'site',
            active_since: WEDNESDAY_10AM - 3 * 60_000,
            active_by: 'operator alice',
            created_at: 0,
          })
          .returning('id')
          .executeTakeFirstOrThrow(),
      );
      return row.id;
    };
    const drill = await plan('Fire drill', 'lockdown', 10);
    await write((trx) =>
      trx.insertInto('lockdown_plan_responder').values({ plan_id: drill, access_level_id: staffLevel, site_id: h.site.id }).execute(),
    );
    expect(await device({ card_num: '2002' })).toMatchObject({ granted: false, subcode: 118 });
    expect(await explain('card_num=2002')).toMatchObject({
      granted: false,
      reason: "Door Front Door is locked by lockdown 'Fire drill' (priority 10) since 09:57, by operator alice.",
    });
    expect(await explain('card_num=1001')).toMatchObject({
      granted: true,
      rule: "a responder level of lockdown 'Fire drill' (priority 10) since 09:57, by operator alice",
    });
    const evacuate = await plan('Evacuate', 'egress', 20);
    expect(await device({ card_num: '9999' })).toMatchObject({ granted: true, subcode: 100 });
    await write((trx) => trx.updateTable('lockdown_plan').set({ active_since: null, active_by: null }).where('id', '=', evacuate).execute());
    expect(await device({ card_num: '9999' })).toMatchObject({ granted: false, subcode: 101 });
    expect(await device({ card_num: '2002' })).toMatchObject({ granted: false, subcode: 118 });
    // Auto-revert: a plan past its active_until no longer holds, with no write.
    await write((trx) =>
      trx
        .updateTable('lockdown_plan')
        .set({ active_until: WEDNESDAY_10AM + 60_000 })
        .where('id', '=', drill)
        .execute(),
    );
    clock.set(WEDNESDAY_10AM + 60_000);
    expect(await device({ card_num: '2002' })).toMatchObject({ granted: true, subcode: 100 });
  });

  it('an override of the door until a time, over its schedule', async () => {
    await unlockRow(await officeHours(), 'unlocked');
    expect(await device({ card_num: '9999' })).toMatchObject({ granted: true });
    await write((trx) =>
      trx
        .insertInto('door_override')
        .values({
          door_id: door,
          site_id: h.site.id,
          mode: 'locked',
          since: WEDNESDAY_10AM,
          until: WEDNESDAY_10AM + 3_600_000,
          actor: 'operator bob',
        })
        .execute(),
    );
    expect(await explain('card_num=1001')).toMatchObject({
      granted: false,
      subcode: 118,
      reason: 'Door Front Door is locked by override by operator bob since 10:00 until 11:00.',
    });
    clock.set(WEDNESDAY_10AM + 3_600_000);
    expect(await device({ card_num: '9999' })).toMatchObject({ granted: true });
  });

  it('card and PIN: the card alone, or with another user’s PIN, is refused; with its user’s PIN granted', async () => {
    await unlockRow(await officeHours(), 'card_and_pin');
    expect(await device({ card_num: '1001' })).toMatchObject({ granted: false, subcode: 119 });
    expect(await device({ card_num: '1001', pin: '8765' })).toMatchObject({ granted: false, subcode: 119 });
    expect(await device({ card_num: '1001', pin: '4321' })).toMatchObject({ granted: true, subcode: 100 });
    expect(await explain('card_num=1001&pin=4321')).toMatchObject({ granted: true });
    expect(await explain('card_num=1001')).toMatchObject({
      granted: false,
      reason: "Door Front Door needs a card and its user's PIN, by unlock schedule 'Office hours'.",
    });
    const events = await h.store.db.selectFrom('event').select(['subcode', 'card_num', 'detail']).orderBy('id').execute();
    // The card is recorded, the PIN never.
    expect(events.map((e) => e.card_num)).toEqual(['1001', '1001', '1001']);
    expect(JSON.stringify(events)).not.toContain('4321');
  });

  it('a holiday: the unlock schedule does not apply, nor an access schedule that observes holidays', async () => {
    await unlockRow(await officeHours(), 'unlocked');
    await write((trx) =>
      trx
        .insertInto('holiday')
        .values({
          site_id: h.site.id,
          name: 'Staff day',
          name_key: nameKey('Staff day'),
          start_date: '2026-11-25',
          end_date: '2026-11-25',
          yearly: 0,
          created_at: 0,
        })
        .execute(),
    );
    expect(await explain('card_num=9999')).toMatchObject({ granted: false, subcode: 101 });
    expect(await device({ card_num: '2002' })).toMatchObject({ granted: true });
    await write((trx) => trx.updateTable('schedule').set({ observes_holidays: 1 }).where('name', '=', 'Always').execute());
    expect(await device({ card_num: '2002' })).toMatchObject({ granted: false, subcode: 113 });
    // The holiday ends at the site's midnight.
    clock.set(Date.UTC(2026, 10, 25, 23, 0, 0));
    expect(await device({ card_num: '2002' })).toMatchObject({ granted: true });
  });
});
