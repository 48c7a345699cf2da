import { idsBy } from '../../lib/group-by.ts';
import { type Expression, type SqlBool, type Updateable, sql } from 'kysely';
import type { Columns, NewRow } from '../../db/schema.ts';
import { isStorableId } from '../../db/conventions.ts';
import { insertRows } from '../../db/insert-rows.ts';
import type { Queryable } from '../../db/queryable.ts';
import type { CredentialTable } from '../../db/schema.ts';
import { type ListColumns, type ListRequest, listQueryOf } from '../../db/list-query.ts';

/** A credential as the credential list shows it, with its holder's name when it has one. */
export type CredentialListRow = Columns<'credential', 'id' | 'name' | 'card_num' | 'credential_key' | 'claimed_at' | 'user_id'> & {
  first_name: string | null;
  last_name: string | null;
};

/** At most one filter applies; none lists every credential of the site. */
export interface CredentialFilter {
  id?: number | undefined;
  userId?: number | undefined;
  cardNum?: string | undefined;
}

export async function listCredentials(
  db: Queryable,
  siteId: number,
  filter: CredentialFilter,
  afterId: number,
  limit: number,
): Promise<CredentialListRow[]> {
  // An id no row can hold matches nothing (and PostgreSQL would refuse to compare it).
  if ([filter.id, filter.userId].some((id) => id !== undefined && !isStorableId(id))) return [];
  let query = db
    .selectFrom('credential as c')
    .leftJoin('user as u', (join) => join.onRef('u.id', '=', 'c.user_id').on('u.site_id', '=', siteId))
    .select(['c.id', 'c.name', 'c.card_num', 'c.credential_key', 'c.claimed_at', 'c.user_id', 'u.first_name', 'u.last_name'])
    .where('c.site_id', '=', siteId);
  if (filter.id !== undefined) query = query.where('c.id', '=', filter.id);
  if (filter.userId !== undefined) query = query.where('c.user_id', '=', filter.userId);
  if (filter.cardNum !== undefined) query = query.where('c.card_num', '=', filter.cardNum);
  return query.where('c.id', '>', afterId).orderBy('c.id').limit(limit).execute();
}

/** A credential as its holder's record shows it. */
export type HeldCredentialRow = Columns<'credential', 'id' | 'user_id' | 'is_fob' | 'name' | 'card_num' | 'credential_key'>;

/** Every credential (cards and fobs) these users hold, in id order. */
export async function credentialsOfUsers(db: Queryable, siteId: number, userIds: number[]): Promise<HeldCredentialRow[]> {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('credential')
    .select(['id', 'user_id', 'is_fob', 'name', 'card_num', 'credential_key'])
    .where('site_id', '=', siteId)
    .where('user_id', 'in', userIds)
    .orderBy('id')
    .execute();
}

/** Of these card numbers, the ones some credential of the site carries, with that credential's id. */
export async function credentialIdsByCardNum(db: Queryable, siteId: number, cardNums: string[]): Promise<Map<string, number>> {
  if (cardNums.length === 0) return new Map();
  const rows = await db.selectFrom('credential').select(['id', 'card_num']).where('site_id', '=', siteId).where('card_num', 'in', cardNums).execute();
  return idsBy(rows, 'card_num');
}

const NEW_CREDENTIAL_COLUMNS = [
  'site_id',
  'user_id',
  'is_fob',
  'name',
  'name_key',
  'id_num',
  'card_num',
  'credential_key',
  'access_effective',
  'access_expires',
  'created_at',
] as const;

export type NewCredentialRow = NewRow<'credential', (typeof NEW_CREDENTIAL_COLUMNS)[number]>;

/** Inserts credentials; returns their new ids, in the order of the rows. */
export async function insertCredentials(db: Queryable, rows: NewCredentialRow[]): Promise<number[]> {
  const inserted = await insertRows(db, 'credential', NEW_CREDENTIAL_COLUMNS, rows, { returning: ['id'] });
  return inserted.map((r) => r.id);
}

