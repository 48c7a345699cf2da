import { sql } from 'kysely';
import type { Queryable } from '../../db/queryable.ts';

/** A cardholder's names, or undefined when the id names no cardholder of the site. */
export async function findCardholderNames(
  db: Queryable,
  siteId: number,
  userId: number,
): Promise<{ first_name: string; last_name: string } | undefined> {
  return db
    .selectFrom('user')
    .select(['first_name', 'last_name'])
    .where('site_id', '=', siteId)
    .where('id', '=', userId)
    .where('role', '=', 'cardholder')
    .executeTakeFirst();
}

/** Replaces the personal fields of a user with placeholders; ids, credentials and assignments stay. */
export async function anonymizeUserRecord(
  db: Queryable,
  siteId: number,
  userId: number,
  placeholder: { first: string; last: string },
  at: number,
): Promise<void> {
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
      info: '',
      updated_at: at,
    })
    .where('site_id', '=', siteId)
    .where('id', '=', userId)
    .execute();
}

/** Clears the owner's name the panel face keeps on each of the user's identifiers. */
export async function anonymizeUserCredentials(db: Queryable, siteId: number, userId: number): Promise<void> {
  await db.updateTable('credential').set({ owner_name: '' }).where('site_id', '=', siteId).where('user_id', '=', userId).execute();
}

/**
 * Replaces the user's name and card number in every event that names them, and their former name where
 * an event's reason quotes it ("User Lovelace, Ada is disabled."); returns how many events.
 */
export async function anonymizeUserEvents(db: Queryable, siteId: number, userId: number, names: { from: string; to: string }): Promise<number> {
  const result = await db
    .updateTable('event')
    .set({
      user_name: names.to,
      card_num: '',
      ...(names.from === '' ? {} : { detail: sql<string>`replace(detail, ${names.from}, ${names.to})` }),
    })
    .where('site_id', '=', siteId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
