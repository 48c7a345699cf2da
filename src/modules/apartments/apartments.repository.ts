import { type Insertable, type Selectable, sql } from 'kysely';
import type { Queryable } from '../../db/queryable.ts';
import type { ApartmentTable } from '../../db/schema.ts';
import { type ListColumns, type ListRequest, listQueryOf, pageOf } from '../../db/list-query.ts';

export type ApartmentRow = Selectable<ApartmentTable>;

/** What a list of apartments filters and sorts on. */
export const APARTMENT_LIST_COLUMNS: ListColumns<'id' | 'name' | 'building' | 'unit' | 'floor' | 'room'> = {
  id: { expr: sql.ref('id'), type: 'integer' },
  name: { expr: sql.ref('name'), type: 'text' },
  building: { expr: sql.ref('building'), type: 'integer' },
  unit: { expr: sql.ref('unit'), type: 'integer' },
  floor: { expr: sql.ref('floor'), type: 'integer' },
  room: { expr: sql.ref('room'), type: 'integer' },
};

export function findApartment(db: Queryable, siteId: number, id: number): Promise<ApartmentRow | undefined> {
  return db.selectFrom('apartment').selectAll().where('site_id', '=', siteId).where('id', '=', id).executeTakeFirst();
}

export function listApartments(db: Queryable, siteId: number, request: ListRequest): Promise<ApartmentRow[]> {
  const list = listQueryOf(request, APARTMENT_LIST_COLUMNS);
  return pageOf(db.selectFrom('apartment').selectAll().where('site_id', '=', siteId), list, 'id').execute();
}

export async function countApartments(db: Queryable, siteId: number, request: ListRequest): Promise<number> {
  const list = listQueryOf(request, APARTMENT_LIST_COLUMNS);
  const row = await db
    .selectFrom('apartment')
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .where('site_id', '=', siteId)
    .where(list.where)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export interface LogicalAddress {
  building: number;
  unit: number;
  floor: number;
  room: number;
}

export async function isAddressTaken(db: Queryable, siteId: number, address: LogicalAddress): Promise<boolean> {
  const row = await db
    .selectFrom('apartment')
    .select('id')
    .where('site_id', '=', siteId)
    .where('building', '=', address.building)
    .where('unit', '=', address.unit)
    .where('floor', '=', address.floor)
    .where('room', '=', address.room)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertApartment(db: Queryable, row: Insertable<ApartmentTable>): Promise<number> {
  const inserted = await db.insertInto('apartment').values(row).returning('id').executeTakeFirstOrThrow();
  return inserted.id;
}

/** Deletes the apartment; its users' memberships go with it and its identifiers keep no apartment (foreign keys). */
export async function deleteApartment(db: Queryable, siteId: number, id: number): Promise<number> {
  const result = await db.deleteFrom('apartment').where('site_id', '=', siteId).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Makes the user a member of the apartment; already being one changes nothing. */
export async function addUser(db: Queryable, siteId: number, apartmentId: number, userId: number): Promise<boolean> {
  const result = await db
    .insertInto('user_apartment')
    .values({ site_id: siteId, apartment_id: apartmentId, user_id: userId })
    .onConflict((oc) => oc.columns(['user_id', 'apartment_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function apartmentIdByLinkId(db: Queryable, siteId: number, linkId: string): Promise<number | undefined> {
  const row = await db.selectFrom('apartment').select('id').where('site_id', '=', siteId).where('link_id', '=', linkId).executeTakeFirst();
  return row?.id;
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