/** Removes every card (never a fob) these users hold. */
export async function deleteCardsOfUsers(db: Queryable, siteId: number, userIds: number[]): Promise<void> {
  if (userIds.length === 0) return;
  await db.deleteFrom('credential').where('site_id', '=', siteId).where('is_fob', '=', 0).where('user_id', 'in', userIds).execute();
}

/** Leaves these users' fobs unassigned: a fob outlives the user it was lent to. */
export async function unassignFobsOfUsers(db: Queryable, siteId: number, userIds: number[]): Promise<void> {
  if (userIds.length === 0) return;
  await db
    .updateTable('credential')
    .set({ user_id: null })
    .where('site_id', '=', siteId)
    .where('is_fob', '=', 1)
    .where('user_id', 'in', userIds)
    .execute();
}

/** Of these ids, the credentials of the site, each with whether it is a fob. */
export async function fobFlagsByIds(db: Queryable, siteId: number, ids: number[]): Promise<Map<number, boolean>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('credential').select(['id', 'is_fob']).where('site_id', '=', siteId).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.is_fob === 1]));
}

export async function deleteCredentials(db: Queryable, siteId: number, ids: number[]): Promise<number> {
  const result = await db.deleteFrom('credential').where('site_id', '=', siteId).where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Of these keys, the ones of the site's credentials. */
export async function knownKeys(db: Queryable, siteId: number, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.selectFrom('credential').select('credential_key').where('site_id', '=', siteId).where('credential_key', 'in', keys).execute();
  return new Set(rows.map((r) => r.credential_key));
}

/** Claims those of these keys that are still unclaimed; returns the credential ids this call claimed, by key. */
export async function claimUnclaimed(db: Queryable, siteId: number, keys: string[], at: number): Promise<Map<string, number>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .updateTable('credential')
    .set({ claimed_at: at })
    .where('site_id', '=', siteId)
    .where('credential_key', 'in', keys)
    .where('claimed_at', 'is', null)
    .returning(['id', 'credential_key'])
    .execute();
  return new Map(rows.map((r) => [r.credential_key, r.id]));
}

export async function countCredentials(db: Queryable, siteId: number): Promise<{ total: number; claimed: number }> {
  const row = await db
    .selectFrom('credential')
    .select((eb) => [eb.fn.countAll<number | string>().as('total'), eb.fn.count<number | string>('claimed_at').as('claimed')])
    .where('site_id', '=', siteId)
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), claimed: Number(row.claimed) };
}

/** Gives the credential to the user (a credential has one holder at most). */
export async function assignCredential(db: Queryable, siteId: number, credentialId: number, userId: number): Promise<void> {
  await db.updateTable('credential').set({ user_id: userId }).where('site_id', '=', siteId).where('id', '=', credentialId).execute();
}

/**
 * The panel face's queries over credentials, which it calls identifiers: every credential of the site,
 * Lockt cards and fobs among them, with its holder's name and its apartment's address.
 */

/** Who an identifier is for: its owner name, or when it has none (a Lockt card), its holder's name. */
const OWNER = sql<string>`case when c.owner_name <> '' then c.owner_name else trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) end`;

/** What a list of identifiers filters and sorts on. */
export const IDENTIFIER_LIST_COLUMNS: ListColumns<'id' | 'number' | 'type' | 'owner' | 'ownerType' | 'lock' | 'userId' | 'apartmentId' | 'linkId'> = {
  id: { expr: sql.ref('c.id'), type: 'integer' },
  number: { expr: sql`coalesce(c.card_num, '')`, type: 'text' },
  type: { expr: sql.ref('c.identifier_type'), type: 'text' },
  owner: { expr: OWNER, type: 'text' },
  ownerType: { expr: sql.ref('c.owner_type'), type: 'text' },
  lock: { expr: sql.ref('c.lock'), type: 'text' },
  userId: { expr: sql.ref('c.user_id'), type: 'integer', sortable: false },
  apartmentId: { expr: sql.ref('c.apartment_id'), type: 'integer', sortable: false },
  linkId: { expr: sql.ref('c.link_id'), type: 'text', sortable: false },
};

