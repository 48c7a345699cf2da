import type { Columns, NewRow } from '../../db/schema.ts';
import { isStorableId } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';

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
  return db
    .selectFrom('credential as c')
    .leftJoin('user as u', (join) => join.onRef('u.id', '=', 'c.user_id').on('u.site_id', '=', siteId))
    .select(['c.id', 'c.name', 'c.card_num', 'c.credential_key', 'c.claimed_at', 'c.user_id', 'u.first_name', 'u.last_name'])
    .where('c.site_id', '=', siteId)
    .$if(filter.id !== undefined, (q) => q.where('c.id', '=', filter.id as number))
    .$if(filter.userId !== undefined, (q) => q.where('c.user_id', '=', filter.userId as number))
    .$if(filter.cardNum !== undefined, (q) => q.where('c.card_num', '=', filter.cardNum as string))
    .where('c.id', '>', afterId)
    .orderBy('c.id')
    .limit(limit)
    .execute();
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
  const rows = await db
    .selectFrom('credential')
    .select(['id', 'card_num'])
    .where('site_id', '=', siteId)
    .where('card_num', 'in', cardNums)
    .execute();
  return new Map(rows.map((r) => [r.card_num as string, r.id]));
}

export type NewCredentialRow = NewRow<
  'credential',
  'site_id' | 'user_id' | 'is_fob' | 'name' | 'name_key' | 'id_num' | 'card_num' | 'credential_key' | 'access_effective' | 'access_expires' | 'created_at'
>;

/** Inserts credentials; returns their new ids. */
export async function insertCredentials(db: Queryable, rows: NewCredentialRow[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const inserted = await db.insertInto('credential').values(rows).returning('id').execute();
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
  const rows = await db
    .selectFrom('credential')
    .select('credential_key')
    .where('site_id', '=', siteId)
    .where('credential_key', 'in', keys)
    .execute();
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
