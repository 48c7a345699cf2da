import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { grantAccessLevel, seedDoor, seedSchedule, seedUser } from '../../../test/factories/access.ts';
import { seedAccessLevel } from '../../../test/factories/places.ts';
import { DIALECTS, type DeviceCaller, type Harness, createHarness } from '../../../test/harness.ts';
import { writeTransaction } from '../../db/change-feed.ts';
import { fixedClock } from '../../lib/clock.ts';
import { DoorModeSync } from './mode-sync-worker.ts';

/** Monday 2026-12-07 08:00 UTC: before a weekday 09:00-17:00 unlock schedule opens. */
const MONDAY_8AM = Date.UTC(2026, 11, 7, 8);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface ModeCommand {
  id: number;
  command: string;
  door_id: number;
  mode: string;
}

describe.each(DIALECTS)('door modes reached by time, sent to devices, on %s', (dialect) => {
  let h: Harness;
  let clock: ReturnType<typeof fixedClock>;
  let sync: DoorModeSync;
  let front: number;
  let device: DeviceCaller;
  beforeEach(async () => {
    clock = fixedClock(MONDAY_8AM);
    h = await createHarness(dialect, { clock });
    sync = new DoorModeSync(h.store.db, clock, 60_000, h.app.log);
    front = await seedDoor(h.store.db, h.site.id, 'Front');
    device = await h.device({ doorIds: [front] });
  });
  afterEach(async () => {
    await h.close();
  });

  /** The mode commands the device's poll hands over now. */
  const modeCommands = async (of: DeviceCaller = device) =>
    ((await of.request('GET', '/api/v1/device/commands?wait=0')).body.data as ModeCommand[]).filter((c) => c.command === 'mode');
  const modesOf = async (of: DeviceCaller = device) => (await modeCommands(of)).map((c) => c.mode);
  const ack = async (commands: ModeCommand[]) =>
    device.request('POST', '/api/v1/device/commands/ack', { body: { commands: commands.map((c) => ({ id: c.id })) } });

  /** Front unlocked by schedule on weekdays 09:00-17:00. */
  async function officeHours(): Promise<void> {
    const created = await h.request('POST', '/api/v1/schedule', {
      body: { schedules: [{ name: 'Weekdays', d0: 1, d1: 1, d2: 1, d3: 1, d4: 1, start: '09:00:00', stop: '16:59:59' }] },
    });
    expect(created.status).toBe(200);
    const [schedule] = (await h.request('GET', '/api/v1/schedule')).body.data;
    const linked = await h.request('POST', '/api/v1/doorschedule', {
      body: { doorschedules: [{ door_id: front, schedule_id: schedule.id, mode: 'unlocked' }] },
    });
    expect(linked.body.data.inserted).toBe(1);
  }

  it('sends unlocked when an unlock schedule opens, access_controlled when it closes, and nothing twice', async () => {
    await officeHours();
    expect(await sync.look()).toBe(0);
    expect(await modeCommands()).toEqual([]);

    clock.set(MONDAY_8AM + HOUR + 30_000);
    expect(await sync.look()).toBe(1);
    const opened = await modeCommands();
    expect(opened).toMatchObject([{ command: 'mode', door_id: front, mode: 'unlocked', lock_number: 1 }]);
    // Nothing changed since: no second command, acknowledged or not.
    expect(await sync.look()).toBe(0);
    expect(await modeCommands()).toEqual(opened);
    await ack(opened);
    expect(await sync.look()).toBe(0);
    expect(await modeCommands()).toEqual([]);

    clock.set(MONDAY_8AM + 9 * HOUR);
    expect(await sync.look()).toBe(1);
    expect(await modesOf()).toEqual(['access_controlled']);
  });

  it('gives the door back its scheduled mode once an override’s until passes', async () => {
    await officeHours();
    clock.set(MONDAY_8AM + 2 * HOUR);
    const set = await h.request('POST', '/api/v1/dooroverride', {
      body: { dooroverrides: [{ door_id: front, mode: 'locked', until: '2026-12-07 11:00:00' }] },
    });
    expect(set.body.data.processed).toBe(1);
    expect(await modesOf()).toEqual(['locked']);
    expect(await sync.look()).toBe(0);

    clock.set(MONDAY_8AM + 3 * HOUR + 1_000);
    expect(await sync.look()).toBe(1);
    // The locked command was superseded: the device is handed only the schedule's mode.
    expect(await modesOf()).toEqual(['unlocked']);
  });

  it('gives every door back its mode when an auto-reverting lockdown ends', async () => {
    const side = await seedDoor(h.store.db, h.site.id, 'Side');
    const other = await h.device({ doorIds: [side] });
    await officeHours();
    clock.set(MONDAY_8AM + 2 * HOUR);
    await h.request('POST', '/api/v1/lockdown', { body: { lockdowns: [{ name: 'Drill', auto_revert_seconds: 60 }] } });
    const started = await h.request('POST', '/api/v1/lockdown/start', { body: { lockdowns: [{ name: 'Drill' }] } });
    expect(started.body.data.processed).toBe(1);
    expect([await modesOf(), await modesOf(other)]).toEqual([['locked'], ['locked']]);
    expect(await sync.look()).toBe(0);

    clock.set(MONDAY_8AM + 2 * HOUR + 61_000);
    expect(await sync.look()).toBe(2);
    expect([await modesOf(), await modesOf(other)]).toEqual([['unlocked'], ['access_controlled']]);
  });

  it('sends the schedule’s mode back when a holiday is written over today, and again when it ends', async () => {
    await officeHours();
    clock.set(MONDAY_8AM + 2 * HOUR);
    expect(await sync.look()).toBe(1);
    const holiday = await h.request('POST', '/api/v1/holiday', { body: { holidays: [{ name: 'Closure', start_date: '2026-12-07' }] } });
    expect(holiday.status).toBe(200);
    expect(await sync.look()).toBe(1);
    expect(await modesOf()).toEqual(['access_controlled']);
    clock.set(MONDAY_8AM + DAY + 2 * HOUR);
    expect(await sync.look()).toBe(1);
    expect(await modesOf()).toEqual(['unlocked']);
  });

  it('sends unlocked once today’s first person in is granted at a door waiting for it', async () => {
    const db = h.store.db;
    const always = await seedSchedule(db, h.site.id, 'Always');
    const staff = await seedAccessLevel(db, h.site.id, 'Staff', [front], { scheduleId: always });
    await writeTransaction(db, h.site.id, (trx) => trx.updateTable('access_level').set({ first_person_in: 1 }).where('id', '=', staff).execute());
    const ann = await seedUser(db, h.site.id, 'Ann');
    await grantAccessLevel(db, h.site.id, ann, staff);
    await db
      .insertInto('credential')
      .values({ site_id: h.site.id, user_id: ann, name: 'Card', card_num: '1001', credential_key: 'KEY-1001', created_at: 0 })
      .execute();
    const created = await h.request('POST', '/api/v1/schedule', {
      body: { schedules: [{ name: 'Weekdays', d0: 1, d1: 1, d2: 1, d3: 1, d4: 1, start: '09:00:00', stop: '16:59:59' }] },
    });
    expect(created.status).toBe(200);
    const [schedule] = ((await h.request('GET', '/api/v1/schedule')).body.data as { id: number; name: string }[]).filter(
      (s) => s.name === 'Weekdays',
    );
    await h.request('POST', '/api/v1/doorschedule', {
      body: { doorschedules: [{ door_id: front, schedule_id: schedule?.id, mode: 'unlocked', first_person_in: true }] },
    });
    clock.set(MONDAY_8AM + 2 * HOUR);
    expect(await sync.look()).toBe(0);
    const granted = await device.request('POST', '/api/v1/device/access', { body: { door_id: front, card_num: '1001' } });
    expect(granted.body.data).toMatchObject({ granted: true });
    expect(await sync.look()).toBe(1);
    expect(await modesOf()).toEqual(['unlocked']);
  });

  it('sends a device attached later its door’s mode', async () => {
    await officeHours();
    clock.set(MONDAY_8AM + 2 * HOUR);
    expect(await sync.look()).toBe(1);
    const late = await h.device({ doorIds: [front] });
    expect(await sync.look()).toBe(1);
    expect(await modesOf(late)).toEqual(['unlocked']);
    expect(await sync.look()).toBe(0);
  });

  it('queues one command per device when two processes look at once', async () => {
    await officeHours();
    clock.set(MONDAY_8AM + 2 * HOUR);
    const second = new DoorModeSync(h.store.db, clock, 60_000, h.app.log);
    const sent = await Promise.all([sync.look(), second.look(), sync.look()]);
    expect(sent.reduce((a, b) => a + b, 0)).toBe(1);
    const rows = await h.store.db.selectFrom('door_command').select(['mode', 'result']).where('command', '=', 'mode').execute();
    expect(rows).toEqual([{ mode: 'unlocked', result: null }]);
  });

  it('runs in the app when asked, waking the device’s long poll, and stops on close', async () => {
    const served = await createHarness(dialect, { clock, doorModeSync: { everyMs: 20 } });
    try {
      const door = await seedDoor(served.store.db, served.site.id, 'Lobby');
      const lobby = await served.device({ doorIds: [door] });
      const created = await served.request('POST', '/api/v1/schedule', {
        body: { schedules: [{ name: 'Always', d0: 1, d1: 1, d2: 1, d3: 1, d4: 1, d5: 1, d6: 1, start: '00:00:00', stop: '23:59:59' }] },
      });
      expect(created.status).toBe(200);
      const [schedule] = (await served.request('GET', '/api/v1/schedule')).body.data;
      await served.request('POST', '/api/v1/doorschedule', {
        body: { doorschedules: [{ door_id: door, schedule_id: schedule.id, mode: 'unlocked' }] },
      });
      const polled = await lobby.request('GET', '/api/v1/device/commands?wait=30');
      expect(polled.body.data).toMatchObject([{ command: 'mode', door_id: door, mode: 'unlocked' }]);
    } finally {
      await served.close();
    }
  });
});
