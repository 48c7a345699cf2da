import type { Queryable } from '../../db/queryable.ts';

export async function isCardholder(db: Queryable, siteId: number, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('user')
    .select('id')
    .where('site_id', '=', siteId)
    .where('id', '=', userId)
    .where('role', '=', 'cardholder')
    .executeTakeFirst();
  return row !== undefined;
}

/** Replaces the personal fields of a user with placeholders; ids, credentials and assignments stay. */
export async function anonymizeUserRecord(db: Queryable, siteId: number, userId: number, placeholder: { first: string; last: string }, at: number): Promise<void> {
  await db
    .updateTable('user')
    .set({
      first_name: placeholder.first,
      last_name: placeholder.last,
      email: null,
      email_key: null,
      phone: '',
      id_num: null,
      pin_hash: null,
      updated_at: at,
    })
    .where('site_id', '=', siteId)
    .where('id', '=', userId)
    .execute();
}

/** Replaces the user's name and card number in every event that names them; returns how many. */
export async function anonymizeUserEvents(db: Queryable, siteId: number, userId: number, userName: string): Promise<number> {
  const result = await db
    .updateTable('event')
    .set({ user_name: userName, card_num: '' })
    .where('site_id', '=', siteId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