export interface IdentifierRow {
  id: number;
  user_id: number | null;
  is_fob: number;
  name: string;
  card_num: string | null;
  identifier_type: string;
  owner_type: string;
  owner: string;
  lock: string;
  panel_access: number;
  max_passes: number | null;
  passes_left: number | null;
  access_effective: number | null;
  access_expires: number | null;
  apartment_id: number | null;
  link_id: string | null;
  apartment_link_id: string | null;
  building: number | null;
  unit: number | null;
  floor: number | null;
  room: number | null;
}

/** Which identifiers a reader sees: the site's, or only those one operator created (null: all of the site's). */
export interface IdentifierScope {
  siteId: number;
  ownedBy: number | null;
}

function identifiers(db: Queryable, { siteId, ownedBy }: IdentifierScope) {
  return db
    .selectFrom('credential as c')
    .leftJoin('user as u', (join) => join.onRef('u.id', '=', 'c.user_id').on('u.site_id', '=', siteId))
    .leftJoin('apartment as a', (join) => join.onRef('a.id', '=', 'c.apartment_id').on('a.site_id', '=', siteId))
    .where('c.site_id', '=', siteId)
    .$if(ownedBy !== null, (qb) => qb.where('c.created_by', '=', ownedBy));
}

const IDENTIFIER_COLUMNS = [
  'c.id',
  'c.user_id',
  'c.is_fob',
  'c.name',
  'c.card_num',
  'c.identifier_type',
  'c.owner_type',
  'c.lock',
  'c.panel_access',
  'c.max_passes',
  'c.passes_left',
  'c.access_effective',
  'c.access_expires',
  'c.apartment_id',
  'c.link_id',
  'a.link_id as apartment_link_id',
  'a.building',
  'a.unit',
  'a.floor',
  'a.room',
] as const;

function selectIdentifiers(db: Queryable, scope: IdentifierScope, where: Expression<SqlBool>) {
  return identifiers(db, scope).where(where).select(IDENTIFIER_COLUMNS).select(OWNER.as('owner'));
}

export function findIdentifier(db: Queryable, scope: IdentifierScope, id: number): Promise<IdentifierRow | undefined> {
  return selectIdentifiers(db, scope, sql<SqlBool>`c.id = ${id}`).executeTakeFirst();
}

export async function identifiersByLinkIds(db: Queryable, scope: IdentifierScope, linkIds: string[]): Promise<IdentifierRow[]> {
  if (linkIds.length === 0) return [];
  return selectIdentifiers(db, scope, sql<SqlBool>`c.link_id in (${sql.join(linkIds)})`)
    .orderBy('c.id')
    .execute();
}

/** Every identifier these users hold, in id order. */
export async function identifiersOfUsers(db: Queryable, siteId: number, userIds: number[]): Promise<IdentifierRow[]> {
  if (userIds.length === 0) return [];
  return selectIdentifiers(db, { siteId, ownedBy: null }, sql<SqlBool>`c.user_id in (${sql.join(userIds)})`)
    .orderBy('c.id')
    .execute();
}

/** One page of the identifiers in scope, and how many match in all. */
export async function listIdentifiers(
  db: Queryable,
  scope: IdentifierScope,
  request: ListRequest,
): Promise<{ rows: IdentifierRow[]; total: number }> {
  const list = listQueryOf(request, IDENTIFIER_LIST_COLUMNS);
  const [count, rows] = await Promise.all([
    identifiers(db, scope)
      .where(list.where)
      .select((eb) => eb.fn.countAll<number | string>().as('total'))
      .executeTakeFirstOrThrow(),
    selectIdentifiers(db, scope, list.where).orderBy(list.orderBy, list.direction).orderBy('c.id').limit(list.limit).offset(list.offset).execute(),
  ]);
  return { rows, total: Number(count.total) };
}

