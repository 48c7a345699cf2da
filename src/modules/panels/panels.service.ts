import { type AccessQuestion, answer, decideAndRecord } from '../../access/access.service.ts';
import type { Actor } from '../../audit/audit-log.ts';
import type { FactSource, Presented } from '../../access/facts.ts';
import { writeTransaction } from '../../db/change-feed.ts';
import { fromFlag, isStorableId, toFlag } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import { showValue } from '../../lib/show-value.ts';
import { requestUnlock, withdrawUnlocks } from '../devices/device-commands.service.ts';
import type { DevicePrincipal } from '../devices/devices.service.ts';
import type { ActorCall, Site } from '../../domain/site.ts';
import { closePanelEmergency, startPanelEmergency } from '../lockdowns/lockdowns.service.ts';
import * as repo from './panels.repository.ts';

/** The path segment a panel's remote-access URL carries its device key in. */
export const DEVICE_KEY_PLACEHOLDER = '{device_key}';

/** What a panel is told about one identifier it read. */
export type PanelDecision =
  | { handled: false }
  | {
      handled: true;
      granted: boolean;
      /** The lock to open: 0 for every lock of the panel; when denied, the lock whose decision was recorded. */
      lockNumber: number;
      eventId: number | null;
    };

export interface PanelSettings {
  enabled: boolean;
  customServerEnabled: boolean;
  /** The URL template an operator saved; null: the one Portcullis derives from the request. */
  customServerApiUrl: string | null;
}

/** Until an operator says otherwise, a site's panels are answered: giving a panel the URL is the opt-in. */
const DEFAULT_SETTINGS: PanelSettings = { enabled: true, customServerEnabled: true, customServerApiUrl: null };

export async function panelSettings(db: Queryable, siteId: number): Promise<PanelSettings> {
  const row = await repo.findPanelSettings(db, siteId);
  if (!row) return DEFAULT_SETTINGS;
  return {
    enabled: fromFlag(row.enabled),
    customServerEnabled: fromFlag(row.custom_server_enabled),
    customServerApiUrl: row.custom_server_api_url,
  };
}

/**
 * Saves the site's remote-control settings. A URL, when given, must be an http(s) URL carrying the
 * `{device_key}` placeholder, since each panel is told its own; `""` or null goes back to the derived one.
 */
export async function savePanelSettings(
  db: Queryable,
  { site, actor, now }: ActorCall,
  input: { enabled: boolean; customServerEnabled: boolean; customServerApiUrl?: string | null | undefined },
): Promise<PanelSettings> {
  const current = await panelSettings(db, site.id);
  const sent = input.customServerApiUrl;
  let url = current.customServerApiUrl;
  if (sent !== undefined) url = sent === null || sent.trim() === '' ? null : sent.trim();
  if (url !== null && (!/^https?:\/\/\S+$/i.test(url) || !url.includes(DEVICE_KEY_PLACEHOLDER))) {
    throw ERRORS.badRequest(`custom_server_api_url must be an http(s) URL containing ${DEVICE_KEY_PLACEHOLDER}: ${showValue(url)}`);
  }
  const settings: PanelSettings = { enabled: input.enabled, customServerEnabled: input.customServerEnabled, customServerApiUrl: url };
  await writeTransaction(
    db,
    site.id,
    (trx) =>
      repo.savePanelSettings(trx, {
        site_id: site.id,
        enabled: toFlag(settings.enabled),
        custom_server_enabled: toFlag(settings.customServerEnabled),
        custom_server_api_url: settings.customServerApiUrl,
        updated_at: now,
      }),
    { of: () => ({ actor, resource: 'panel_settings', action: 'write', recordIds: [site.id] }), at: now },
  );
  return settings;
}

/**
 * A panel's remote-access question: may this identifier open one of my locks? Every lock of the panel
 * (its doors, by lock number) is decided; the first granted lock (lowest number) is the answer, or 0
 * when the panel has several locks and every one is granted. Only the chosen decision is recorded, through
 * decideAndRecord, which spends a pass safely and turns the grant into a denial if a concurrent grant spent
 * the last one. Nothing here waits on anything but the index and one short transaction, so the panel hears
 * back well inside its 10-second budget.
 */
