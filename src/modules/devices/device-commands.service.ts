import { EventEmitter } from 'node:events';
import type { TimedMode } from '../../access/mode-end.ts';
import type { Actor } from '../../audit/audit-log.ts';
import { changeFeedOf, writeTransaction } from '../../db/change-feed.ts';
import { storableIds } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { repeatedInBatch } from '../../domain/batch-checks.ts';
import { ERRORS, type RecordFailure } from '../../domain/errors.ts';
import { EVENT_CATEGORIES, EVENT_CODES } from '../../event-log/catalogue.ts';
import { type NewEvent, appendEvents } from '../../event-log/event-log.ts';
import type { RecordCheck, WriteCounts } from '../../domain/batch.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Site } from '../../domain/site.ts';
import * as repo from './devices.repository.ts';
import type { DevicePrincipal } from './devices.service.ts';

/**
 * The command queue: remote unlocks and door modes queued for devices, collected by their long polls,
 * acknowledged.
 */

/**
 * A remote unlock not collected within this long is never delivered: a door opening minutes after
 * someone asked, when the device comes back, would surprise whoever stands there by then.
 */
export const COMMAND_TTL_MS = 2 * 60_000;
/** Commands one poll hands over at most. */
const COMMANDS_PER_POLL = 50;

const CONTROLLER = 'Portcullis';

/**
 * Wakes the long polls of devices in this process when a command is queued for them. One per store
 * handle, like the change feed, so two stores in one process never hear each other.
 */
const signals = new WeakMap<Queryable, EventEmitter>();

export function commandSignalsOf(db: Queryable): EventEmitter {
  let emitter = signals.get(db);
  if (!emitter) {
    emitter = new EventEmitter();
    // One listener per waiting poll, and a site may have many devices polling at once.
    emitter.setMaxListeners(0);
    signals.set(db, emitter);
  }
  return emitter;
}

/** After a commit: tell these devices' polls to look again. */
export function signalDevices(db: Queryable, deviceIds: Iterable<number>): void {
  const emitter = commandSignalsOf(db);
  for (const id of new Set(deviceIds)) emitter.emit(String(id));
}

/** What the unlock rules need; `queued` collects the devices to wake once the transaction commits. */
export interface UnlockContext {
  site: Site;
  requestedBy: string;
  now: number;
  queued: Set<number>;
}

export interface UnlockPlan {
  door: repo.DoorRow;
  devices: { id: number; name: string }[];
}

/** A door of the site, driven by at least one device whose key is not revoked; each door once. */
export async function checkUnlockRequests(trx: Queryable, ids: (number | undefined)[], { site }: UnlockContext): Promise<RecordCheck<UnlockPlan>[]> {
  const known = storableIds(ids);
  const [doors, devices] = await Promise.all([repo.findDoors(trx, site.id, known), repo.activeDevicesOfDoors(trx, site.id, known)]);
  const doorById = new Map(doors.map((d) => [d.id, d]));
  const repeated = repeatedInBatch(ids, (id) => (id === undefined ? undefined : String(id)));
  return ids.map((id, index) => {
    if (id === undefined) return { messages: [] };
    const door = doorById.get(id);
    if (!door) return { messages: [`Invalid door id: ${id}`] };
    if (repeated[index]) return { messages: [`Door id Duplicated In Batch: ${id}`] };
    const drivers = devices.filter((d) => d.door_id === id).map((d) => ({ id: d.device_id, name: d.device_name }));
    if (drivers.length === 0) return { messages: [`No Device Attached To Door: ${id}`] };
    return { plan: { door, devices: drivers } };
  });
}

/** Queues an unlock for every device of every door, each recorded as REMOTE_UNLOCK_REQUESTED. */
export async function queueUnlocks(trx: Queryable, plans: UnlockPlan[], context: UnlockContext): Promise<WriteCounts> {
  const { site, requestedBy, now } = context;
  const rows = plans.flatMap(({ door, devices }) =>
    devices.map((device) => ({
      site_id: site.id,
      door_id: door.id,
      device_id: device.id,
      command: repo.UNLOCK_COMMAND,
      requested_by: requestedBy,
      requested_at: now,
    })),
  );
  const inserted = await repo.insertCommands(trx, rows);
  const doors = new Map(plans.map((p) => [p.door.id, p]));
  await appendEvents(
    trx,
    inserted.map((command) => {
      const { door, devices } = doors.get(command.door_id) as UnlockPlan;
      const device = { id: command.device_id, name: devices.find((d) => d.id === command.device_id)?.name ?? '' };
      context.queued.add(command.device_id);
      const about = { id: command.id, door_id: door.id, door_name: door.name, location_name: door.location_name };
      return commandEvent(EVENT_CODES.REMOTE_UNLOCK_REQUESTED, `requested by ${requestedBy}`, about, device, site.id, now);
    }),
  );
  return { processed: plans.length, ids: inserted.map((c) => c.id) };
}

/** Rows per insert of mode commands: a lockdown of a large site queues one per device of every door. */
const MODE_COMMANDS_PER_INSERT = 500;

