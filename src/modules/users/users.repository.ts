import { type Updateable, sql } from 'kysely';
import { isStorableId } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import type { Columns, NewRow, UserRole, UserTable } from '../../db/schema.ts';
import { insertRows } from '../../db/insert-rows.ts';
import { existingIdsIn } from '../../db/site-lookups.ts';
import { valuesById } from '../../db/values-by-id.ts';
import { groupBy, idsBy } from '../../lib/group-by.ts';
import { type ListColumns, type ListRequest, listQueryOf } from '../../db/list-query.ts';
import type { HeldCredentialRow } from '../credentials/credentials.repository.ts';
import { cardholderWithHoldings } from './users.statements.ts';

export type UserRow = Columns<
  'user',
  | 'id'
  | 'role'
  | 'id_num'
  | 'first_name'
  | 'last_name'
  | 'email'
  | 'phone'
  | 'pin_hash'
  | 'username'
  | 'enabled'
  | 'access_effective'
  | 'access_expires'
>;

export const USER_COLUMNS = [
  'id',
  'role',
  'id_num',
  'first_name',
  'last_name',
  'email',
  'phone',
  'pin_hash',
  'username',
  'enabled',
  'access_effective',
  'access_expires',
] as const;

/** Which users a list shows: cardholders (optionally those holding no credential), or operators by role. */
export interface UserListFilter {
  roles: readonly UserRole[];
  missingCredentials?: boolean;
  id?: number | undefined;
  idNum?: string | undefined;
}

export async function listUsers(db: Queryable, siteId: number, filter: UserListFilter, afterId: number, limit: number): Promise<UserRow[]> {
  // An id no row can hold matches nothing (and PostgreSQL would refuse to compare it).
  if (filter.id !== undefined && !isStorableId(filter.id)) return [];
  let query = db.selectFrom('user').select(USER_COLUMNS).where('site_id', '=', siteId).where('role', 'in', filter.roles);
  if (filter.id !== undefined) query = query.where('id', '=', filter.id);
  if (filter.idNum !== undefined) query = query.where('id_num', '=', filter.idNum);
  return query
    .$if(filter.missingCredentials === true, (q) =>
      q.where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('credential').select('credential.id').whereRef('credential.user_id', '=', 'user.id').where('credential.site_id', '=', siteId),
          ),
        ),
      ),
    )
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** The site's key for PIN hashes: read only where a PIN is hashed, never carried around. */
export async function pinSecretOf(db: Queryable, siteId: number): Promise<string> {
  const row = await db.selectFrom('site').select('pin_secret').where('id', '=', siteId).executeTakeFirstOrThrow();
  return row.pin_secret;
}

export interface AccessWindow {
  access_effective: number | null;
  access_expires: number | null;
}

/** Of these ids, the site's cardholders (operators are not users of the Lockt API), with their access windows. */
export async function cardholderWindows(db: Queryable, siteId: number, ids: number[]): Promise<Map<number, AccessWindow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('user')
    .select(['id', 'access_effective', 'access_expires'])
    .where('site_id', '=', siteId)
    .where('role', '=', 'cardholder')
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map(({ id, ...window }) => [id, window]));
}

/** The users of the site holding these id_nums, by id_num. */
export async function userIdsByIdNum(db: Queryable, siteId: number, idNums: string[]): Promise<Map<string, number>> {
  if (idNums.length === 0) return new Map();
  const rows = await db.selectFrom('user').select(['id', 'id_num']).where('site_id', '=', siteId).where('id_num', 'in', idNums).execute();
  return idsBy(rows, 'id_num');
}

/** The users of the site holding these (lower-cased) emails, by email key. */
export async function userIdsByEmailKey(db: Queryable, siteId: number, keys: string[]): Promise<Map<string, number>> {
  if (keys.length === 0) return new Map();
  const rows = await db.selectFrom('user').select(['id', 'email_key']).where('site_id', '=', siteId).where('email_key', 'in', keys).execute();
  return idsBy(rows, 'email_key');
}

