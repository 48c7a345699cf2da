import { DateTime } from 'luxon';
import { writeTransaction } from '../../db/change-feed.ts';
import { isStorableId } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import { isRecord, jsonObject } from '../../lib/guards.ts';
import type { ListRequest } from '../../db/list-query.ts';
import type { ActorCall, Site } from '../../domain/site.ts';
import type { SettingDefinition } from './device-settings.schema.ts';
import * as repo from './device-settings.repository.ts';
import { findPinSecret } from '../../access/facts.repository.ts';
import { FREE_ACCESS_SETTING, publicCodeHash } from '../../access/panel-rules.ts';
import { syncDoorModes } from '../door-modes/mode-changes.service.ts';

/**
 * The panel settings a BAS-IP client reads and writes, kept per site (per lock where the path names one):
 * what is saved, over the documented defaults (src/modules/panels/device-settings.schema.ts).
 */

type Settings = Record<string, unknown>;

/** The site's zone as a panel names it: by its offset now (`UTC+03:00`; `UTC±00:00` for none). */
export function panelZone(timezone: string, now: number): string {
  const offset = DateTime.fromMillis(now, { zone: timezone }).toFormat('ZZ');
  return offset === '+00:00' ? 'UTC±00:00' : `UTC${offset}`;
}

/** Where a setting is kept: its path, with the lock number in place of `{lock}`. */
const settingKey = (definition: SettingDefinition, lock: number) => definition.path.replace('{lock}', String(lock));

/** Fields that name one value under several names (models disagree): sending one sets them all. */
const MIRRORED: readonly (readonly string[])[] = [
  ['timezone', 'current_timezone'],
  ['language', 'current_language'],
];

/** A setting as the site answers it: the defaults, then what was saved; secrets always read "". */
export async function readSetting(db: Queryable, site: Site, definition: SettingDefinition, lock: number, now: number): Promise<Settings> {
  const saved = await repo.findSetting(db, site.id, settingKey(definition, lock));
  const defaults = definition.defaults({ timezone: panelZone(site.timezone, now), zone: site.timezone, lock });
  const value = { ...defaults, ...(saved === undefined ? {} : jsonObject(saved)) };
  for (const secret of definition.secrets ?? []) setSecret(value, secret, '');
  if (definition.hashed) delete value[definition.hashed.as];
  return value;
}

/**
 * Sets the field a secret's path names (`password`, `settings.password`) to `to`, or removes it when
 * `to` is undefined; a nested object on the way is copied, never changed in place.
 */
function setSecret(settings: Settings, path: string, to: '' | undefined): void {
  const [field = '', ...rest] = path.split('.');
  if (rest.length === 0) {
    if (to === undefined) delete settings[field];
    else settings[field] = to;
    return;
  }
  const nested = settings[field];
  if (!isRecord(nested)) return;
  const copy = { ...nested };
  setSecret(copy, rest.join('.'), to);
  settings[field] = copy;
}

/**
 * Saves the fields sent (already checked against the setting's schema) over what the site has: a field
 * not sent keeps its value, a nested object sent is replaced whole. Only the schema's fields are kept,
 * and never a secret: Portcullis has no use for a panel's own SIP or RTSP password.
 */
export async function saveSetting(
  db: Queryable,
  { site, actor, now }: ActorCall,
  definition: SettingDefinition,
  lock: number,
  input: Settings,
): Promise<Settings> {
  const current = await readSetting(db, site, definition, lock, now);
  const sent: Settings = {};
  for (const field of Object.keys(definition.schema.properties)) {
    if (input[field] !== undefined) sent[field] = input[field];
  }
  for (const names of MIRRORED) {
    const given = names.find((name) => sent[name] !== undefined);
    if (given !== undefined) for (const name of names) if (name in definition.schema.properties) sent[name] = sent[given];
  }
  const saved = await repo.findSetting(db, site.id, settingKey(definition, lock));
  const next = { ...current, ...sent };
  for (const secret of definition.secrets ?? []) setSecret(next, secret, undefined);
  if (definition.hashed) {
    const { field, as } = definition.hashed;
    // A hash already saved is kept unless a new value is sent; the value itself is never stored.
    const kept = saved === undefined ? undefined : jsonObject(saved)[as];
    const hash = sent[field] === undefined ? kept : publicCodeHash(Number(sent[field]), await pinSecretOf(db, site.id));
    delete next[field];
    if (hash !== undefined) next[as] = hash;
  }
  const key = settingKey(definition, lock);
  await writeTransaction(
    db,
    site.id,
    (trx) => repo.saveSetting(trx, { site_id: site.id, setting: key, value: JSON.stringify(next), updated_at: now }),
    {
      of: () => ({ actor, resource: 'panel_setting', action: 'write', recordIds: [site.id], detail: { setting: key } }),
      at: now,
    },
  );
  // Free access is a source of doors' modes: their devices hear of a change now, not at the sync's next
  // tick. Only doors whose devices are behind are sent; a failed look is the ticker's to retry.
  if (key === FREE_ACCESS_SETTING) await syncDoorModes(db, site, now).catch(() => undefined);
  return readSetting(db, site, definition, lock, now);
}