/**
 * How long a replaced mode command is kept once handed over: a device acknowledges what it collected
 * within seconds, and an acknowledgement naming a command deleted under it would fail its whole batch,
 * unlocks with it.
 */
export const REPLACED_MODE_KEPT_MS = 60 * 60_000;
/**
 * How long a replaced mode command never handed over is kept: a poll that read it just before it was
 * replaced hands it over all the same, and marks it delivered within this.
 */
export const REPLACED_UNSEEN_KEPT_MS = 60_000;

/**
 * Inside the writing transaction of an override or a lockdown, or the sync's: a `mode` command for every
 * device of each door, telling it the mode the door is now in and until when (`TimedMode`); an older
 * mode command not yet acknowledged is superseded, so a device never applies a stale mode after a newer
 * one, and the replaced ones no device can still name are deleted (`pruneModeCommands`), so the history
 * the sync reads stays about one command per device and door. Returns the devices to wake after the
 * commit. The change itself is recorded by its own event; the mode applied comes back through
 * `/device/state`.
 */
export async function queueModeCommands(
  trx: Queryable,
  siteId: number,
  modes: ReadonlyMap<number, TimedMode>,
  requestedBy: string,
  now: number,
): Promise<Set<number>> {
  const doorIds = [...modes.keys()];
  const devices = new Set<number>();
  for (let start = 0; start < doorIds.length; start += MODE_COMMANDS_PER_INSERT) {
    const chunk = doorIds.slice(start, start + MODE_COMMANDS_PER_INSERT);
    await repo.supersedeModeCommands(trx, siteId, chunk, now);
    const drivers = await repo.activeDevicesOfDoors(trx, siteId, chunk);
    await repo.insertCommands(
      trx,
      drivers.map((d) => ({
        site_id: siteId,
        door_id: d.door_id,
        device_id: d.device_id,
        command: repo.MODE_COMMAND,
        mode: modes.get(d.door_id)?.mode ?? null,
        valid_until: modes.get(d.door_id)?.validUntil ?? null,
        requested_by: requestedBy,
        requested_at: now,
      })),
    );
    await repo.pruneModeCommands(trx, siteId, chunk, { replacedBefore: now - REPLACED_UNSEEN_KEPT_MS, handedBefore: now - REPLACED_MODE_KEPT_MS });
    for (const d of drivers) devices.add(d.device_id);
  }
  return devices;
}

/** A command and the door it opens, as the events about it name them. */
type CommandAbout = Pick<repo.CommandRow, 'id' | 'door_id' | 'door_name' | 'location_name'>;

/**
 * Whether a command's steps are events: an unlock's are; a mode command's change is already recorded as
 * the override's or lockdown's event, and a lockdown queues one per device of every door.
 */
const isUnlock = (command: { command: string }) => command.command === repo.UNLOCK_COMMAND;

/** One step in a command's life (requested, delivered, acknowledged), as an event. */
function commandEvent(
  code: number,
  what: string,
  command: CommandAbout,
  device: { id: number; name: string },
  siteId: number,
  now: number,
): NewEvent {
  return {
    siteId,
    code,
    category: EVENT_CATEGORIES.REMOTE_COMMAND,
    deviceId: device.id,
    deviceName: device.name,
    controller: CONTROLLER,
    doorId: command.door_id,
    doorName: command.door_name,
    locationName: command.location_name ?? '',
    detail: `Unlock command ${command.id} ${what}.`,
    hwTime: now,
    dbTime: now,
  };
}

/**
 * Remote unlock: queues an unlock for every device attached to each door and records who asked. A door
 * of another site, or with no device to drive it, fails the whole request. Waiting polls are woken once
 * the commands are committed.
 */
export async function requestUnlock(db: Queryable, site: Site, doorIds: number[], requestedBy: string, now: number): Promise<WriteCounts> {
  const context: UnlockContext = { site, requestedBy, now, queued: new Set() };
  const counts = await writeTransaction(db, site.id, async (trx) => {
    const checks = await checkUnlockRequests(trx, doorIds, context);
    const failures: RecordFailure[] = [];
    const plans: UnlockPlan[] = [];
    checks.forEach((check, index) => {
      if ('messages' in check) failures.push({ index, messages: check.messages, input: { id: doorIds[index] } });
      else if ('plan' in check) plans.push(check.plan);
    });
    if (failures.length > 0) throw ERRORS.validationFailed(failures);
    return queueUnlocks(trx, plans, context);
  });
  signalDevices(db, context.queued);
  return counts;
}

/**
 * Withdraws the remote unlocks of these doors that no device has collected yet (an emergency called
 * off); a collected one has already opened, and the device relocks after its own unlock time. Returns
 * how many were withdrawn.
 */
export async function withdrawUnlocks(db: Queryable, site: Site, doorIds: number[], actor: Actor, now: number): Promise<number> {
  return writeTransaction(db, site.id, (trx) => repo.withdrawUndelivered(trx, site.id, doorIds, 'withdrawn', now), {
    of: (withdrawn) => ({ actor, resource: 'door_command', action: 'withdraw', recordIds: doorIds, detail: { withdrawn } }),
    at: now,
  });
}