export async function decideForPanel(
  db: Queryable,
  source: FactSource,
  device: DevicePrincipal,
  identifier: { type: string; number: string },
  now: number,
): Promise<PanelDecision> {
  const site = device.site;
  const settings = await panelSettings(db, site.id);
  if (!settings.enabled || !settings.customServerEnabled) return { handled: false };
  const locks = await repo.locksOfDevice(db, site.id, device.id);
  const [firstLock] = locks;
  if (firstLock === undefined) return { handled: false };
  const presented: Presented = { kind: 'identifier', identifierType: identifier.type, value: identifier.number };
  const question = (doorId: number): AccessQuestion => ({ site, doorId, presented, at: now, deviceId: device.id });
  const answers = await Promise.all(locks.map((lock) => answer(source, question(lock.door_id))));
  const firstGranted = answers.findIndex((a) => a.decision.granted);
  const chosen = locks[firstGranted] ?? firstLock;
  const recorded = await decideAndRecord(db, source, question(chosen.door_id), { id: device.id, name: device.name }, now);
  const everyLock = locks.length > 1 && answers.every((a) => a.decision.granted);
  const granted = recorded.decision.granted;
  return { handled: true, granted, lockNumber: granted && everyLock ? 0 : chosen.lock_number, eventId: recorded.eventId };
}

/**
 * The doors that devices of the site (not revoked) drive under one of these lock numbers (0: under any
 * lock). No device driving such a lock is a 400: the panel API's answer for a lock it does not have.
 */
async function doorsOfLocks(db: Queryable, site: Site, lockNumbers: readonly number[]): Promise<number[]> {
  const everyLock = lockNumbers.includes(0);
  // A lock number no column can hold names no lock, and must not reach a query (PostgreSQL refuses it).
  const wanted = everyLock ? null : [...new Set(lockNumbers)].filter(isStorableId);
  const doorIds = wanted?.length === 0 ? [] : await repo.doorsOnLocks(db, site.id, wanted);
  if (doorIds.length === 0) {
    throw ERRORS.badRequest(everyLock ? 'No panel of the site drives a lock' : `No panel of the site drives lock ${lockNumbers.join(', ')}`);
  }
  return doorIds;
}

/**
 * Remote open: an unlock command for every door that a device of the site drives under one of these
 * lock numbers, queued by the devices module for every device driving each door and recorded as
 * requested by `requestedBy`.
 */
export async function openLocks(db: Queryable, site: Site, lockNumbers: readonly number[], requestedBy: string, now: number): Promise<number> {
  const counts = await requestUnlock(db, site, await doorsOfLocks(db, site, lockNumbers), requestedBy, now);
  return counts.ids?.length ?? 0;
}

/** An operator as a remote opening's events name who asked: "operator <username> (<role>[; <note>])". */
export function operatorRequest(operator: { username: string; role: string }, note?: string): string {
  return `operator ${operator.username} (${operator.role}${note === undefined ? '' : `; ${note}`})`;
}

/** One lock an emergency opening names: 0 for every lock; the unlock time asked for, in milliseconds. */
export interface EmergencyLock {
  lockNumber: number;
  unlockTime: number | null;
}

/**
 * Emergency open (administrators, on either face): every door on these locks, as a remote open recorded
 * as an emergency by the operator, with the unlock times asked for (a device applies its own); and the
 * doors held unlocked by the panel's emergency egress plan until the emergency is closed.
 */
export async function emergencyOpen(
  db: Queryable,
  site: Site,
  operator: { username: string; role: string },
  locks: readonly EmergencyLock[],
  now: number,
): Promise<number> {
  if (locks.length === 0) throw ERRORS.badRequest('List cannot be empty');
  const times = locks.flatMap((l) => (l.unlockTime === null ? [] : [`lock ${l.lockNumber}: ${l.unlockTime} ms`]));
  const note = `emergency${times.length > 0 ? `; unlock_time ${times.join(', ')}` : ''}`;
  const doorIds = await doorsOfLocks(
    db,
    site,
    locks.map((l) => l.lockNumber),
  );
  const queued = await requestUnlock(db, site, doorIds, operatorRequest(operator, note), now);
  // The doors then stay unlocked (an egress plan the panel face owns) until the emergency is closed.
  const actor: Actor = { kind: 'operator', name: operator.username };
  await startPanelEmergency(db, { site, actor, by: operatorRequest(operator, 'emergency'), now }, doorIds);
  return queued.ids?.length ?? 0;
}

/**
 * Emergency close: the emergency's unlocks of these locks that no device has collected yet are
 * withdrawn, and their doors leave the panel's emergency egress (docs/door-modes.md): each goes back to
 * what its plans, override or schedule say, and its devices are told.
 */
export async function closeLocks(db: Queryable, { site, actor, now }: ActorCall, lockNumbers: readonly number[]): Promise<number> {
  const doorIds = await doorsOfLocks(db, site, lockNumbers);
  const withdrawn = await withdrawUnlocks(db, site, doorIds, actor, now);
  await closePanelEmergency(db, { site, actor, by: `operator ${actor.name}`, now }, doorIds);
  return withdrawn;
}
