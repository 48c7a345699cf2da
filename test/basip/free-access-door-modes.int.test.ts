import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.ts';
import { createDevice } from '../../src/modules/devices/devices.service.ts';
import { DoorModeSync } from '../../src/modules/door-modes/mode-sync-worker.ts';
import { createOperator } from '../../src/modules/users/operators.service.ts';
import { seedDoor } from '../factories/access.ts';
import { DIALECTS, type DeviceCaller, type Harness, createHarness } from '../harness.ts';

/**
 * Issue 20: a BAS-IP panel's free access (`access/freeaccess`) is a source of the door's mode. Inside a
 * window the doors behind the lock are `unlocked` whoever asks (a Lockt reader on the door too), the
 * DoorModeSync tells every device of the door, and a lockdown or an override still wins over it.
 */

// Wednesday 2026-11-25 07:00 in Berlin (06:00 UTC), an hour before the window.
const BEFORE = Date.UTC(2026, 10, 25, 6, 0, 0);
const HOUR = 3_600_000;
const basic = `Basic ${Buffer.from('admin:panel secret').toString('base64')}`;
/** Wednesday 08:00 to 17:59 (the panel's last whole minute open) on `lock`. */
const wednesdayDay = (lock: string) => `{"enable":true,"days":[{"lock":"${lock}","enable":true,"time_from":28800,"time_to":64740,"day":"WED"}]}`;

describe.each(DIALECTS)('BAS-IP free access as a door mode on %s', (dialect) => {
  let h: Harness;
  const clock = fixedClock(BEFORE);
  let sync: DoorModeSync;
  let gate: number;
  let lobby: number;
  let panelKey: string;
  let reader: DeviceCaller;

  beforeEach(async () => {
    clock.set(BEFORE);
    h = await createHarness(dialect, { clock, timezone: 'Europe/Berlin' });
    sync = new DoorModeSync(h.store.db, clock, 60_000, h.app.log);
    await createOperator(h.store.db, h.site.id, { username: 'admin', password: 'panel secret', role: 'admin' }, clock);
    gate = await seedDoor(h.store.db, h.site.id, 'Gate');
    lobby = await seedDoor(h.store.db, h.site.id, 'Lobby');
    // The panel drives the gate as lock 1 and the lobby as lock 2; a Lockt reader drives the gate too.
    panelKey = (await createDevice(h.store.db, h.site, { name: 'Entrance Panel', doorIds: [gate, lobby] }, clock)).deviceKey;
    reader = await h.device({ name: 'Gate Reader', doorIds: [gate] });
  });
  afterEach(async () => {
    await h.close();
  });

  const saveFreeAccess = async (body: string) => {
    const response = await h.request('POST', '/api/v1/access/freeaccess', { as: null, headers: { authorization: basic }, rawBody: body });
    expect(response.status, response.text).toBe(200);
  };
  /** An unknown card at a door, asked by the Lockt reader (the gate) or the panel (either door). */
  const readerGrants = async (door = gate) =>
    (await reader.request('POST', '/api/v1/device/access', { body: { door_id: door, card_num: '31337' } })).body.data.granted;
  const panelGrants = async (door: number) =>
    (
      await h.request('POST', '/api/v1/device/access', {
        as: null,
        headers: { authorization: `Bearer ${panelKey}` },
        body: { door_id: door, card_num: '31337' },
      })
    ).body.data.granted;
  const explained = async (door: number) => (await h.request('GET', `/api/v1/access?door_id=${door}&card_num=31337`)).body.data[0];
  /** The modes of the mode commands the reader's poll hands over now. */
  const readerModes = async () =>
    ((await reader.request('GET', '/api/v1/device/commands?wait=0')).body.data as { command: string; door_id: number; mode: string }[])
      .filter((c) => c.command === 'mode')
      .map((c) => [c.door_id, c.mode]);

  it('unlocks the lock’s doors inside the window, for a Lockt reader too, and the sync tells their devices, then takes it back', async () => {
    await saveFreeAccess(wednesdayDay('first'));
    expect(await readerGrants()).toBe(false);
    expect(await sync.look()).toBe(0);

    clock.set(BEFORE + HOUR); // 08:00
    expect(await readerGrants()).toBe(true);
    expect(await explained(gate)).toMatchObject({ granted: true, rule: 'door mode unlocked: BAS-IP free access, lock 1, until 18:00' });
    // The lobby is lock 2, outside the window.
    expect(await panelGrants(lobby)).toBe(false);
    expect(await sync.look()).toBe(1);
    expect(await readerModes()).toEqual([[gate, 'unlocked']]);
    expect(await sync.look()).toBe(0);

    clock.set(BEFORE + 11 * HOUR); // 18:00, the window's end
    expect(await readerGrants()).toBe(false);
    expect(await sync.look()).toBe(1);
    expect(await readerModes()).toEqual([[gate, 'access_controlled']]);
  });

  it('takes effect at once when saved or switched off inside the window: decisions, and the devices’ modes', async () => {
    clock.set(BEFORE + 3 * HOUR);
    expect(await panelGrants(lobby)).toBe(false);
    await saveFreeAccess(wednesdayDay('all'));
    expect([await panelGrants(gate), await panelGrants(lobby), await readerGrants()]).toEqual([true, true, true]);
    // The save sent the modes itself: the sync finds nothing to do.
    expect(await readerModes()).toEqual([[gate, 'unlocked']]);
    expect(await sync.look()).toBe(0);
    await saveFreeAccess('{"enable":false}');
    expect([await panelGrants(gate), await panelGrants(lobby), await readerGrants()]).toEqual([false, false, false]);
    expect(await readerModes()).toEqual([[gate, 'access_controlled']]);
    expect(await sync.look()).toBe(0);
    // Saving it again unchanged sends nothing.
    await saveFreeAccess('{"enable":false}');
    expect(await readerModes()).toEqual([[gate, 'access_controlled']]);
  });

  it('a lockdown locks the door inside the window; an override wins over it', async () => {
    await saveFreeAccess(wednesdayDay('all'));
    clock.set(BEFORE + 3 * HOUR);
    expect(await sync.look()).toBe(2);
    expect(await readerModes()).toEqual([[gate, 'unlocked']]);
    await h.request('POST', '/api/v1/lockdown', { body: { lockdowns: [{ name: 'Drill', door_ids: [gate] }] } });
    const started = await h.request('POST', '/api/v1/lockdown/start', { body: { lockdowns: [{ name: 'Drill' }] } });
    expect(started.body.data.processed).toBe(1);
    expect([await readerGrants(), await panelGrants(lobby)]).toEqual([false, true]);
    // An unknown card is unknown first; the explanation names the plan over the free access.
    expect((await explained(gate)).reason).toContain("Door mode locked: lockdown 'Drill'");
    expect(await readerModes()).toEqual([[gate, 'locked']]);

    await h.request('POST', '/api/v1/lockdown/clear', { body: { lockdowns: [{ name: 'Drill' }] } });
    expect(await readerGrants()).toBe(true);
    // The clear sends the mode that shows again: free access's.
    expect(await readerModes()).toEqual([[gate, 'unlocked']]);

    const set = await h.request('POST', '/api/v1/dooroverride', { body: { dooroverrides: [{ door_id: gate, mode: 'access_controlled' }] } });
    expect(set.body.data.processed).toBe(1);
    expect([await readerGrants(), await panelGrants(lobby)]).toEqual([false, true]);
    expect(await readerModes()).toEqual([[gate, 'access_controlled']]);
    expect(await sync.look()).toBe(0);
  });
});
