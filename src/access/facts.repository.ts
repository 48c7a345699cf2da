import { sql } from 'kysely';
import type { Queryable } from '../db/queryable.ts';
import { fromFlag } from '../db/conventions.ts';
import type { Columns, CredentialTimeProfileTable } from '../db/schema.ts';
import type { AccessWindow, AuthFactor, DelegationGrant, DoorFacts, HolderFacts, IdentifierLock, LevelGrant, NamedTimeProfile } from './decide.ts';
import { groupBy } from '../lib/group-by.ts';
import type { DoorModeFacts, FreeAccessFacts, Holiday, LockdownFacts, OverrideFacts, UnlockRow } from './door-mode.ts';
import type { NamedSchedule, ScheduleRule } from './schedule.ts';
import { FREE_ACCESS_SETTING, PUBLIC_CODE_SETTING, type PanelRules, freeAccessOf, freeAccessOfLocks, panelRulesOf } from './panel-rules.ts';
import { storedTimeProfile } from './time-profile.ts';

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
  /** Every access level assigned to the holder, ascending (a lockdown's responders, first person in). */
  levelIds: number[];
}

export interface DoorRecord extends DoorFacts {
  locationName: string;
}

/** A grant as stored: a delegation names its giver, whose own access is gathered at each decision. */
export type StoredGrant = LevelGrant | (Omit<DelegationGrant, 'giver'> & { giverId: number | null });

export type DoorGrant = StoredGrant & { doorId: number };

const credentialColumns = [
  'id',
  'user_id',
  'is_fob',
  'enabled',
  'card_num',
  'credential_key',
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
  credential_key: string;
  access_effective: number | null;
  access_expires: number | null;
  identifier_type: string;
  lock: string;
  panel_access: number;
  passes_left: number | null;
};

function credentialRecord(row: CredentialRow, timeProfiles: NamedTimeProfile[]): CredentialRecord {
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
    timeProfiles,
  };
}

async function withTimeProfiles(db: Queryable, siteId: number, row: CredentialRow | undefined): Promise<CredentialRecord | undefined> {
  if (!row) return undefined;
  const profiles = await timeProfilesOf(db, 'credential', siteId, row.id, row.id);
  return credentialRecord(row, profiles.get(row.id) ?? []);
}

/** A credential by its number (the card number, or a panel identifier's number of any kind). */
export async function findCredentialByCardNum(db: Queryable, siteId: number, cardNum: string): Promise<CredentialRecord | undefined> {
  const row = await db
    .selectFrom('credential')
    .select(credentialColumns)
    .where('site_id', '=', siteId)
    .where('card_num', '=', cardNum)
    .executeTakeFirst();
  return withTimeProfiles(db, siteId, row);
}

export async function findCredentialByKey(db: Queryable, siteId: number, credentialKey: string): Promise<CredentialRecord | undefined> {
  const row = await db
    .selectFrom('credential')
    .select(credentialColumns)
    .where('site_id', '=', siteId)
    .where('credential_key', '=', credentialKey)
    .executeTakeFirst();
  return withTimeProfiles(db, siteId, row);
}

/** A credential and the key a mobile device presents for it: what the index files it under. */
export interface KeyedCredential {
  id: number;
  credentialKey: string;
  record: CredentialRecord;
}

/** The site's credentials with ids after `afterId`, at most `limit`, ascending: the index reads a site whole this way. */
export async function findCredentialsAfter(db: Queryable, siteId: number, afterId: number, limit: number): Promise<KeyedCredential[]> {
  const rows = await db
    .selectFrom('credential')
    .select(credentialColumns)
    .where('site_id', '=', siteId)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  const last = rows[rows.length - 1];
  if (!last) return [];
  const profiles = await timeProfilesOf(db, 'credential', siteId, afterId + 1, last.id);
  return rows.map((row) => ({ id: row.id, credentialKey: row.credential_key, record: credentialRecord(row, profiles.get(row.id) ?? []) }));
}

/** Rows of schedules that are time profiles, parsed. */
function timeProfiles(rows: { id: number; name: string; rule: string | null }[]): NamedTimeProfile[] {
  return rows.flatMap((row) => (row.rule === null ? [] : [{ id: row.id, name: row.name, profile: storedTimeProfile(row.rule) }]));
}

/** The tables that give holders time profiles (schedules), and the column naming each row's holder. */
const TIME_PROFILE_LINKS = {
  credential: { table: 'credential_time_profile', holder: 'credential_id' },
  user: { table: 'user_time_profile', holder: 'user_id' },
} as const;

