import { expect } from 'vitest';
import type { Dialect } from '../../src/db/dialect.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { DoorModeSync } from '../../src/modules/door-modes/mode-sync-worker.ts';
import { type DeviceCaller, type Harness, createHarness } from '../harness.ts';
import { seedDoor } from './access.ts';

/**
 * What the door-mode suites stand on: a site whose one door has a device, the sync that sends it modes,
 * and the mode commands the device is handed, read and acknowledged as a device does.
 */

/** A mode command as a device's poll hands it over. */
export interface ModeCommand {
  id: number;
  command: string;
  door_id: number;
  mode: string;
  valid_until: string | null;
}

/** A site at `at`, with a door Front driven by one device, and the mode sync of its app (closed by the caller: `h.close()`). */
export interface ModeSite {
  h: Harness;
  clock: ReturnType<typeof fixedClock>;
  sync: DoorModeSync;
  front: number;
  device: DeviceCaller;
}

export async function openModeSite(dialect: Dialect, at: number, timezone = 'UTC'): Promise<ModeSite> {
  const clock = fixedClock(at);
  const h = await createHarness(dialect, { clock, timezone });
  const front = await seedDoor(h.store.db, h.site.id, 'Front');
  return { h, clock, sync: new DoorModeSync(h.store.db, clock, 60_000, h.app.log), front, device: await h.device({ doorIds: [front] }) };
}

/** The mode commands the device's poll hands over now. */
export const pollModeCommands = async (device: DeviceCaller): Promise<ModeCommand[]> =>
  ((await device.request('GET', '/api/v1/device/commands?wait=0')).body.data as ModeCommand[]).filter((c) => c.command === 'mode');

/** Acknowledges the commands, as the device does once it has applied them. */
export const ackCommands = (device: DeviceCaller, commands: { id: number }[]) =>
  device.request('POST', '/api/v1/device/commands/ack', { body: { commands: commands.map((c) => ({ id: c.id })) } });

/**
 * The door on an unlock schedule made through the API (`POST /schedule`, then `POST /doorschedule` with
 * `link`'s extra fields); returns the schedule's id.
 */
export async function unlockSchedule(
  h: Harness,
  doorId: number,
  schedule: { name: string } & Record<string, unknown>,
  link: object = {},
): Promise<number> {
  const created = await h.request('POST', '/api/v1/schedule', { body: { schedules: [schedule] } });
  expect(created.status, created.text).toBe(200);
  const listed = (await h.request('GET', '/api/v1/schedule')).body.data as { id: number; name: string }[];
  const found = listed.find((s) => s.name === schedule.name);
  if (!found) throw new Error(`schedule ${schedule.name} not listed`);
  const linked = await h.request('POST', '/api/v1/doorschedule', {
    body: { doorschedules: [{ door_id: doorId, schedule_id: found.id, mode: 'unlocked', ...link }] },
  });
  expect(linked.body.data.inserted).toBe(1);
  return found.id;
}