/** The users of the site holding each of these PIN hashes (several, if PINs were not always unique). */
export async function userIdsByPinHash(db: Queryable, siteId: number, hashes: string[]): Promise<Map<string, number[]>> {
  const holders = new Map<string, number[]>();
  if (hashes.length === 0) return holders;
  const rows = await db.selectFrom('user').select(['id', 'pin_hash']).where('site_id', '=', siteId).where('pin_hash', 'in', hashes).execute();
  for (const [hash, holding] of groupBy(rows, (row) => row.pin_hash))
    if (hash !== null)
      holders.set(
        hash,
        holding.map((row) => row.id),
      );
  return holders;
}

const CARDHOLDER_COLUMNS = [
  'site_id',
  'id_num',
  'first_name',
  'last_name',
  'email',
  'email_key',
  'phone',
  'pin_hash',
  'enabled',
  'access_effective',
  'access_expires',
  'created_at',
  'updated_at',
] as const;

export type NewCardholderRow = NewRow<'user', (typeof CARDHOLDER_COLUMNS)[number]> & { id_num: string; email: string; email_key: string };

/** Inserts cardholders; returns their new ids by id_num, which is unique and set for every cardholder. */
export async function insertCardholders(db: Queryable, rows: NewCardholderRow[]): Promise<Map<string, number>> {
  const inserted = await insertRows(db, 'user', CARDHOLDER_COLUMNS, rows, { returning: ['id', 'id_num'] });
  return idsBy(inserted, 'id_num');
}

/** The columns an update of a cardholder may change. */
export type UserChanges = Pick<
  Updateable<UserTable>,
  'id_num' | 'first_name' | 'last_name' | 'email' | 'email_key' | 'phone' | 'pin_hash' | 'enabled' | 'access_effective' | 'access_expires'
>;

/** Applies each cardholder's own changes, all in one statement. */
export async function updateCardholders(db: Queryable, siteId: number, updates: { id: number; changes: UserChanges }[], now: number): Promise<void> {
  if (updates.length === 0) return;
  await db
    .updateTable('user')
    .set({ ...valuesById(updates), updated_at: now })
    .where('site_id', '=', siteId)
    .where(
      'id',
      'in',
      updates.map((u) => u.id),
    )
    .execute();
}

export async function deleteUsers(db: Queryable, siteId: number, ids: number[]): Promise<number> {
  const result = await db.deleteFrom('user').where('site_id', '=', siteId).where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** An access level as a user's record names it. */
export interface LevelRef {
  id: number;
  name: string;
}

/**
 * Access levels belong to their own module; these few reads and writes of `access_level` and
 * `user_access_level` are the ones a user's record needs.
 */
export function existingAccessLevelIds(db: Queryable, siteId: number, ids: number[]): Promise<Set<number>> {
  return existingIdsIn(db, 'access_level', siteId, ids);
}

/** Each user's access levels, in level id order. */
export async function levelsOfUsers(db: Queryable, siteId: number, userIds: number[]): Promise<Map<number, LevelRef[]>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('user_access_level as ual')
    .innerJoin('access_level as al', 'al.id', 'ual.access_level_id')
    .select(['ual.user_id', 'al.id', 'al.name'])
    .where('ual.site_id', '=', siteId)
    .where('ual.user_id', 'in', userIds)
    .orderBy('al.id')
    .execute();
  const byUser = groupBy(rows, (row) => row.user_id);
  return new Map([...byUser].map(([userId, held]) => [userId, held.map((row): LevelRef => ({ id: row.id, name: row.name }))]));
}

/** A cardholder with the access levels and credentials it holds (each in id order), as `GET /user?id=` shows it. */
export interface CardholderHoldings {
  row: UserRow;
  levels: LevelRef[];
  credentials: HeldCredentialRow[];
}

/** The cardholder `id` with its levels and credentials, if its id is above `afterId`: the `?id=` lookup, in one read. */
export async function findCardholderWithHoldings(
  db: Queryable,
  siteId: number,
  id: number,
  afterId: number,
): Promise<CardholderHoldings | undefined> {
  const rows = await cardholderWithHoldings.rows(db, { siteId, id, afterId });
  const first = rows[0];
  if (!first) return undefined;
  // Every row carries the cardholder's columns; the first gives them, without its own holding.
  const { held_credential, held_id, held_name, held_is_fob, held_card_num, held_key, ...row } = first;
  const levels: LevelRef[] = [];
  const credentials: HeldCredentialRow[] = [];
  for (const holding of rows) {
    const id = holding.held_id;
    const name = holding.held_name;
    // Null on the one row of a cardholder holding nothing; a level's row has its credential columns null.
    if (id === null || name === null) continue;
    if (holding.held_credential === 1 && holding.held_is_fob !== null && holding.held_key !== null) {
      credentials.push({ id, user_id: row.id, is_fob: holding.held_is_fob, name, card_num: holding.held_card_num, credential_key: holding.held_key });
    } else levels.push({ id, name });
  }
  return { row, levels, credentials };
}

