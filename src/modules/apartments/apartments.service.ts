import { findPanelUser } from '../users/users.repository.ts';
import { writeTransaction } from '../../db/change-feed.ts';
import { isUniqueViolation } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { ListRequest } from '../../db/list-query.ts';
import type { ActorCall } from '../../domain/site.ts';
import * as repo from './apartments.repository.ts';

const RESOURCE = 'apartment';
export const WRONG_APARTMENT_UID = 'Wrong Apartment uid';
export const WRONG_USER_UID = 'Wrong User uid';
/** A well-formed uid naming no apartment of the site: 404, as for users and identifiers (docs/api-differences.md). */
const apartmentNotFound = () => ERRORS.notFound('Apartment not found');
const WRONG_ADDRESS = 'Wrong Logical Address';

export interface ApartmentInput {
  apartment_address: unknown;
  apartment_name: string;
  residents?: { count?: number | null | undefined } | undefined;
  photo_path?: string | null | undefined;
  route_path?: string | null | undefined;
}

/** The limits of each part of a logical address, as the panel documents them. */
const ADDRESS_RANGE: Record<keyof repo.LogicalAddress, [number, number]> = {
  building: [1, 9999],
  unit: [0, 99],
  floor: [0, 98],
  room: [0, 99],
};

/** The address, or the panel's "Wrong Logical Address" for anything missing, mistyped or out of range. */
export function readLogicalAddress(value: unknown): repo.LogicalAddress {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw ERRORS.badRequest(WRONG_ADDRESS);
  const part = (name: keyof repo.LogicalAddress): number => {
    const n: unknown = Reflect.get(value, name);
    const [min, max] = ADDRESS_RANGE[name];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw ERRORS.badRequest(WRONG_ADDRESS);
    return n;
  };
  return { building: part('building'), unit: part('unit'), floor: part('floor'), room: part('room') };
}

const show = (a: repo.LogicalAddress) => `${a.building}-${a.unit}-${a.floor}-${a.room}`;
const addressTaken = (a: repo.LogicalAddress) => ERRORS.badRequest(`Logical Address Already Exists: ${show(a)}`);

/** Creates an apartment at a free logical address of the site. */
export async function createApartment(db: Queryable, { site, actor, now }: ActorCall, input: ApartmentInput): Promise<number> {
  const address = readLogicalAddress(input.apartment_address);
  try {
    return await writeTransaction(
      db,
      site.id,
      async (trx) => {
        if (await repo.isAddressTaken(trx, site.id, address)) throw addressTaken(address);
        return repo.insertApartment(trx, {
          site_id: site.id,
          ...address,
          name: input.apartment_name,
          residents_count: input.residents?.count ?? null,
          photo_path: input.photo_path ?? null,
          route_path: input.route_path ?? null,
          created_at: now,
        });
      },
      { of: (id) => ({ actor, resource: RESOURCE, action: 'write', recordIds: [id], detail: { inserted: 1 } }), at: now },
    );
  } catch (error) {
    // A concurrent create took the address between the check and the insert.
    if (isUniqueViolation(error)) throw addressTaken(address);
    throw error;
  }
}

export async function getApartment(db: Queryable, siteId: number, uid: number): Promise<repo.ApartmentRow> {
  const row = await repo.findApartment(db, siteId, uid);
  if (!row) throw apartmentNotFound();
  return row;
}

export async function listApartments(db: Queryable, siteId: number, list: ListRequest): Promise<{ rows: repo.ApartmentRow[]; total: number }> {
  const [rows, total] = await Promise.all([repo.listApartments(db, siteId, list), repo.countApartments(db, siteId, list)]);
  return { rows, total };
}

/** Deletes an apartment: its users stay (no longer members), its identifiers stay (with no apartment). */
export async function deleteApartment(db: Queryable, { site, actor, now }: ActorCall, uid: number): Promise<void> {
  await writeTransaction(
    db,
    site.id,
    async (trx) => {
      if ((await repo.deleteApartment(trx, site.id, uid)) === 0) throw apartmentNotFound();
      return uid;
    },
    { of: (id) => ({ actor, resource: RESOURCE, action: 'delete', recordIds: [id], detail: { deleted: 1 } }), at: now },
  );
}

/** Makes a cardholder of the site a member of the apartment; a second time changes nothing. */
export async function addUserToApartment(db: Queryable, { site, actor, now }: ActorCall, apartmentUid: number, userUid: number): Promise<void> {
  await writeTransaction(
    db,
    site.id,
    async (trx) => {
      await getApartment(trx, site.id, apartmentUid);
      if (!(await findPanelUser(trx, site.id, userUid))) throw ERRORS.notFound('User not found');
      return repo.addUser(trx, site.id, apartmentUid, userUid);
    },
    {
      of: (added) =>
        added ? { actor, resource: 'user_apartment', action: 'write', recordIds: [apartmentUid, userUid], detail: { inserted: 1 } } : undefined,
      at: now,
    },
  );
}
