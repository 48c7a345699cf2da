import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedDoor, seedSchedule, seedUserWithCard } from '../../../test/factories/access.ts';
import { type ModeSite, ackCommands, openModeSite, pollModeCommands, unlockSchedule } from '../../../test/factories/door-modes.ts';
import { seedAccessLevel } from '../../../test/factories/places.ts';
import { DIALECTS, type DeviceCaller, type Harness, createHarness } from '../../../test/harness.ts';
import { writeTransaction } from '../../db/change-feed.ts';
import { DoorModeSync } from './mode-sync-worker.ts';

/** Monday 2026-12-07 08:00 UTC: before a weekday 09:00-17:00 unlock schedule opens. */
const MONDAY_8AM = Date.UTC(2026, 11, 7, 8);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Unlocked on weekdays 09:00-17:00. */
const WEEKDAYS = { name: 'Weekdays', d0: 1, d1: 1, d2: 1, d3: 1, d4: 1, start: '09:00:00', stop: '16:59:59' };

describe.each(DIALECTS)('door modes reached by time, sent to devices, on %s', (dialect) => {
  let h: Harness;
  let clock: ModeSite['clock'];
  let sync: DoorModeSync;
  let front: number;
  let device: DeviceCaller;
  beforeEach(async () => {
    ({ h, clock, sync, front, device } = await openModeSite(dialect, MONDAY_8AM));
  });
  afterEach(async () => {
    await h.close();
  });

  const modesOf = async (of: DeviceCaller = device) => (await pollModeCommands(of)).map((c) => c.mode);

  /** Front unlocked by schedule on weekdays. */
  const officeHours = () => unlockSchedule(h, front, WEEKDAYS);

  it('sends unlocked when an unlock schedule opens, access_controlled when it closes, and nothing twice', async () => {
    await officeHours();
    expect(await sync.look()).toBe(0);
    expect(await pollModeCommands(device)).toEqual([]);

    clock.set(MONDAY_8AM + HOUR + 30_000);
    expect(await sync.look()).toBe(1);
    const opened = await pollModeCommands(device);
    expect(opened).toMatchObject([{ command: 'mode', door_id: front, mode: 'unlocked', lock_number: 1 }]);
    // Nothing changed since: no second command, acknowledged or not.
    expect(await sync.look()).toBe(0);
    expect(await pollModeCommands(device)).toEqual(opened);
    await ackCommands(device, opened);
    expect(await sync.look()).toBe(0);
    expect(await pollModeCommands(device)).toEqual([]);

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
    await seedUserWithCard(db, h.site.id, 'Ann', staff, { number: '1001', key: 'KEY-1001' });
    await unlockSchedule(h, front, WEEKDAYS, { first_person_in: true });
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
      await unlockSchedule(served, door, { name: 'Always', d0: 1, d1: 1, d2: 1, d3: 1, d4: 1, d5: 1, d6: 1, start: '00:00:00', stop: '23:59:59' });
      const polled = await lobby.request('GET', '/api/v1/device/commands?wait=30');
      expect(polled.body.data).toMatchObject([{ command: 'mode', door_id: door, mode: 'unlocked' }]);
    } finally {
      await served.close();
    }
  });
});