/** A time profile as an identifier names it. */
export interface ProfileRef {
  owner_id: number;
  id: number;
  link_id: string | null;
}

/** The time profiles attached to each of these identifiers, in profile id order. */
export async function timeProfilesOfIdentifiers(db: Queryable, siteId: number, ids: number[]): Promise<ProfileRef[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('credential_time_profile as ctp')
    .innerJoin('schedule as s', 's.id', 'ctp.schedule_id')
    .select(['ctp.credential_id as owner_id', 's.id', 's.link_id'])
    .where('ctp.site_id', '=', siteId)
    .where('ctp.credential_id', 'in', ids)
    .orderBy('s.id')
    .execute();
}

/** The columns the panel face may change on an identifier. */
type IdentifierColumn =
  | 'user_id'
  | 'name'
  | 'card_num'
  | 'identifier_type'
  | 'owner_type'
  | 'owner_name'
  | 'lock'
  | 'max_passes'
  | 'passes_left'
  | 'access_effective'
  | 'access_expires'
  | 'apartment_id'
  | 'link_id';

/** A BAS-IP identifier as inserted: a credential row with the panel's columns, and those fixed at its making. */
export type NewIdentifierRow = NewRow<'credential', IdentifierColumn | 'site_id' | 'credential_key' | 'panel_access' | 'created_by' | 'created_at'>;

export async function insertIdentifier(db: Queryable, row: NewIdentifierRow): Promise<number> {
  const inserted = await db.insertInto('credential').values(row).returning('id').executeTakeFirstOrThrow();
  return inserted.id;
}

export type IdentifierChanges = Pick<Updateable<CredentialTable>, IdentifierColumn>;

export async function updateIdentifier(db: Queryable, siteId: number, id: number, changes: IdentifierChanges): Promise<void> {
  if (Object.keys(changes).length === 0) return;
  await db.updateTable('credential').set(changes).where('site_id', '=', siteId).where('id', '=', id).execute();
}

/** Gives a pass-limited identifier its whole allowance again; unlimited ones stay as they are. */
export async function resetPasses(db: Queryable, siteId: number, id: number): Promise<void> {
  await db.updateTable('credential').set({ passes_left: sql<number>`max_passes` }).where('site_id', '=', siteId).where('id', '=', id).execute();
}

/** Of these ids, those of the site's credentials. */
export async function existingIdentifierIds(db: Queryable, { siteId, ownedBy }: IdentifierScope, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('credential')
    .select('id')
    .where('site_id', '=', siteId)
    .where('id', 'in', ids)
    .$if(ownedBy !== null, (qb) => qb.where('created_by', '=', ownedBy))
    .execute();
  return new Set(rows.map((r) => r.id));
}

export async function attachTimeProfile(db: Queryable, siteId: number, credentialId: number, scheduleId: number): Promise<void> {
  await db
    .insertInto('credential_time_profile')
    .values({ site_id: siteId, credential_id: credentialId, schedule_id: scheduleId })
    .onConflict((oc) => oc.columns(['credential_id', 'schedule_id']).doNothing())
    .execute();
}

export async function detachTimeProfile(db: Queryable, siteId: number, credentialId: number, scheduleId: number): Promise<void> {
  await db
    .deleteFrom('credential_time_profile')
    .where('site_id', '=', siteId)
    .where('credential_id', '=', credentialId)
    .where('schedule_id', '=', scheduleId)
    .execute();
}

/** Makes these the identifier's time profiles, and only these. */
export async function replaceTimeProfiles(db: Queryable, siteId: number, credentialId: number, scheduleIds: number[]): Promise<void> {
  await db.deleteFrom('credential_time_profile').where('site_id', '=', siteId).where('credential_id', '=', credentialId).execute();
  if (scheduleIds.length === 0) return;
  await db
    .insertInto('credential_time_profile')
    .values(scheduleIds.map((scheduleId) => ({ site_id: siteId, credential_id: credentialId, schedule_id: scheduleId })))
    .execute();
}
