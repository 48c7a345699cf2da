import type { DoorModeFacts } from '../../access/door-mode.ts';
import { type TimedMode, rememberingNextChange, timedModeAt } from '../../access/mode-end.ts';
import { doorModeOf, findDoorModes } from '../../access/facts.repository.ts';
import { sql } from 'kysely';
import { announceChange, writeTransaction } from '../../db/change-feed.ts';
import { dialectOf } from '../../db/dialect.ts';
import type { Queryable } from '../../db/queryable.ts';
import type { Site } from '../../domain/site.ts';
import { queueModeCommands, signalDevices } from '../devices/device-commands.service.ts';
import { drivenDoors, latestModeCommands, modeCommandKey } from '../devices/devices.repository.ts';

/**
 * What a write that changes doors' modes carries (overrides, lockdown starts and clears): whose site, who
 * does it as the door's override and the plan name it (`API key alice`, `operator bob (admin)`, `cli`),
 * when, and the devices to wake once it commits.
 */
export interface ModeChangeCall {
  site: Site;
  by: string;
  now: number;
  queued: Set<number>;
}

/**
 * These doors' mode facts as the engine reads them (src/access/facts.repository.ts): one door's alone, or
 * the site's whole (eight queries whatever its size) when a change touches several.
 */
export async function doorModeFactsOf(db: Queryable, siteId: number, doorIds: readonly number[]): Promise<Map<number, DoorModeFacts>> {
  const [only] = doorIds;
  const site = await findDoorModes(db, siteId, doorIds.length === 1 && only !== undefined ? only : null);
  return new Map(doorIds.map((doorId) => [doorId, doorModeOf(site, doorId)]));
}

/**
 * Inside the writing transaction, after the change: each door's mode as the engine now resolves it, and
 * when that ends, sent to its devices as a mode command. The same transaction announces the site's
 * change to the access index (writeTransaction), so decisions and devices learn of it from one commit.
 * Under the site's mode lock, so the sync (`syncDoorModes`) queues wholly before this or after it, never
 * a mode read in between.
 */
export async function sendDoorModes(trx: Queryable, doorIds: readonly number[], call: ModeChangeCall): Promise<void> {
  await lockSiteModes(trx, call.site.id);
  const facts = await doorModeFactsOf(trx, call.site.id, doorIds);
  const next = rememberingNextChange();
  const modes = new Map([...facts].map(([doorId, doorFacts]) => [doorId, timedModeAt(doorFacts, call.now, call.site.timezone, next)]));
  for (const device of await queueModeCommands(trx, call.site.id, modes, call.by, call.now)) call.queued.add(device);
}

/** Who the mode commands the sync queues name as requester: time passing, not a person. */
export const MODE_SYNC_REQUESTER = 'portcullis schedule';

/** Names the advisory lock (with the site's id) under which a site's mode commands are queued. */
const MODE_LOCK_KEY = 0x4d4f4445;

/**
 * Inside a transaction that queues mode commands: waits for any other transaction doing so for the site
 * (another process's sync, an operator's lockdown) to commit, so this one reads what that one wrote and
 * its commands come after: never a mode computed before a lockdown queued after the lockdown's own.
 * PostgreSQL: a transaction-scoped advisory lock. SQLite: a write, which takes the store's one write
 * lock before anything is read (the change announcement, which the commit makes anyway).
 */
async function lockSiteModes(trx: Queryable, siteId: number): Promise<void> {
  if (dialectOf(trx) === 'postgres') await sql`select pg_advisory_xact_lock(${MODE_LOCK_KEY}, ${siteId})`.execute(trx);
  else await announceChange(trx, siteId);
}

/**
 * The doors some device of which was last sent another mode, or another end of it, than the door has at
 * `now` (a device never sent one assumes `access_controlled`: it decides per credential), with the
 * door's mode. An end that moved (an override extended, a plan's auto-revert changed) is sent again, so
 * the device does not fall back while the mode still holds, nor hold it past its new end.
 */
async function staleDoorModes(db: Queryable, site: Site, now: number): Promise<Map<number, TimedMode>> {
  const [driven, facts, sent] = await Promise.all([drivenDoors(db, site.id), findDoorModes(db, site.id, null), latestModeCommands(db, site.id)]);
  const next = rememberingNextChange();
  const current = new Map<number, TimedMode>();
  const stale = new Map<number, TimedMode>();
  for (const { door_id: doorId, device_id: deviceId } of driven) {
    let timed = current.get(doorId);
    if (timed === undefined) {
      timed = timedModeAt(doorModeOf(facts, doorId), now, site.timezone, next);
      current.set(doorId, timed);
    }
    const last = sent.get(modeCommandKey(doorId, deviceId)) ?? { mode: 'access_controlled', valid_until: null };
    if (timed.mode !== last.mode || timed.validUntil !== last.valid_until) stale.set(doorId, timed);
  }
  return stale;
}

/**
 * Sends each door of the site whose mode has changed by time alone (an unlock schedule's window, a
 * holiday, an override's `until`, a plan's `active_until`, a first person in) its mode, as a write does:
 * a read first, and only when some device is behind a transaction that reads again under the site's
 * mode lock, so two processes racing queue one command per device, not two. Returns the doors sent.
 */
export async function syncDoorModes(db: Queryable, site: Site, now: number): Promise<number> {
  if ((await staleDoorModes(db, site, now)).size === 0) return 0;
  const sent = await writeTransaction(db, site.id, async (trx) => {
    await lockSiteModes(trx, site.id);
    const stale = await staleDoorModes(trx, site, now);
    return { doors: stale.size, devices: await queueModeCommands(trx, site.id, stale, MODE_SYNC_REQUESTER, now) };
  });
  signalDevices(db, sent.devices);
  return sent.doors;
}
