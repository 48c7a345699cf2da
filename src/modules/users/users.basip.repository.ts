import { type Selectable, type Updateable, sql } from 'kysely';
import type { Queryable } from '../../db/queryable.ts';
import type { ApartmentTable, UserTable } from '../../db/schema.ts';
import type { ListField, ListQuery } from '../../http/basip/list-query.ts';

/**
 * The panel face's queries over users: only cardholders (the panel's users are the people who hold
 * identifiers; operators never appear), with the panel's columns, apartments and time profiles.
 */

/** A user's name as the panel shows it, "First Last", in SQL (what the list filters and sorts on). */
export const USER_NAME = sql<string>`trim(u.first_name || ' ' || u.last_name)`;

/** What `GET /access/users/items` filters and sorts on. */
export const USER_LIST_FIELDS: Record<string, ListField> = {
  item_uid: { expr: sql.ref('u.id'), type: 'integer' },
  name: { expr: USER_NAME, type: 'text' },
  info: { expr: sql.ref('u.info'), type: 'text' },
  lock_number: { expr: sql.ref('u.lock_number'), type: 'integer' },
  is_custom_user_access: { expr: sql.ref('u.is_custom_user_access'), type: 'boolean' },
  link_id: { expr: sql.ref('u.link_id'), type: 'text', sortable: false },
};

export interface BasipUserRow {
  id: number;
  first_name: string;
  last_name: string;
  info: string;
  auth_factors: string;
  lock_number: number;
  is_custom_user_access: number;
  link_id: string | null;
}

const COLUMNS = ['u.id', 'u.first_name', 'u.last_name', 'u.info', 'u.auth_factors', 'u.lock_number', 'u.is_custom_user_access', 'u.link_id'] as const;

function cardholders(db: Queryable, siteId: number) {
  return db.selectFrom('user as u').where('u.site_id', '=', siteId).where('u.role', '=', 'cardholder');
}

export function findBasipUser(db: Queryable, siteId: number, id: number): Promise<BasipUserRow | undefined> {
  return cardholders(db, siteId).select(COLUMNS).where('u.id', '=', id).executeTakeFirst();
}

export function findUserByLinkId(db: Queryable, siteId: number, linkId: string): Promise<BasipUserRow | undefined> {
  return cardholders(db, siteId).select(COLUMNS).where('u.link_id', '=', linkId).executeTakeFirst();
}

/** The first user with this name that no link_id names yet: what a link upsert may adopt. */
export function findUnlinkedUserByName(db: Queryable, siteId: number, name: string): Promise<BasipUserRow | undefined> {
  return cardholders(db, siteId)
    .select(COLUMNS)
    .where(sql<boolean>`${USER_NAME} = ${name}`)
    .where('u.link_id', 'is', null)
    .orderBy('u.id')
    .executeTakeFirst();
}

/** Whether a user other than `self` has this name. */
export async function nameTakenByAnother(db: Queryable, siteId: number, name: string, self: number): Promise<boolean> {
  const row = await cardholders(db, siteId)
    .select('u.id')
    .where(sql<boolean>`${USER_NAME} = ${name}`)
    .where('u.id', '!=', self)
    .executeTakeFirst();
  return row !== undefined;
}

export async function listBasipUsers(db: Queryable, siteId: number, list: ListQuery): Promise<{ rows: BasipUserRow[]; total: number }> {
  const [count, rows] = await Promise.all([
    cardholders(db, siteId)
      .where(list.where)
      .select((eb) => eb.fn.countAll<number | string>().as('total'))
      .executeTakeFirstOrThrow(),
    cardholders(db, siteId)
      .select(COLUMNS)
      .where(list.where)
      .orderBy(list.orderBy, list.direction)
      .orderBy('u.id')
      .limit(list.limit)
      .offset(list.offset)
      .execute(),
  ]);
  return { rows, total: Number(count.total) };
}

export async function usersByLinkIds(db: Queryable, siteId: number, linkIds: string[]): Promise<BasipUserRow[]> {
  if (linkIds.length === 0) return [];
  return cardholders(db, siteId).select(COLUMNS).where('u.link_id', 'in', linkIds).execute();
}

/** The panel's columns of a user, and its name split into Lockt's two. */
export type BasipUserColumns = Pick<
  Updateable<UserTable>,
  'first_name' | 'last_name' | 'info' | 'auth_factors' | 'lock_number' | 'is_custom_user_access' | 'link_id'
>;

export async function insertBasipUser(db: Queryable, siteId: number, columns: BasipUserColumns, now: number): Promise<number> {
  const row = await db
    .insertInto('user')
    .values({ ...columns, site_id: siteId, role: 'cardholder', id_num: null, email: null, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateBasipUser(db: Queryable, siteId: number, id: number, columns: BasipUserColumns, now: number): Promise<void> {
  await db
    .updateTable('user')
    .set({ ...columns, updated_at: now })
    .where('site_id', '=', siteId)
    .where('role', '=', 'cardholder')
    .where('id', '=', id)
    .execute();
}

/** Gives the credential to the user (a credential has one holder at most). */
export async function assignCredential(db: Queryable, siteId: number, credentialId: number, userId: number): Promise<void> {
  await db.updateTable('credential').set({ user_id: userId }).where('site_id', '=', siteId).where('id', '=', credentialId).execute();
}

export async function attachUserTimeProfile(db: Queryable, siteId: number, userId: number, scheduleId: number): Promise<void> {
  await db
    .insertInto('user_time_profile')
    .values({ site_id: siteId, user_id: userId, schedule_id: scheduleId })
    .onConflict((oc) => oc.columns(['user_id', 'schedule_id']).doNothing())
    .execute();
}

/** The apartments of each of these users, in apartment id order. */
export async function apartmentsOfUsers(
  db: Queryable,
  siteId: number,
  userIds: number[],
): Promise<(Selectable<ApartmentTable> & { user_id: number })[]> {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('user_apartment as ua')
    .innerJoin('apartment as a', 'a.id', 'ua.apartment_id')
    .selectAll('a')
    .select('ua.user_id')
    .where('ua.site_id', '=', siteId)
    .where('ua.user_id', 'in', userIds)
    .orderBy('a.id')
    .execute();
}

/** The time profiles attached to each of these users, in profile id order. */
export async function timeProfilesOfUsers(
  db: Queryable,
  siteId: number,
  userIds: number[],
): Promise<{ user_id: number; id: number; name: string; rule: string | null; link_id: string | null }[]> {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('user_time_profile as utp')
    .innerJoin('schedule as s', 's.id', 'utp.schedule_id')
    .select(['utp.user_id', 's.id', 's.name', 's.rule', 's.link_id'])
    .where('utp.site_id', '=', siteId)
    .where('utp.user_id', 'in', userIds)
    .orderBy('s.id')
    .execute();
}