async function pinSecretOf(db: Queryable, siteId: number): Promise<string> {
  const secret = await findPinSecret(db, siteId);
  if (secret === undefined) throw ERRORS.notFound('Site not found');
  return secret;
}

const LOCK_TIMEOUT = 'access/general/lock/timeout/';

/**
 * The lock timeouts a client saved for the site (`access/general/lock/timeout/{lock}`), in seconds by
 * lock number: how long a device holds that lock open for a remote unlock. A lock with none saved is
 * left to the device.
 */
export async function savedLockTimeouts(db: Queryable, siteId: number): Promise<Map<number, number>> {
  const rows = await repo.settingsUnder(db, siteId, LOCK_TIMEOUT);
  return new Map(
    rows.flatMap((row) => {
      const { lock_timeout: seconds } = jsonObject(row.value);
      return typeof seconds === 'number' ? [[Number(row.setting.slice(LOCK_TIMEOUT.length)), seconds]] : [];
    }),
  );
}

/**
 * The panel's door status, from what the site's devices report (docs/devices.md, `device/state`): open
 * when any door a device of the site drives was last reported open, for as long as since that report
 * (the longest such door); past the door sensor's `opening_delay`, the timeout is exceeded.
 */
export async function doorStatus(db: Queryable, site: Site, sensor: SettingDefinition, now: number) {
  const [reports, settings] = await Promise.all([repo.reportedDoorStates(db, site.id), readSetting(db, site, sensor, 1, now)]);
  const openSince = reports.filter((report) => report.door_open === 1).map((report) => report.reported_at);
  const opentime = openSince.length === 0 ? 0 : Math.max(0, Math.floor((now - Math.min(...openSince)) / 1000));
  return {
    is_timeout_exceed: openSince.length > 0 && opentime >= Number(settings.opening_delay),
    status: openSince.length > 0 ? ('open' as const) : ('closed' as const),
    opentime,
    mode: String(settings.mode),
  };
}

/** Whether the door sensor's contacts are an exit button: the panel's exit button switch. */
export async function exitButtonEnabled(db: Queryable, site: Site, sensor: SettingDefinition, now: number): Promise<boolean> {
  const settings = await readSetting(db, site, sensor, 1, now);
  return settings.enable === true && settings.mode === 'exit_button';
}

/** A stable, locally administered MAC address per site: 02:50:43 ("PC"), then the site id. */
export function siteMac(siteId: number): string {
  const id = siteId.toString(16).padStart(6, '0').slice(-6);
  return `02:50:43:${id.slice(0, 2)}:${id.slice(2, 4)}:${id.slice(4, 6)}`;
}

/** A stored JSON list of strings. */
function storedStrings(text: string): string[] {
  const list: unknown = JSON.parse(text);
  return Array.isArray(list) ? list.filter((entry): entry is string => typeof entry === 'string') : [];
}

const presentForward = (row: repo.ForwardRow) => ({
  forward_number: row.forward_number,
  forward_entity_list: storedStrings(row.entity_list),
});

export async function listForwards(db: Queryable, siteId: number, list: ListRequest) {
  const [rows, total] = await Promise.all([repo.listForwards(db, siteId, list), repo.countForwards(db, siteId, list)]);
  return { rows: rows.map(presentForward), total };
}

const flatNumber = (text: string) => {
  const number = Number(text);
  if (!isStorableId(number) && number !== 0) throw ERRORS.badRequest(`Wrong forward number: ${text}`);
  return number;
};

export async function findForward(db: Queryable, siteId: number, flat: string) {
  const row = await repo.findForward(db, siteId, flatNumber(flat));
  if (!row) throw ERRORS.notFound(`Wrong forward number: ${flat}`);
  return presentForward(row);
}

export async function saveForward(db: Queryable, { site, actor, now }: ActorCall, flat: string, entities: string[]) {
  const forwardNumber = flatNumber(flat);
  const row = { site_id: site.id, forward_number: forwardNumber, entity_list: JSON.stringify(entities), updated_at: now };
  await writeTransaction(db, site.id, (trx) => repo.saveForward(trx, row), {
    of: () => ({ actor, resource: 'panel_forward', action: 'write', recordIds: [forwardNumber] }),
    at: now,
  });
  return { forward_number: forwardNumber, forward_entity_list: entities };
}

export async function deleteForwards(db: Queryable, { site, actor, now }: ActorCall, forwardNumbers: number[]): Promise<number> {
  if (forwardNumbers.length === 0) throw ERRORS.badRequest('List cannot be empty');
  const wanted = [...new Set(forwardNumbers)].filter((n) => n === 0 || isStorableId(n));
  return writeTransaction(db, site.id, (trx) => repo.deleteForwards(trx, site.id, wanted), {
    of: (deleted) => ({ actor, resource: 'panel_forward', action: 'delete', recordIds: wanted, detail: { deleted } }),
    at: now,
  });
}