/** The time profiles of the site's credentials (or users) with ids from `fromId` to `toId`, by holder. */
async function timeProfilesOf(
  db: Queryable,
  holders: keyof typeof TIME_PROFILE_LINKS,
  siteId: number,
  fromId: number,
  toId: number,
): Promise<Map<number, NamedTimeProfile[]>> {
  const { table, holder } = TIME_PROFILE_LINKS[holders];
  // Kysely cannot join from a choice of two tables, so the table and its holder column (the one column the
  // two do not share) are named in SQL; the rest of the query is typed as usual.
  const links = sql<Pick<CredentialTimeProfileTable, 'schedule_id' | 'site_id'>>`${sql.table(table)}`.as('tp');
  const owner = sql<number>`${sql.ref(`tp.${holder}`)}`;
  const rows = await db
    .selectFrom(links)
    .innerJoin('schedule as s', 's.id', 'tp.schedule_id')
    .select([owner.as('owner'), 's.id', 's.name', 's.rule'])
    .where('tp.site_id', '=', siteId)
    .where(owner, '>=', fromId)
    .where(owner, '<=', toId)
    .orderBy(owner)
    .orderBy('s.id')
    .execute();
  return timeProfilesByOwner(rows);
}

function timeProfilesByOwner(rows: { owner: number; id: number; name: string; rule: string | null }[]): Map<number, NamedTimeProfile[]> {
  return new Map([...groupBy(rows, (row) => row.owner)].map(([owner, owned]) => [owner, timeProfiles(owned)]));
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

/** Every door a device of the site drives, with its lock number. */
export function findLockNumbers(db: Queryable, siteId: number): Promise<{ device_id: number; door_id: number; lock_number: number }[]> {
  return db.selectFrom('device_door').select(['device_id', 'door_id', 'lock_number']).where('site_id', '=', siteId).execute();
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

const holderColumns = [
  'id',
  'first_name',
  'last_name',
  'enabled',
  'access_effective',
  'access_expires',
  'auth_factors',
  'is_custom_user_access',
  'lock_number',
] as const;

type HolderRow = {
  id: number;
  first_name: string;
  last_name: string;
  enabled: number;
  access_effective: number | null;
  access_expires: number | null;
  auth_factors: string;
  is_custom_user_access: number;
  lock_number: number;
};

function holderRecord(row: HolderRow, timeProfiles: NamedTimeProfile[], levelIds: number[]): HolderRecord {
  const displayName = [row.last_name, row.first_name].filter((part) => part !== '').join(', ');
  return {
    id: row.id,
    name: displayName,
    displayName,
    enabled: fromFlag(row.enabled),
    effective: row.access_effective,
    expires: row.access_expires,
    authFactors: fromFlag(row.is_custom_user_access) ? (row.auth_factors.split(',').filter((f) => f !== '') as AuthFactor[]) : null,
    lockNumber: row.lock_number,
    timeProfiles,
    levelIds,
  };
}

export async function findHolder(db: Queryable, siteId: number, userId: number): Promise<HolderRecord | undefined> {
  const row = await db
    .selectFrom('user')
    .select(holderColumns)
    .where('site_id', '=', siteId)
    .where('id', '=', userId)
    .where('role', '=', 'cardholder')
    .executeTakeFirst();
  if (!row) return undefined;
  const [profiles, levels] = await Promise.all([timeProfilesOf(db, 'user', siteId, row.id, row.id), userLevelIds(db, siteId, row.id, row.id)]);
  return holderRecord(
    row,
    profiles.get(row.id) ?? [],
    (levels.get(row.id) ?? []).map((level) => level.access_level_id),
  );
}

/** The access levels of the site's users with ids from `fromId` to `toId`, by user, ascending. */
async function userLevelIds(db: Queryable, siteId: number, fromId: number, toId: number) {
  const rows = await db
    .selectFrom('user_access_level')
    .select(['user_id', 'access_level_id'])
    .where('site_id', '=', siteId)
    .where('user_id', '>=', fromId)
    .where('user_id', '<=', toId)
    .orderBy('user_id')
    .orderBy('access_level_id')
    .execute();
  return groupBy(rows, (row) => row.user_id);
}

/** A holder (with the ids of the access levels assigned to it). */
export interface HolderWithLevels {
  id: number;
  holder: HolderRecord;
}

/** The site's cardholders with ids after `afterId`, at most `limit`, ascending, with their levels. */
export async function findHoldersAfter(db: Queryable, siteId: number, afterId: number, limit: number): Promise<HolderWithLevels[]> {
  const rows = await db
    .selectFrom('user')
    .select(holderColumns)
    .where('site_id', '=', siteId)
    .where('role', '=', 'cardholder')
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  const last = rows[rows.length - 1];
  if (!last) return [];
  const [profiles, levels] = await Promise.all([
    timeProfilesOf(db, 'user', siteId, afterId + 1, last.id),
    userLevelIds(db, siteId, afterId + 1, last.id),
  ]);
  return rows.map((row) => ({
    id: row.id,
    holder: holderRecord(
      row,
      profiles.get(row.id) ?? [],
      (levels.get(row.id) ?? []).map((level) => level.access_level_id),
    ),
  }));
}

/** A schedule's columns (joined as `s`), as `namedSchedule` reads them. */
const SCHEDULE_COLUMNS = [
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
  's.observes_holidays',
] as const;

function grantQuery(db: Queryable, siteId: number) {
  return db
    .selectFrom('access_level as al')
    .innerJoin('access_level_door as ald', 'ald.access_level_id', 'al.id')
    .leftJoin('schedule as s', 's.id', 'ald.schedule_id')
    .select([
      'ald.door_id',
      'al.id as level_id',
      'al.name as level_name',
      'al.is_delegate',
      'al.access_effective',
      'al.access_expires',
      'al.delegated_by_user_id',
      ...SCHEDULE_COLUMNS,
    ])
    .where('al.site_id', '=', siteId);
}

type RuleColumns = Columns<'schedule', 'd0' | 'd1' | 'd2' | 'd3' | 'd4' | 'd5' | 'd6' | 'start_time' | 'stop_time' | 'rule'>;
type StoredRuleColumns = { [Column in keyof RuleColumns]: RuleColumns[Column] | null };

/** A schedule's days, times and rule as the engine reads them (a left join's nulls: no days, no times). */
export function storedSchedule(row: StoredRuleColumns): ScheduleRule {
  return {
    days: [row.d0, row.d1, row.d2, row.d3, row.d4, row.d5, row.d6].map((d) => d === 1),
    start: row.start_time ?? '',
    stop: row.stop_time ?? '',
    rule: row.rule === null ? undefined : storedTimeProfile(row.rule),
  };
}

type GrantRow = Awaited<ReturnType<ReturnType<typeof grantQuery>['execute']>>[number];

function doorGrant(row: GrantRow): DoorGrant {
  if (fromFlag(row.is_delegate)) {
    return {
      doorId: row.door_id,
      via: 'delegation',
      levelId: row.level_id,
      levelName: row.level_name,
      window: { effective: row.access_effective, expires: row.access_expires },
      giverId: row.delegated_by_user_id,
    };
  }
  const schedule = row.schedule_id === null ? null : namedSchedule({ ...row, schedule_id: row.schedule_id });
  return { doorId: row.door_id, via: 'level', levelId: row.level_id, levelName: row.level_name, schedule };
}

/** A schedule's columns, as a grant (left-joined, so any may be null) or an unlock row selects them. */
type ScheduleColumns = Pick<
  GrantRow,
  'schedule_name' | 'd0' | 'd1' | 'd2' | 'd3' | 'd4' | 'd5' | 'd6' | 'start_time' | 'stop_time' | 'rule' | 'observes_holidays'
> & { schedule_id: number };

function namedSchedule(row: ScheduleColumns): NamedSchedule {
  return {
    id: row.schedule_id,
    name: row.schedule_name ?? '',
    ...storedSchedule(row),
    observesHolidays: row.observes_holidays === 1,
  };
}

/** Every door the holder reaches through any assigned level, with the level's schedule or delegation window. */
export async function findHolderGrants(db: Queryable, siteId: number, userId: number): Promise<DoorGrant[]> {
  const rows = await grantQuery(db, siteId)
    .innerJoin('user_access_level as ual', 'ual.access_level_id', 'al.id')
    .where('ual.user_id', '=', userId)
    .orderBy('al.id')
    .execute();
  return rows.map(doorGrant);
}

/** What each of the site's access levels grants, by level id. */
export async function findLevelGrants(db: Queryable, siteId: number): Promise<Map<number, DoorGrant[]>> {
  const rows = await grantQuery(db, siteId).orderBy('al.id').execute();
  return new Map([...groupBy(rows, (row) => row.level_id)].map(([levelId, granted]) => [levelId, granted.map(doorGrant)]));
}

const doorQuery = (db: Queryable, siteId: number) =>
  db
    .selectFrom('door')
    .leftJoin('location', 'location.id', 'door.location_id')
    .select(['door.id', 'door.name', 'door.enabled', 'location.name as location_name'])
    .where('door.site_id', '=', siteId);

function doorRecord(row: { id: number; name: string; enabled: number; location_name: string | null }): DoorRecord {
  return { id: row.id, name: row.name, enabled: fromFlag(row.enabled), locationName: row.location_name ?? '' };
}

export async function findDoor(db: Queryable, siteId: number, doorId: number): Promise<DoorRecord | undefined> {
  const row = await doorQuery(db, siteId).where('door.id', '=', doorId).executeTakeFirst();
  return row && doorRecord(row);
}

/** Every door of the site. */
export async function findDoors(db: Queryable, siteId: number): Promise<DoorRecord[]> {
  return (await doorQuery(db, siteId).execute()).map(doorRecord);
}

/** The site's public unlock code, as the panel settings saved it. */
export async function findPanelRules(db: Queryable, siteId: number): Promise<PanelRules> {
  const [row, pinSecret] = await Promise.all([
    db.selectFrom('panel_setting').select('value').where('site_id', '=', siteId).where('setting', '=', PUBLIC_CODE_SETTING).executeTakeFirst(),
    findPinSecret(db, siteId),
  ]);
  return panelRulesOf(row?.value, pinSecret ?? '');
}

/**
 * A site's door-mode facts, read at once: what holds for every door (holidays, first-person-in levels,
 * site-wide plans) and what each door has of its own. `doorModeOf` puts one door's together.
 */
export interface SiteDoorModes {
  holidays: Holiday[];
  firstInLevelIds: number[];
  /** Started plans by the door they cover (site-wide plans under every door of the site). */
  lockdowns: Map<number, LockdownFacts[]>;
  unlockRows: Map<number, UnlockRow[]>;
  /** The free-access windows of the panel locks each door is driven under (by a device not revoked). */
  freeAccess: Map<number, FreeAccessFacts[]>;
  overrides: Map<number, OverrideFacts>;
  lastFirstIn: Map<number, string>;
}

/** One door's mode facts out of its site's. */
export function doorModeOf(site: SiteDoorModes, doorId: number): DoorModeFacts {
  return {
    unlockRows: site.unlockRows.get(doorId) ?? [],
    freeAccess: site.freeAccess.get(doorId) ?? [],
    holidays: site.holidays,
    override: site.overrides.get(doorId) ?? null,
    lockdowns: site.lockdowns.get(doorId) ?? [],
    lastFirstIn: site.lastFirstIn.get(doorId) ?? null,
    firstInLevelIds: site.firstInLevelIds,
  };
}

/** Which doors each started plan covers: site-wide plans every door, a location's its doors, else its list. */
function plansCoveringDoors(db: Queryable, siteId: number) {
  return db
    .selectFrom('lockdown_plan as p')
    .innerJoin('door as d', 'd.site_id', 'p.site_id')
    .leftJoin('lockdown_plan_door as pd', (join) => join.onRef('pd.plan_id', '=', 'p.id').onRef('pd.door_id', '=', 'd.id'))
    .select(['d.id as door_id', 'p.id', 'p.name', 'p.mode', 'p.priority', 'p.active_since', 'p.active_until', 'p.active_by'])
    .where('p.site_id', '=', siteId)
    .where('p.active_since', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('p.scope', '=', 'site'),
        eb.and([eb('p.scope', '=', 'location'), eb('d.location_id', '=', eb.ref('p.location_id'))]),
        eb.and([eb('p.scope', '=', 'doors'), eb('pd.door_id', 'is not', null)]),
      ]),
    )
    .orderBy('p.id');
}