export async function clearLevelsOfUsers(db: Queryable, siteId: number, userIds: number[]): Promise<void> {
  if (userIds.length === 0) return;
  await db.deleteFrom('user_access_level').where('site_id', '=', siteId).where('user_id', 'in', userIds).execute();
}

/** Grants levels; a level the user already holds is left as it is. */
export async function grantLevels(db: Queryable, rows: { site_id: number; user_id: number; access_level_id: number }[]): Promise<void> {
  await insertRows(db, 'user_access_level', ['site_id', 'user_id', 'access_level_id'], rows, { onConflictDoNothing: ['user_id', 'access_level_id'] });
}

export type OperatorRow = Columns<'user', 'id' | 'role' | 'username' | 'first_name' | 'last_name' | 'enabled' | 'rate_limit' | 'identifier_scope'>;

const OPERATOR_COLUMNS = ['id', 'role', 'username', 'first_name', 'last_name', 'enabled', 'rate_limit', 'identifier_scope'] as const;

export function insertOperator(
  db: Queryable,
  row: {
    site_id: number;
    role: UserRole;
    username: string;
    username_key: string;
    password_hash: string;
    first_name: string;
    last_name: string;
    identifier_scope: string;
    created_at: number;
    updated_at: number;
  },
): Promise<OperatorRow> {
  return db.insertInto('user').values(row).returning(OPERATOR_COLUMNS).executeTakeFirstOrThrow();
}

export async function usernameKeyTaken(db: Queryable, siteId: number, key: string): Promise<boolean> {
  const row = await db.selectFrom('user').select('id').where('site_id', '=', siteId).where('username_key', '=', key).executeTakeFirst();
  return row !== undefined;
}

export function listOperators(db: Queryable, siteId: number, roles: readonly UserRole[]): Promise<OperatorRow[]> {
  return db.selectFrom('user').select(OPERATOR_COLUMNS).where('site_id', '=', siteId).where('role', 'in', roles).orderBy('id').execute();
}

/** One operator of the site by folded username. */
export function findOperator(db: Queryable, siteId: number, usernameKey: string, roles: readonly UserRole[]): Promise<OperatorRow | undefined> {
  return db
    .selectFrom('user')
    .select(OPERATOR_COLUMNS)
    .where('site_id', '=', siteId)
    .where('username_key', '=', usernameKey)
    .where('role', 'in', roles)
    .executeTakeFirst();
}

/** What managing an operator account may change. */
export interface OperatorChanges {
  enabled?: number;
  role?: UserRole;
  password_hash?: string;
  rate_limit?: number | null;
  identifier_scope?: string;
}

export async function updateOperator(db: Queryable, siteId: number, userId: number, changes: OperatorChanges, now: number): Promise<void> {
  await db
    .updateTable('user')
    .set({ ...changes, updated_at: now })
    .where('site_id', '=', siteId)
    .where('id', '=', userId)
    .execute();
}

/** Removes an operator account; its sessions go with it (the foreign key cascades). */
export async function deleteOperator(db: Queryable, siteId: number, userId: number): Promise<void> {
  await db.deleteFrom('user').where('site_id', '=', siteId).where('id', '=', userId).execute();
}

/**
 * The panel face's reads and writes of users: only cardholders (the panel's users are the people who
 * hold identifiers; operators never appear), with the panel's columns.
 */

/** A user's name as the panel shows it, "First Last", in SQL (what the list filters and sorts on). */
export const USER_NAME = sql<string>`trim(u.first_name || ' ' || u.last_name)`;