/**
 * Hands the device its pending commands: those not yet acknowledged (a command whose answer was lost is
 * handed over again) and not expired. The first hand-over of each is marked and recorded as delivered.
 */
export async function collectCommands(db: Queryable, device: DevicePrincipal, now: number): Promise<repo.PendingCommandRow[]> {
  const siteId = device.site.id;
  const pending = await repo.pendingCommands(db, siteId, device.id, now - COMMAND_TTL_MS, COMMANDS_PER_POLL);
  const fresh = pending.filter((c) => c.delivered_at === null);
  if (fresh.length > 0) {
    await db.transaction().execute(async (trx) => {
      const marked = await repo.markDelivered(
        trx,
        siteId,
        device.id,
        fresh.map((c) => c.id),
        now,
      );
      await appendEvents(
        trx,
        fresh
          .filter((c) => marked.has(c.id) && isUnlock(c))
          .map((c) => commandEvent(EVENT_CODES.REMOTE_UNLOCK_DELIVERED, 'delivered', c, device, siteId, now)),
      );
    });
  }
  return pending;
}

/**
 * Resolves when the device may have a new command: signalled in this process, a commit to its site
 * reported by the change feed (another process's request, on a store that reports them), the wait over,
 * or the poll abandoned. Listening starts at once, so a signal between a check and the wait is not lost.
 */
function nextChance(db: Queryable, device: DevicePrincipal, ms: number, abandoned: AbortSignal): { ready: Promise<void>; stop: () => void } {
  let stop = () => {};
  const ready = new Promise<void>((resolve) => {
    const wake = () => resolve();
    const emitter = commandSignalsOf(db);
    const event = String(device.id);
    const timer = setTimeout(wake, Math.max(ms, 0));
    const unsubscribe = changeFeedOf(db).subscribe((site) => {
      if (site === null || site === device.site.id) wake();
    });
    emitter.once(event, wake);
    abandoned.addEventListener('abort', wake, { once: true });
    stop = () => {
      clearTimeout(timer);
      unsubscribe();
      emitter.off(event, wake);
      abandoned.removeEventListener('abort', wake);
    };
  });
  return { ready, stop };
}

/**
 * The long poll: the pending commands at once if there are any, else the first to arrive within
 * `waitMs`, else none. The table is checked on every wake-up, so what another process queued is found
 * too; `abandoned` (client gone, server closing) ends the wait with none.
 */
export async function waitForCommands(
  db: Queryable,
  device: DevicePrincipal,
  waitMs: number,
  clock: Clock,
  abandoned: AbortSignal,
): Promise<repo.PendingCommandRow[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (abandoned.aborted) return [];
    const chance = nextChance(db, device, deadline - Date.now(), abandoned);
    try {
      const commands = await collectCommands(db, device, clock.now());
      if (commands.length > 0 || Date.now() >= deadline) return commands;
      await chance.ready;
    } finally {
      chance.stop();
    }
  }
}

/** What the acknowledgement rules need; the device acknowledging and when. */
export interface AckContext {
  device: DevicePrincipal;
  now: number;
}

export interface AckInput {
  id: number | undefined;
  result: 'ok' | 'failed' | undefined;
}

export type AckPlan = { command: repo.CommandRow; result: 'ok' | 'failed' };

/** A command addressed to this device, once per batch; one already acknowledged is left alone. */
export async function checkAcks(trx: Queryable, inputs: AckInput[], { device }: AckContext): Promise<RecordCheck<AckPlan>[]> {
  const ids = inputs.map((i) => i.id);
  const commands = new Map((await repo.findDeviceCommands(trx, device.site.id, device.id, storableIds(ids))).map((c) => [c.id, c]));
  const repeated = repeatedInBatch(ids, (id) => (id === undefined ? undefined : String(id)));
  return inputs.map((input, index): RecordCheck<AckPlan> => {
    if (input.id === undefined) return { messages: [] };
    // Another device's command reads as unknown: a device learns nothing about the others.
    const command = commands.get(input.id);
    if (!command) return { messages: [`Invalid command id: ${input.id}`] };
    if (repeated[index]) return { messages: [`Command id Duplicated In Batch: ${input.id}`] };
    if (command.acked_at !== null) return { ignored: true };
    return { plan: { command, result: input.result ?? 'ok' } };
  });
}

export async function writeAcks(trx: Queryable, plans: AckPlan[], { device, now }: AckContext): Promise<WriteCounts> {
  const siteId = device.site.id;
  const recorded = new Set<number>();
  for (const result of ['ok', 'failed'] as const) {
    const ids = plans.filter((p) => p.result === result).map((p) => p.command.id);
    for (const id of await repo.markAcked(trx, siteId, device.id, ids, result, now)) recorded.add(id);
  }
  const acked = plans.filter((p) => recorded.has(p.command.id));
  await appendEvents(
    trx,
    acked
      .filter((p) => isUnlock(p.command))
      .map(({ command, result }) => commandEvent(EVENT_CODES.REMOTE_UNLOCK_ACKNOWLEDGED, `acknowledged: ${result}`, command, device, siteId, now)),
  );
  return { processed: acked.length, ids: acked.map((p) => p.command.id) };
}