type CoveredDoorRow = Awaited<ReturnType<ReturnType<typeof plansCoveringDoors>['execute']>>[number];

/** The started plans covering each door, each with its responder levels. */
function lockdownsByDoor(
  rows: readonly CoveredDoorRow[],
  responders: readonly { plan_id: number; access_level_id: number }[],
): Map<number, LockdownFacts[]> {
  const respondersOf = groupBy(responders, (row) => row.plan_id);
  const byDoor = new Map<number, LockdownFacts[]>();
  for (const row of rows) {
    if (row.active_since === null) continue;
    const plan: LockdownFacts = {
      id: row.id,
      name: row.name,
      mode: row.mode,
      priority: row.priority,
      since: row.active_since,
      until: row.active_until,
      by: row.active_by,
      responderLevelIds: (respondersOf.get(row.id) ?? []).map((r) => r.access_level_id),
    };
    const plans = byDoor.get(row.door_id);
    if (plans) plans.push(plan);
    else byDoor.set(row.door_id, [plan]);
  }
  return byDoor;
}

/**
 * Each door's free-access windows: the site's free-access setting, and the lock numbers devices not
 * revoked drive each door under (the doors an emergency opening of a lock reaches, panels.service.ts).
 */
function freeAccessByDoor(stored: string | undefined, locks: readonly { door_id: number; lock_number: number }[]): Map<number, FreeAccessFacts[]> {
  const settings = freeAccessOf(stored);
  if (settings.length === 0) return new Map();
  return new Map(
    [...groupBy(locks, (row) => row.door_id)].map(([door, rows]) => [
      door,
      freeAccessOfLocks(
        settings,
        rows.map((row) => row.lock_number),
      ),
    ]),
  );
}

