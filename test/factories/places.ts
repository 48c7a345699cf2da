import { expect } from 'vitest';
import type { Queryable } from '../../src/db/queryable.ts';
import type { UserRole } from '../../src/db/schema.ts';
import { nameKey } from '../../src/domain/names.ts';
import type { Harness, Response } from '../harness.ts';

/**
 * What the door, location, door-state and schedule suites stand on. Users, access levels and device
 * reports are written straight to the store, so these suites do not wait on the modules that own them.
 */

const CREATED_AT = Date.UTC(2025, 0, 1);

/** A user of the site (a cardholder unless `role` says otherwise); returns its id. */
export async function seedPlacesUser(
  db: Queryable,
  siteId: number,
  { idNum = null, role = 'cardholder' }: { idNum?: string | null; role?: UserRole } = {},
): Promise<number> {
  const row = await db
    .insertInto('user')
    .values({
      site_id: siteId,
      role,
      id_num: idNum,
      first_name: 'Pat',
      last_name: 'Places',
      created_at: CREATED_AT,
      updated_at: CREATED_AT,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** An access level granting these doors (on `scheduleId`, or at all times); returns its id. */
export async function seedAccessLevel(
  db: Queryable,
  siteId: number,
  name: string,
  doorIds: number[],
  { scheduleId = null, delegate = false }: { scheduleId?: number | null; delegate?: boolean } = {},
): Promise<number> {
  const level = await db
    .insertInto('access_level')
    .values({ site_id: siteId, name, name_key: nameKey(name), is_delegate: delegate ? 1 : 0, created_at: CREATED_AT })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (doorIds.length > 0) {
    await db
      .insertInto('access_level_door')
      .values(doorIds.map((doorId) => ({ site_id: siteId, access_level_id: level.id, door_id: doorId, schedule_id: scheduleId })))
      .execute();
  }
  return level.id;
}

/** Gives the user the access level. */
export async function assignAccessLevel(db: Queryable, siteId: number, userId: number, accessLevelId: number): Promise<void> {
  await db.insertInto('user_access_level').values({ site_id: siteId, user_id: userId, access_level_id: accessLevelId }).execute();
}

/** What a door's device would report: the battery level. */
export async function reportDoorState(db: Queryable, siteId: number, doorId: number, batteryLevel: number | null): Promise<void> {
  await db
    .insertInto('door_state')
    .values({ door_id: doorId, site_id: siteId, battery_level: batteryLevel, online: 1, door_open: 0, reported_at: CREATED_AT })
    .execute();
}

/** The door ids of an access level, ascending. */
export async function doorIdsOfLevel(db: Queryable, accessLevelId: number): Promise<number[]> {
  const rows = await db.selectFrom('access_level_door').select('door_id').where('access_level_id', '=', accessLevelId).orderBy('door_id').execute();
  return rows.map((r) => r.door_id);
}

/** The ids of a list, in the order it came. */
export const idsOf = (response: Response): number[] => (response.body.data as { id: number }[]).map((item) => item.id);

/** The names of a list, in the order it came. */
export const namesOf = (response: Response): string[] => (response.body.data as { name: string }[]).map((item) => item.name);

/**
 * Sends one batch under both modes and returns both answers: first with validate_fails_batch true, which
 * must fail with 400 and leave `state()` as it was, then with false, which writes what passes.
 */
export async function sendInBothModes(
  h: Harness,
  method: 'POST' | 'PUT' | 'DELETE',
  url: string,
  node: string,
  records: unknown[],
  state: () => Promise<unknown>,
): Promise<{ failed: Response; partial: Response }> {
  const before = await state();
  const failed = await h.request(method, url, { body: { [node]: records, options: { validate_fails_batch: true } } });
  expect(failed.status, JSON.stringify(failed.body)).toBe(400);
  expect(failed.body.result).toEqual(['Validation errors found. Batch has failed. Details provided.']);
  expect(await state()).toEqual(before);
  const partial = await h.request(method, url, { body: { [node]: records, options: { validate_fails_batch: 'false' } } });
  expect(partial.status, JSON.stringify(partial.body)).toBe(200);
  return { failed, partial };
}
