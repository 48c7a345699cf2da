import type { Queryable } from '../db/queryable.ts';
import { fromFlag } from '../db/conventions.ts';
import type { AccessWindow, AuthFactor, DoorFacts, Grant, HolderFacts, IdentifierLock, NamedTimeProfile } from './decide.ts';
import { type TimeProfile, parseTimeProfile } from './time-profile.ts';

/**
 * The queries that gather what a decision needs. All site-scoped; a holder's grants for every door
 * come in one query, so the index can answer any door for that holder afterwards without the store.
 */

export interface CredentialRecord extends AccessWindow {
  id: number;
  holderId: number | null;
  isFob: boolean;
  enabled: boolean;
  cardNum: string;
  /** card, ukey, inputCode, face_id, qr, license_plate. */
  identifierType: string;
  lock: IdentifierLock;
  panelAccess: boolean;
  passesLeft: number | null;
  timeProfiles: NamedTimeProfile[];
}

/** The factor each identifier kind is, in BAS-IP's `auth_factors` words. */
export const FACTOR_OF_IDENTIFIER: Record<string, AuthFactor> = {
  card: 'card',
  ukey: 'card',
  inputCode: 'input_code',
  qr: 'qr',
  face_id: 'face_id',
  license_plate: 'license_plate',
};

export interface HolderRecord extends HolderFacts {
  /** "Last, First", as events show users. */
  displayName: string;
}

export interface DoorRecord extends DoorFacts {
  locationName: string;
}

export type DoorGrant = Grant & { doorId: number };

const credentialColumns = [
  'id',
  'user_id',
  'is_fob',
  'enabled',
  'card_num',
  'access_effective',
  'access_expires',
  'identifier_type',
  'lock',
  'panel_access',
  'passes_left',
] as const;

type CredentialRow = {
  id: number;
  user_id: number | null;
  is_fob: number;
  enabled: number;
  card_num: string | null;
  access_effective: number | null;
  access_expires: number | null;
  identifier_type: string;
  lock: string;
  panel_access: number;
  passes_left: number | null;
};

async function credentialRecord(db: Queryable, siteId: number, row: CredentialRow | undefined): Promise<CredentialRecord | undefined> {
  if (!row) return undefined;
  return {
    id: row.id,
    holderId: row.user_id,
    isFob: fromFlag(row.is_fob),
    enabled: fromFlag(row.enabled),
    cardNum: row.card_num ?? '',
    effective: row.access_effective,
    expires: row.access_expires,
    identifierType: row.identifier_type,
    lock: row.lock as IdentifierLock,
    panelAccess: fromFlag(row.panel_access),
    passesLeft: row.passes_left,
    timeProfiles: await findCredentialTimeProfiles(db, siteId, row.id),
  };
}

/** A credential by its number (the card number, or a panel identifier's number of any kind). */
export async function findCredentialByCardNum(db: Queryable, siteId: number, cardNum: string): Promise<CredentialRecord | undefined> {
  const row = await db
    .selectFrom('credential')
    .select(credentialColumns)
    .where('site_id', '=', siteId)
    .where('card_num', '=', cardNum)
    .executeTakeFirst();
  return credentialRecord(db, siteId, row);
}

export async function findCredentialByKey(db: Queryable, siteId: number, credentialKey: string): Promise<CredentialRecord | undefined> {
  const row = await db
    .selectFrom('credential')
    .select(credentialColumns)
    .where('site_id', '=', siteId)
    .where('credential_key', '=', credentialKey)
    .executeTakeFirst();
  return credentialRecord(db, siteId, row);
}

/** A stored time-profile rule; one that no longer parses opens nothing. */
function parsedRule(rule: string): TimeProfile {
  const parsed = parseTimeProfile(JSON.parse(rule));
  return parsed.ok ? parsed.profile : NEVER;
}

/** Rows of schedules that are time profiles, parsed. */
function timeProfiles(rows: { id: number; name: string; rule: string | null }[]): NamedTimeProfile[] {
  return rows.flatMap((row) => (row.rule === null ? [] : [{ id: row.id, name: row.name, profile: parsedRule(row.rule) }]));
}

/** A profile no instant satisfies: what an unreadable stored rule means. */
const NEVER: TimeProfile = { time_options: { is_all_day: false, date_from: 0, date_to: 0 }, repeat_options: { repeat_enable: false } };

async function findCredentialTimeProfiles(db: Queryable, siteId: number, credentialId: number): Promise<NamedTimeProfile[]> {
  const rows = await db
    .selectFrom('credential_time_profile as ctp')
    .innerJoin('schedule as s', 's.id', 'ctp.schedule_id')
    .select(['s.id', 's.name', 's.rule'])
    .where('ctp.site_id', '=', siteId)
    .where('ctp.credential_id', '=', credentialId)
    .orderBy('s.id')
    .execute();
  return timeProfiles(rows);
}