/**
 * The door-mode facts of one door (`doorId`) or of every door of the site (null): ten queries either
 * way, so the index reads a site whole in the time a decision reads one door.
 */
export async function findDoorModes(db: Queryable, siteId: number, doorId: number | null): Promise<SiteDoorModes> {
  let unlock = db
    .selectFrom('door_mode_schedule as dms')
    .innerJoin('schedule as s', 's.id', 'dms.schedule_id')
    .select(['dms.door_id', 'dms.mode', 'dms.first_person_in', ...SCHEDULE_COLUMNS])
    .where('dms.site_id', '=', siteId)
    .orderBy('dms.id');
  let overrides = db.selectFrom('door_override').select(['door_id', 'mode', 'since', 'until', 'actor']).where('site_id', '=', siteId);
  let firstIn = db
    .selectFrom('door_first_in')
    .select(['door_id', (eb) => eb.fn.max('day').as('day')])
    .where('site_id', '=', siteId)
    .groupBy('door_id');
  let covered = plansCoveringDoors(db, siteId);
  let locks = db
    .selectFrom('device_door')
    .innerJoin('device', 'device.id', 'device_door.device_id')
    .select(['device_door.door_id', 'device_door.lock_number'])
    .where('device_door.site_id', '=', siteId)
    .where('device.revoked_at', 'is', null)
    .orderBy('device_door.lock_number');
  if (doorId !== null) {
    locks = locks.where('device_door.door_id', '=', doorId);
    unlock = unlock.where('dms.door_id', '=', doorId);
    overrides = overrides.where('door_id', '=', doorId);
    firstIn = firstIn.where('door_id', '=', doorId);
    covered = covered.where('d.id', '=', doorId);
  }
  const [unlockRows, overrideRows, firstInRows, planRows, responders, holidays, firstInLevels, lockRows, freeAccess] = await Promise.all([
    unlock.execute(),
    overrides.execute(),
    firstIn.execute(),
    covered.execute(),
    db
      .selectFrom('lockdown_plan_responder')
      .select(['plan_id', 'access_level_id'])
      .where('site_id', '=', siteId)
      .orderBy('access_level_id')
      .execute(),
    db.selectFrom('holiday').select(['name', 'start_date', 'end_date', 'yearly']).where('site_id', '=', siteId).orderBy('id').execute(),
    db.selectFrom('access_level').select('id').where('site_id', '=', siteId).where('first_person_in', '=', 1).orderBy('id').execute(),
    locks.execute(),
    db.selectFrom('panel_setting').select('value').where('site_id', '=', siteId).where('setting', '=', FREE_ACCESS_SETTING).executeTakeFirst(),
  ]);
  return {
    holidays: holidays.map((row) => ({ name: row.name, start: row.start_date, end: row.end_date, yearly: fromFlag(row.yearly) })),
    firstInLevelIds: firstInLevels.map((row) => row.id),
    lockdowns: lockdownsByDoor(planRows, responders),
    unlockRows: new Map(
      [...groupBy(unlockRows, (row) => row.door_id)].map(([door, rows]) => [
        door,
        rows.map((row) => ({ mode: row.mode, firstPersonIn: fromFlag(row.first_person_in), schedule: namedSchedule(row) })),
      ]),
    ),
    freeAccess: freeAccessByDoor(freeAccess?.value, lockRows),
    overrides: new Map(overrideRows.map((row) => [row.door_id, { mode: row.mode, since: row.since, until: row.until, actor: row.actor }])),
    lastFirstIn: new Map(firstInRows.flatMap((row) => (row.day === null ? [] : [[row.door_id, row.day] as const]))),
  };
}

/** Records a door's first person in for a site-local day; a second one the same day changes nothing. */
export async function insertFirstIn(db: Queryable, siteId: number, doorId: number, day: string, userId: number | null, at: number): Promise<void> {
  await db
    .insertInto('door_first_in')
    .values({ door_id: doorId, site_id: siteId, day, user_id: userId, at })
    .onConflict((oc) => oc.columns(['door_id', 'day']).doNothing())
    .execute();
}