/** What a list of the panel's users filters and sorts on. */
export const USER_LIST_COLUMNS: ListColumns<'id' | 'name' | 'info' | 'lockNumber' | 'customAccess' | 'linkId'> = {
  id: { expr: sql.ref('u.id'), type: 'integer' },
  name: { expr: USER_NAME, type: 'text' },
  info: { expr: sql.ref('u.info'), type: 'text' },
  lockNumber: { expr: sql.ref('u.lock_number'), type: 'integer' },
  customAccess: { expr: sql.ref('u.is_custom_user_access'), type: 'boolean' },
  linkId: { expr: sql.ref('u.link_id'), type: 'text', sortable: false },
};

export interface PanelUserRow {
  id: number;
  first_name: string;
  last_name: string;
  info: string;
  auth_factors: string;
  lock_number: number;
  is_custom_user_access: number;
  link_id: string | null;
}

const PANEL_USER_COLUMNS = [
  'u.id',
  'u.first_name',
  'u.last_name',
  'u.info',
  'u.auth_factors',
  'u.lock_number',
  'u.is_custom_user_access',
  'u.link_id',
] as const;

function cardholders(db: Queryable, siteId: number) {
  return db.selectFrom('user as u').where('u.site_id', '=', siteId).where('u.role', '=', 'cardholder');
}

export function findPanelUser(db: Queryable, siteId: number, id: number): Promise<PanelUserRow | undefined> {
  return cardholders(db, siteId).select(PANEL_USER_COLUMNS).where('u.id', '=', id).executeTakeFirst();
}

export function findUserByLinkId(db: Queryable, siteId: number, linkId: string): Promise<PanelUserRow | undefined> {
  return cardholders(db, siteId).select(PANEL_USER_COLUMNS).where('u.link_id', '=', linkId).executeTakeFirst();
}

/** The first user with this name that no link_id names yet: what a link upsert may adopt. */
export function findUnlinkedUserByName(db: Queryable, siteId: number, name: string): Promise<PanelUserRow | undefined> {
  return cardholders(db, siteId)
    .select(PANEL_USER_COLUMNS)
    .where(sql<boolean>`${USER_NAME} = ${name}`)
    .where('u.link_id', 'is', null)
    .orderBy('u.id')
    .executeTakeFirst();
}

/** Whether a user other than `self` has this name. */
export async function nameTakenByAnother(db: Queryable, siteId: number, name: string, self: number): Promise<boolean> {
  const row = await cardholders(db, siteId).select('u.id').where(sql<boolean>`${USER_NAME} = ${name}`).where('u.id', '!=', self).executeTakeFirst();
  return row !== undefined;
}

export async function listPanelUsers(db: Queryable, siteId: number, request: ListRequest): Promise<{ rows: PanelUserRow[]; total: number }> {
  const list = listQueryOf(request, USER_LIST_COLUMNS);
  const [count, rows] = await Promise.all([
    cardholders(db, siteId)
      .where(list.where)
      .select((eb) => eb.fn.countAll<number | string>().as('total'))
      .executeTakeFirstOrThrow(),
    cardholders(db, siteId)
      .select(PANEL_USER_COLUMNS)
      .where(list.where)
      .orderBy(list.orderBy, list.direction)
      .orderBy('u.id')
      .limit(list.limit)
      .offset(list.offset)
      .execute(),
  ]);
  return { rows, total: Number(count.total) };
}

export async function usersByLinkIds(db: Queryable, siteId: number, linkIds: string[]): Promise<PanelUserRow[]> {
  if (linkIds.length === 0) return [];
  return cardholders(db, siteId).select(PANEL_USER_COLUMNS).where('u.link_id', 'in', linkIds).execute();
}

/** The panel's columns of a user, and its name split into Lockt's two. */
export type PanelUserColumns = Pick<
  Updateable<UserTable>,
  'first_name' | 'last_name' | 'info' | 'auth_factors' | 'lock_number' | 'is_custom_user_access' | 'link_id'
>;

export async function insertPanelUser(db: Queryable, siteId: number, columns: PanelUserColumns, now: number): Promise<number> {
  const row = await db
    .insertInto('user')
    .values({ ...columns, site_id: siteId, role: 'cardholder', id_num: null, email: null, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updatePanelUser(db: Queryable, siteId: number, id: number, columns: PanelUserColumns, now: number): Promise<void> {
  await db
    .updateTable('user')
    .set({ ...columns, updated_at: now })
    .where('site_id', '=', siteId)
    .where('role', '=', 'cardholder')
    .where('id', '=', id)
    .execute();
}