async function findUserTimeProfiles(db: Queryable, siteId: number, userId: number): Promise<NamedTimeProfile[]> {
  const rows = await db
    .selectFrom('user_time_profile as utp')
    .innerJoin('schedule as s', 's.id', 'utp.schedule_id')
    .select(['s.id', 's.name', 's.rule'])
    .where('utp.site_id', '=', siteId)
    .where('utp.user_id', '=', userId)
    .orderBy('s.id')
    .execute();
  return timeProfiles(rows);
}

/** The lock number a device drives a door under, when it does. */
export async function findLockNumber(db: Queryable, siteId: number, deviceId: number, doorId: number): Promise<number | null> {
  const row = await db
    .selectFrom('device_door')
    .select('lock_number')
    .where('site_id', '=', siteId)
    .where('device_id', '=', deviceId)
    .where('door_id', '=', doorId)
    .executeTakeFirst();
  return row?.lock_number ?? null;
}

/** Cardholders whose PIN has this hash (several, when the site allows shared PINs), by id. */
export async function findHolderIdsByPinHash(db: Queryable, siteId: number, pinHash: string): Promise<number[]> {
  const rows = await db
    .selectFrom('user')
    .select('id')
    .where('site_id', '=', siteId)
    .where('role', '=', 'cardholder')
    .where('pin_hash', '=', pinHash)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

export async function findPinSecret(db: Queryable, siteId: number): Promise<string | undefined> {
  const row = await db.selectFrom('site').select('pin_secret').where('id', '=', siteId).executeTakeFirst();
  return row?.pin_secret;
}

export async function findHolder(db: Queryable, siteId: number, userId: number): Promise<HolderRecord | undefined> {
  const row = await db
    .selectFrom('user')
    .select(['id', 'first_name', 'last_name', 'enabled', 'access_effective', 'access_expires', 'auth_factors', 'is_custom_user_access', 'lock_number'])
    .where('site_id', '=', siteId)
    .where('id', '=', userId)
    .where('role', '=', 'cardholder')
    .executeTakeFirst();
  if (!row) return undefined;
  const displayName = [row.last_name, row.first_name].filter((part) => part !== '').join(', ');
  return {
    id: row.id,
    name: displayName,
    displayName,
    enabled: fromFlag(row.enabled),
    effective: row.access_effective,
    expires: row.access_expires,
    authFactors: fromFlag(row.is_custom_user_access)
      ? (row.auth_factors.split(',').filter((f) => f !== '') as AuthFactor[])
      : null,
    lockNumber: row.lock_number,
    timeProfiles: await findUserTimeProfiles(db, siteId, row.id),
  };
}

/** Every door the holder reaches through any assigned level, with the level's schedule or delegation window. */
export async function findHolderGrants(db: Queryable, siteId: number, userId: number): Promise<DoorGrant[]> {
  const rows = await db
    .selectFrom('user_access_level as ual')
    .innerJoin('access_level as al', 'al.id', 'ual.access_level_id')
    .innerJoin('access_level_door as ald', 'ald.access_level_id', 'al.id')
    .leftJoin('schedule as s', 's.id', 'ald.schedule_id')
    .select([
      'ald.door_id',
      'al.id as level_id',
      'al.name as level_name',
      'al.is_delegate',
      'al.access_effective',
      'al.access_expires',
      's.id as schedule_id',
      's.name as schedule_name',
      's.d0',
      's.d1',
      's.d2',
      's.d3',
      's.d4',
      's.d5',
      's.d6',
      's.start_time',
      's.stop_time',
      's.rule',
    ])
    .where('ual.site_id', '=', siteId)
    .where('ual.user_id', '=', userId)
    .orderBy('al.id')
    .execute();
  return rows.map((row): DoorGrant => {
    if (fromFlag(row.is_delegate)) {
      return {
        doorId: row.door_id,
        via: 'delegation',
        levelId: row.level_id,
        levelName: row.level_name,
        window: { effective: row.access_effective, expires: row.access_expires },
      };
    }
    const schedule =
      row.schedule_id === null
        ? null
        : {
            id: row.schedule_id,
            name: row.schedule_name ?? '',
            days: [row.d0, row.d1, row.d2, row.d3, row.d4, row.d5, row.d6].map((d) => d === 1),
            start: row.start_time ?? '',
            stop: row.stop_time ?? '',
            rule: row.rule === null ? undefined : parsedRule(row.rule),
          };
    return { doorId: row.door_id, via: 'level', levelId: row.level_id, levelName: row.level_name, schedule };
  });
}

export async function findDoor(db: Queryable, siteId: number, doorId: number): Promise<DoorRecord | undefined> {
  const row = await db
    .selectFrom('door')
    .leftJoin('location', 'location.id', 'door.location_id')
    .select(['door.id', 'door.name', 'door.enabled', 'location.name as location_name'])
    .where('door.site_id', '=', siteId)
    .where('door.id', '=', doorId)
    .executeTakeFirst();
  return row && { id: row.id, name: row.name, enabled: fromFlag(row.enabled), locationName: row.location_name ?? '' };
}
