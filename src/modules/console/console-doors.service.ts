import { describeCause } from '../../access/decide.ts';
import { type DoorMode, type DoorModeFacts, NO_DOOR_MODE, doorModeAt } from '../../access/door-mode.ts';
import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { Site } from '../../domain/site.ts';
import { EVENT_CATEGORIES, EVENT_CODES } from '../../event-log/catalogue.ts';
import type { Clock } from '../../lib/clock.ts';
import { requestUnlock } from '../devices/device-commands.service.ts';
import { activeDevicesOfDoors } from '../devices/devices.repository.ts';
import { doorModeFactsOf } from '../door-modes/mode-changes.service.ts';
import { emergencyOpen, operatorRequest } from '../panels/panels.service.ts';
import * as repo from './console.repository.ts';
import { type ConsoleEvent, RECENT_EVENTS, consoleEvent } from './console-events.service.ts';

/** Doors the dashboard and the doors screen list (the large site has 2,000). */
export const DOOR_LIST_LIMIT = 2000;
/** How far back an alarm can still explain why a door is open now. */
const ALARM_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * A door's live state: what its device last reported (open or closed, or offline, or never reported),
 * and, for an open door, forced or held open when the device raised that alarm since that report.
 */
export type DoorLiveState = 'open' | 'forced' | 'held' | 'closed' | 'offline' | 'unknown';

/**
 * `locked`: the lock as the device last reported it, when it said and is online; null otherwise. `mode`:
 * what the engine resolves for the door now, `mode_cause` what decided it in the explanations' words,
 * `overridden` whether that is an operator's override (which a return to schedule ends).
 */
export type DoorOverview = Omit<repo.DoorWithStateRow, 'online' | 'door_open' | 'enabled' | 'locked'> & {
  enabled: boolean;
  state: DoorLiveState;
  locked: boolean | null;
  mode: DoorMode;
  mode_cause: string;
  overridden: boolean;
};

type Alarms = Map<number, { code: number; at: number }>;

function doorState(row: repo.DoorWithStateRow, alarms: Alarms): DoorLiveState {
  if (row.reported_at === null) return 'unknown';
  if (row.online === 0) return 'offline';
  if (row.door_open !== 1) return 'closed';
  // An alarm raised before the door's latest report is about an opening that report has moved past.
  const alarm = alarms.get(row.id);
  if (alarm === undefined || alarm.at < row.reported_at) return 'open';
  return alarm.code === EVENT_CODES.DOOR_FORCED ? 'forced' : 'held';
}

/** Each door's newest alarm (forced or held open) of the last day. */
async function recentAlarms(db: Queryable, site: Site, now: number): Promise<Alarms> {
  const rows = await repo.doorAlarmsSince(db, site.id, now - ALARM_WINDOW_MS, {
    category: EVENT_CATEGORIES.DOOR_ALARM,
    codes: [EVENT_CODES.DOOR_FORCED, EVENT_CODES.DOOR_HELD_OPEN],
  });
  const newest: Alarms = new Map();
  for (const row of rows) {
    const seen = newest.get(row.door_id);
    if (seen === undefined || row.at > seen.at) newest.set(row.door_id, { code: row.code, at: row.at });
  }
  return newest;
}

/** The facts of the doors' modes and the instant they are resolved at. */
interface ModesNow {
  facts: Map<number, DoorModeFacts>;
  at: number;
  zone: string;
}

function overview(row: repo.DoorWithStateRow, alarms: Alarms, modes: ModesNow): DoorOverview {
  const { online, door_open: _open, enabled, locked, ...door } = row;
  const { mode, cause } = doorModeAt(modes.facts.get(row.id) ?? NO_DOOR_MODE, modes.at, modes.zone);
  return {
    ...door,
    enabled: enabled === 1,
    state: doorState(row, alarms),
    // An offline lock's last word is not its state now.
    locked: online === 1 && locked !== null ? locked === 1 : null,
    mode,
    mode_cause: describeCause(cause, modes.at, modes.zone),
    overridden: cause.via === 'override',
  };
}

/** The doors' modes now, read as the write side reads them (the site's whole in a bounded number of queries). */
async function modesNow(db: Queryable, site: Site, doorIds: number[], at: number): Promise<ModesNow> {
  return { facts: await doorModeFactsOf(db, site.id, doorIds), at, zone: site.timezone };
}

/** The site's doors by location, with their live state and mode. */
export async function doorList(db: Queryable, site: Site, clock: Clock): Promise<DoorOverview[]> {
  const now = clock.now();
  const [rows, alarms] = await Promise.all([repo.doorsWithState(db, site.id, DOOR_LIST_LIMIT), recentAlarms(db, site, now)]);
  const modes = await modesNow(
    db,
    site,
    rows.map((r) => r.id),
    now,
  );
  return rows.map((row) => overview(row, alarms, modes));
}

export interface DoorPage {
  door: DoorOverview;
  /** The devices (not revoked) that drive the door: a remote unlock needs one. */
  devices: { id: number; name: string }[];
  events: ConsoleEvent[];
}

export async function doorPage(db: Queryable, site: Site, doorId: number, clock: Clock): Promise<DoorPage> {
  const now = clock.now();
  const [[row], alarms, devices, events, modes] = await Promise.all([
    repo.doorsWithState(db, site.id, 1, doorId),
    recentAlarms(db, site, now),
    activeDevicesOfDoors(db, site.id, [doorId]),
    repo.doorEvents(db, site.id, doorId, RECENT_EVENTS),
    modesNow(db, site, [doorId], now),
  ]);
  if (row === undefined) throw ERRORS.notFound(`No door with id ${doorId}.`);
  return {
    door: overview(row, alarms, modes),
    devices: devices.map((d) => ({ id: d.device_id, name: d.device_name })),
    events: events.map(consoleEvent),
  };
}

/** An operator as the console knows them. */
interface Operator {
  username: string;
  role: string;
}

/**
 * Remote unlock from the console: the devices module's command queue, as the Lockt unlock and the panel
 * face's remote open use it, recorded as asked for by the operator. Returns the commands queued.
 */
export async function unlockDoor(db: Queryable, site: Site, doorId: number, operator: Operator, clock: Clock): Promise<number> {
  const counts = await requestUnlock(db, site, [doorId], operatorRequest(operator), clock.now());
  return counts.ids?.length ?? 0;
}

/** The panel face's emergency opening of one lock (0: every lock), unlock time left to the devices. */
export function emergencyOpenLock(db: Queryable, site: Site, lockNumber: number, operator: Operator, clock: Clock): Promise<number> {
  return emergencyOpen(db, site, operator, [{ lockNumber, unlockTime: null }], clock.now());
}
