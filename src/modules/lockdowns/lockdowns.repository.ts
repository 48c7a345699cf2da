import type { Insertable } from 'kysely';
import type { Queryable } from '../../db/queryable.ts';
import type { Columns, LockdownPlanTable } from '../../db/schema.ts';
import { nameKeyOwnersIn } from '../../db/site-lookups.ts';
import { groupBy } from '../../lib/group-by.ts';

const PLAN_COLUMNS = [
  'id',
  'name',
  'name_key',
  'mode',
  'priority',
  'scope',
  'location_id',
  'auto_revert_ms',
  'active_since',
  'active_until',
  'active_by',
] as const;

export type LockdownRow = Columns<'lockdown_plan', (typeof PLAN_COLUMNS)[number]> & { door_ids: number[]; responders: number[] };

/** Adds each plan's doors and responders: two queries for the page. */
async function withMembers(db: Queryable, siteId: number, plans: Columns<'lockdown_plan', (typeof PLAN_COLUMNS)[number]>[]): Promise<LockdownRow[]> {
  if (plans.length === 0) return [];
  const ids = plans.map((p) => p.id);
  const [doors, responders] = await Promise.all([
    db
      .selectFrom('lockdown_plan_door')
      .select(['plan_id', 'door_id'])
      .where('site_id', '=', siteId)
      .where('plan_id', 'in', ids)
      .orderBy('door_id')
      .execute(),
    db
      .selectFrom('lockdown_plan_responder')
      .select(['plan_id', 'access_level_id'])
      .where('site_id', '=', siteId)
      .where('plan_id', 'in', ids)
      .orderBy('access_level_id')
      .execute(),
  ]);
  const doorsOf = groupBy(doors, (d) => d.plan_id);
  const respondersOf = groupBy(responders, (r) => r.plan_id);
  return plans.map((p) => ({
    ...p,
    door_ids: (doorsOf.get(p.id) ?? []).map((d) => d.door_id),
    responders: (respondersOf.get(p.id) ?? []).map((r) => r.access_level_id),
  }));
}

/** The site's plans in id order. */
export async function listLockdowns(db: Queryable, siteId: number, afterId: number, limit: number): Promise<LockdownRow[]> {
  const plans = await db
    .selectFrom('lockdown_plan')
    .select(PLAN_COLUMNS)
    .where('site_id', '=', siteId)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return withMembers(db, siteId, plans);
}

/** Of these ids and name keys, the site's plans. */
export async function findLockdowns(db: Queryable, siteId: number, ids: number[], keys: string[]): Promise<LockdownRow[]> {
  if (ids.length === 0 && keys.length === 0) return [];
  const plans = await db
    .selectFrom('lockdown_plan')
    .select(PLAN_COLUMNS)
    .where('site_id', '=', siteId)
    .where((eb) => eb.or([...(ids.length > 0 ? [eb('id', 'in', ids)] : []), ...(keys.length > 0 ? [eb('name_key', 'in', keys)] : [])]))
    .execute();
  return withMembers(db, siteId, plans);
}

export function nameKeyOwners(db: Queryable, siteId: number, keys: string[]): Promise<Map<string, number>> {
  return nameKeyOwnersIn(db, 'lockdown_plan', siteId, keys);
}

/** Inserts a plan with its doors and responders. */
export async function insertLockdown(db: Queryable, plan: Insertable<LockdownPlanTable>, doorIds: number[], responders: number[]): Promise<number> {
  const { id } = await db.insertInto('lockdown_plan').values(plan).returning('id').executeTakeFirstOrThrow();
  const siteId = plan.site_id;
  if (doorIds.length > 0)
    await db
      .insertInto('lockdown_plan_door')
      .values(doorIds.map((door_id) => ({ plan_id: id, door_id, site_id: siteId })))
      .execute();
  if (responders.length > 0) {
    await db
      .insertInto('lockdown_plan_responder')
      .values(responders.map((access_level_id) => ({ plan_id: id, access_level_id, site_id: siteId })))
      .execute();
  }
  return id;
}

/** Starts (since set) or clears (all null) these plans. */
export async function setActive(
  db: Queryable,
  siteId: number,
  ids: number[],
  active: Pick<LockdownPlanTable, 'active_since' | 'active_until' | 'active_by'>,
): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('lockdown_plan').set(active).where('site_id', '=', siteId).where('id', 'in', ids).execute();
}

export async function deleteLockdowns(db: Queryable, siteId: number, ids: number[]): Promise<number> {
  const result = await db.deleteFrom('lockdown_plan').where('site_id', '=', siteId).where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The doors a plan covers: the site's, a location's, or its own list. */
export async function coveredDoorIds(
  db: Queryable,
  siteId: number,
  plan: Pick<LockdownRow, 'scope' | 'location_id' | 'door_ids'>,
): Promise<number[]> {
  if (plan.scope === 'doors') return plan.door_ids;
  let query = db.selectFrom('door').select('id').where('site_id', '=', siteId);
  if (plan.scope === 'location') query = query.where('location_id', '=', plan.location_id);
  return (await query.orderBy('id').execute()).map((d) => d.id);
}

/** Adds these doors to a plan of scope doors (those it has already are left). */
export async function addPlanDoors(db: Queryable, siteId: number, planId: number, doorIds: number[]): Promise<void> {
  if (doorIds.length === 0) return;
  await db
    .insertInto('lockdown_plan_door')
    .values(doorIds.map((door_id) => ({ plan_id: planId, door_id, site_id: siteId })))
    .onConflict((oc) => oc.columns(['plan_id', 'door_id']).doNothing())
    .execute();
}

/** Takes these doors out of a plan of scope doors. */
export async function removePlanDoors(db: Queryable, siteId: number, planId: number, doorIds: number[]): Promise<void> {
  if (doorIds.length === 0) return;
  await db.deleteFrom('lockdown_plan_door').where('site_id', '=', siteId).where('plan_id', '=', planId).where('door_id', 'in', doorIds).execute();
}
