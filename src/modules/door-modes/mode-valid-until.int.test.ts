import { afterEach, describe, expect, it } from 'vitest';
import { type ModeSite, ackCommands, openModeSite, pollModeCommands, unlockSchedule } from '../../../test/factories/door-modes.ts';
import { DIALECTS, type DeviceCaller, type Harness } from '../../../test/harness.ts';
import { REPLACED_MODE_KEPT_MS } from '../devices/device-commands.service.ts';

/** Monday 2026-12-07 10:00 UTC. */
const MONDAY_10AM = Date.UTC(2026, 11, 7, 10);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Every schedule day, Monday (d0) to Sunday (d6). */
const EVERY_DAY = { d0: 1, d1: 1, d2: 1, d3: 1, d4: 1, d5: 1, d6: 1 };

describe.each(DIALECTS)('mode commands carry when their mode ends (valid_until), on %s', (dialect) => {
  let opened: Harness[] = [];
  afterEach(async () => {
    await Promise.all(opened.map((h) => h.close()));
    opened = [];
  });

  /** A site in `timezone` at `at`, closed after the test. */
  async function door(at: number, timezone = 'UTC'): Promise<ModeSite> {
    const site = await openModeSite(dialect, at, timezone);
    opened.push(site.h);
    return site;
  }

  /** The mode commands stored for the door, oldest first: what pruning leaves. */
  const stored = ({ h }: ModeSite) =>
    h.store.db.selectFrom('door_command').select(['mode', 'result']).where('command', '=', 'mode').orderBy('id').execute();

  it.each([
    // Berlin springs forward on 2026-03-29 at 02:00: 06:00 that morning is 04:00 UTC, not 05:00.
    { day: 'the spring change', at: Date.UTC(2026, 2, 28, 23, 30), end: '2026-03-29T04:00:00.000Z' },
    // And falls back on 2026-10-25 at 03:00: 06:00 that morning is 05:00 UTC, with the repeated hour inside the window.
    { day: 'the autumn change', at: Date.UTC(2026, 9, 24, 22, 30), end: '2026-10-25T05:00:00.000Z' },
  ])('sends a schedule’s unlock until the window’s end across $day (Europe/Berlin)', async ({ at, end }) => {
    const site = await door(at, 'Europe/Berlin');
    await unlockSchedule(site.h, site.front, { name: 'Unlock', d6: 1, start: '00:00:00', stop: '05:59:59' });
    expect(await site.sync.look()).toBe(1);
    expect(await pollModeCommands(site.device)).toMatchObject([{ mode: 'unlocked', valid_until: end }]);
    expect(await site.sync.look()).toBe(0);
    site.clock.set(Date.parse(end) - 1_000);
    expect(await site.sync.look()).toBe(0);
    site.clock.set(Date.parse(end));
    expect(await site.sync.look()).toBe(1);
    expect(await pollModeCommands(site.device)).toMatchObject([{ mode: 'access_controlled', valid_until: null }]);
  });

  it('ends a window closing at midnight at midnight, and one spanning midnight the next morning', async () => {
    // 19:00 in Berlin (winter, UTC+1).
    const site = await door(Date.UTC(2026, 11, 7, 18), 'Europe/Berlin');
    const evening = await unlockSchedule(site.h, site.front, { name: 'Unlock', ...EVERY_DAY, start: '18:00:00', stop: '23:59:59' });
    expect(await site.sync.look()).toBe(1);
    expect(await pollModeCommands(site.device)).toMatchObject([{ mode: 'unlocked', valid_until: '2026-12-07T23:00:00.000Z' }]);

    // The window now runs on past midnight until 06:00: the mode is the same, its end is not, so it is sent again.
    const spanned = await site.h.request('PUT', '/api/v1/schedule', { body: { schedules: [{ id: evening, stop: '05:59:59' }] } });
    expect(spanned.status, spanned.text).toBe(200);
    expect(await site.sync.look()).toBe(1);
    expect(await pollModeCommands(site.device)).toMatchObject([{ mode: 'unlocked', valid_until: '2026-12-08T05:00:00.000Z' }]);
    expect(await site.sync.look()).toBe(0);
  });

  it('sends an override until a time with that time, until returned with none, and an extension again', async () => {
    const site = await door(MONDAY_10AM);
    const override = (fields: object) =>
      site.h.request('POST', '/api/v1/dooroverride', { body: { dooroverrides: [{ door_id: site.front, ...fields }] } });
    expect((await override({ mode: 'unlocked', until: '2026-12-07 12:00:00' })).body.data.processed).toBe(1);
    const first = await pollModeCommands(site.device);
    expect(first).toMatchObject([{ mode: 'unlocked', valid_until: '2026-12-07T12:00:00.000Z' }]);
    await ackCommands(site.device, first);
    expect(await site.sync.look()).toBe(0);

    // Extended: the device is told the new end, or it would fall back at noon while the door is still to be open.
    expect((await override({ mode: 'unlocked', until: '2026-12-07 15:30:00' })).body.data.processed).toBe(1);
    expect(await pollModeCommands(site.device)).toMatchObject([{ mode: 'unlocked', valid_until: '2026-12-07T15:30:00.000Z' }]);
    expect(await site.sync.look()).toBe(0);

    expect((await override({ mode: 'locked' })).body.data.processed).toBe(1);
    expect(await pollModeCommands(site.device)).toMatchObject([{ mode: 'locked', valid_until: null }]);
  });

  it('re-sends when an override’s end moves without a mode command being queued', async () => {
    const site = await door(MONDAY_10AM);
    await site.h.request('POST', '/api/v1/dooroverride', {
      body: { dooroverrides: [{ door_id: site.front, mode: 'unlocked', until: '2026-12-07 12:00:00' }] },
    });
    await ackCommands(site.device, await pollModeCommands(site.device));
    // As another process, or a restore, might leave it: the override's end changed, no command says so.
    await site.h.store.db
      .updateTable('door_override')
      .set({ until: MONDAY_10AM + 5 * HOUR })
      .where('door_id', '=', site.front)
      .execute();
    expect(await site.sync.look()).toBe(1);
    expect(await pollModeCommands(site.device)).toMatchObject([{ mode: 'unlocked', valid_until: '2026-12-07T15:00:00.000Z' }]);
  });

  it('ends an override that the schedule continues in the same mode at the schedule’s end', async () => {
    const site = await door(MONDAY_10AM);
    await unlockSchedule(site.h, site.front, { name: 'Unlock', d0: 1, start: '11:00:00', stop: '16:59:59' });
    await site.h.request('POST', '/api/v1/dooroverride', {
      body: { dooroverrides: [{ door_id: site.front, mode: 'unlocked', until: '2026-12-07 12:00:00' }] },
    });
    expect(await pollModeCommands(site.device)).toMatchObject([{ mode: 'unlocked', valid_until: '2026-12-07T17:00:00.000Z' }]);
    site.clock.set(MONDAY_10AM + 2 * HOUR + MINUTE);
    expect(await site.sync.look()).toBe(0);
  });

  it('sends a lockdown without auto-revert with no end, and one with auto-revert until it reverts', async () => {
    const site = await door(MONDAY_10AM);
    const { h } = site;
    await h.request('POST', '/api/v1/lockdown', {
      body: {
        lockdowns: [
          { name: 'Hold', priority: 1 },
          { name: 'Drill', priority: 5, auto_revert_seconds: 600 },
        ],
      },
    });
    await h.request('POST', '/api/v1/lockdown/start', { body: { lockdowns: [{ name: 'Hold' }] } });
    expect(await pollModeCommands(site.device)).toMatchObject([{ mode: 'locked', valid_until: null }]);
    // The drill reverts in ten minutes, onto the plan below it that holds the door locked: no end is known.
    await h.request('POST', '/api/v1/lockdown/start', { body: { lockdowns: [{ name: 'Drill' }] } });
    expect(await pollModeCommands(site.device)).toMatchObject([{ mode: 'locked', valid_until: null }]);
    await h.request('POST', '/api/v1/lockdown/clear', { body: { lockdowns: [{ name: 'Hold' }] } });
    expect(await pollModeCommands(site.device)).toMatchObject([{ mode: 'locked', valid_until: '2026-12-07T10:10:00.000Z' }]);
    expect(await site.sync.look()).toBe(0);
  });

  it('keeps only the latest mode command of each device and door once replaced ones cannot be named', async () => {
    const site = await door(MONDAY_10AM);
    const other = await site.h.device({ doorIds: [site.front] });
    const override = (mode: string) => site.h.request('POST', '/api/v1/dooroverride', { body: { dooroverrides: [{ door_id: site.front, mode }] } });
    // Replaced before any poll: no device learnt their ids, they go once a poll that read one just before
    // it was replaced has had time to mark it handed over; the one replaced within that minute is kept.
    for (const [i, mode] of ['locked', 'unlocked', 'card_and_pin', 'locked', 'unlocked'].entries()) {
      site.clock.set(MONDAY_10AM + i * 2 * MINUTE);
      await override(mode);
    }
    expect(await stored(site)).toEqual([
      { mode: 'locked', result: 'superseded' },
      { mode: 'locked', result: 'superseded' },
      { mode: 'unlocked', result: null },
      { mode: 'unlocked', result: null },
    ]);

    // Collected, then replaced: kept a while, so the device's acknowledgement of it is still ignored, not refused.
    const collected = await pollModeCommands(site.device);
    site.clock.set(MONDAY_10AM + 10 * MINUTE);
    await override('locked');
    const late = await ackCommands(site.device, collected);
    expect(late.status, late.text).toBe(200);
    expect(await stored(site)).toEqual([
      { mode: 'unlocked', result: 'superseded' },
      { mode: 'unlocked', result: 'superseded' },
      { mode: 'locked', result: null },
      { mode: 'locked', result: null },
    ]);

    // Many changes later, each more than that while apart, both devices collecting each mode and one
    // acknowledging some of them: only the latest of each device is left.
    const collect = (of: DeviceCaller) => of.request('GET', '/api/v1/device/commands?wait=0');
    for (const [i, mode] of ['unlocked', 'locked', 'card_and_pin', 'unlocked', 'locked', 'unlocked'].entries()) {
      await collect(other);
      site.clock.set(MONDAY_10AM + 10 * MINUTE + (i + 1) * (REPLACED_MODE_KEPT_MS + MINUTE));
      await override(mode);
      if (i % 2 === 0) await ackCommands(site.device, await pollModeCommands(site.device));
      else await collect(site.device);
    }
    expect(await stored(site)).toEqual([
      { mode: 'unlocked', result: null },
      { mode: 'unlocked', result: null },
    ]);
    expect(await pollModeCommands(site.device)).toMatchObject([{ mode: 'unlocked', door_id: site.front }]);
    const others = (await other.request('GET', '/api/v1/device/commands?wait=0')).body.data;
    expect(others).toMatchObject([{ command: 'mode', mode: 'unlocked' }]);
    expect(await site.sync.look()).toBe(0);
  });

  it('prunes what the sync replaces too, and leaves unlocks alone', async () => {
    const site = await door(Date.UTC(2026, 11, 7, 8));
    await unlockSchedule(site.h, site.front, { name: 'Unlock', ...EVERY_DAY, start: '09:00:00', stop: '16:59:59' });
    const unlock = await site.h.request('POST', '/api/v1/door/unlock', { body: { doors: [{ id: site.front }] } });
    expect(unlock.status, unlock.text).toBe(200);
    for (let day = 0; day < 5; day++) {
      site.clock.set(Date.UTC(2026, 11, 7 + day, 10));
      expect(await site.sync.look()).toBe(1);
      await ackCommands(site.device, await pollModeCommands(site.device));
      site.clock.set(Date.UTC(2026, 11, 7 + day, 18));
      expect(await site.sync.look()).toBe(1);
    }
    const rows = await site.h.store.db.selectFrom('door_command').select(['command', 'mode']).orderBy('id').execute();
    expect(rows).toEqual([
      { command: 'unlock', mode: null },
      { command: 'mode', mode: 'access_controlled' },
    ]);
    expect(await pollModeCommands(site.device)).toMatchObject([{ mode: 'access_controlled', valid_until: null }]);
  });
});
