import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../src/db/queryable.ts';
import type { Insertable } from 'kysely';
import type { ApartmentTable, UserRole } from '../../src/db/schema.ts';
import { nameKey } from '../../src/domain/names.ts';

/**
 * Rows the access-level and delegate suites stand on, written straight to the store so those suites do
 * not depend on the door, schedule and user endpoints.
 */

const CREATED_AT = Date.UTC(2025, 0, 1);

export async function seedDoor(db: Queryable, siteId: number, name: string): Promise<number> {
  const row = await db
    .insertInto('door')
    .values({ site_id: siteId, name, name_key: nameKey(name), created_at: CREATED_AT })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Doors of these names, in order; returns their ids in the same order. */
export async function seedDoors<Names extends string[]>(db: Queryable, siteId: number, names: [...Names]): Promise<{ [K in keyof Names]: number }> {
  const ids: number[] = [];
  for (const name of names) ids.push(await seedDoor(db, siteId, name));
  // One id per name, in order: the tuple the mapped type states.
  return ids as { [K in keyof Names]: number };
}

/** A schedule open every day, all day. */
export async function seedSchedule(db: Queryable, siteId: number, name: string): Promise<number> {
  const row = await db
    .insertInto('schedule')
    .values({
      site_id: siteId,
      name,
      name_key: nameKey(name),
      d0: 1,
      d1: 1,
      d2: 1,
      d3: 1,
      d4: 1,
      d5: 1,
      d6: 1,
      start_time: '00:00:00',
      stop_time: '23:59:59',
      created_at: CREATED_AT,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function seedUser(db: Queryable, siteId: number, firstName: string, role: UserRole = 'cardholder'): Promise<number> {
  const row = await db
    .insertInto('user')
    .values({ site_id: siteId, role, first_name: firstName, last_name: 'Test', created_at: CREATED_AT, updated_at: CREATED_AT })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function grantAccessLevel(db: Queryable, siteId: number, userId: number, accessLevelId: number): Promise<void> {
  await db.insertInto('user_access_level').values({ site_id: siteId, user_id: userId, access_level_id: accessLevelId }).execute();
}

/** A cardholder granted the level and holding one card (`number` its card_num, `key` its credential_key); returns the user's id. */
export async function seedUserWithCard(
  db: Queryable,
  siteId: number,
  firstName: string,
  accessLevelId: number,
  card: { number: string; key: string },
): Promise<number> {
  const userId = await seedUser(db, siteId, firstName);
  await grantAccessLevel(db, siteId, userId, accessLevelId);
  await db
    .insertInto('credential')
    .values({ site_id: siteId, user_id: userId, name: 'Card', card_num: card.number, credential_key: card.key, created_at: 0 })
    .execute();
  return userId;
}

/** The ids of the levels a user holds, ascending. */
export async function accessLevelIdsOf(db: Queryable, userId: number): Promise<number[]> {
  const rows = await db.selectFrom('user_access_level').select('access_level_id').where('user_id', '=', userId).orderBy('access_level_id').execute();
  return rows.map((r) => r.access_level_id);
}

/** A BAS-IP rule admitting one day (2020-10-05, all day) and never again. */
export const ONE_DAY_RULE = {
  time_options: { is_all_day: true, date_from: 1601884800, date_to: 1601920800 },
  repeat_options: { repeat_enable: false },
};

/** A time profile (a schedule carrying a BAS-IP rule) of one day; returns its id. */
export async function seedOneDayTimeProfile(db: Queryable, siteId: number, name: string, linkId: string | null = null): Promise<number> {
  const row = await db
    .insertInto('schedule')
    .values({
      site_id: siteId,
      name,
      name_key: name.toLowerCase(),
      start_time: '00:00:00',
      stop_time: '23:59:59',
      created_at: 0,
      rule: JSON.stringify(ONE_DAY_RULE),
      link_id: linkId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** An apartment with these columns; returns its id. */
export async function seedApartment(
  db: Queryable,
  siteId: number,
  columns: Omit<Insertable<ApartmentTable>, 'site_id' | 'created_at'>,
): Promise<number> {
  const row = await db
    .insertInto('apartment')
    .values({ site_id: siteId, created_at: 0, ...columns })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** An identifier as the panel face makes one (a card unless `type` says otherwise, no limit unless `passes`); returns its id. */
export async function seedPanelIdentifier(
  db: Queryable,
  siteId: number,
  number: string,
  { type = 'card', lock, passes = null, createdAt }: { type?: string; lock?: string; passes?: number | null; createdAt: number },
): Promise<number> {
  const row = await db
    .insertInto('credential')
    .values({
      site_id: siteId,
      name: `Identifier ${number}`,
      card_num: number,
      credential_key: randomUUID(),
      identifier_type: type,
      ...(lock === undefined ? {} : { lock }),
      panel_access: 1,
      max_passes: passes,
      passes_left: passes,
      created_at: createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
