import { sql } from 'kysely';
import type { Queryable } from '../../db/queryable.ts';
import { type ListColumns, type ListRequest, listQueryOf } from '../../db/list-query.ts';

/** Call forwarding lists sort and filter on the flat number. */
export const FORWARD_LIST_COLUMNS: ListColumns<'forwardNumber'> = { forwardNumber: { expr: sql.ref('forward_number'), type: 'integer' } };

/** The JSON a site last saved for a setting path, if any. */
export async function findSetting(db: Queryable, siteId: number, setting: string): Promise<string | undefined> {
  const row = await db.selectFrom('panel_setting').select('value').where('site_id', '=', siteId).where('setting', '=', setting).executeTakeFirst();
  return row?.value;
}

/** Every setting of the site saved under a path that starts with `prefix`. */
export function settingsUnder(db: Queryable, siteId: number, prefix: string): Promise<{ setting: string; value: string }[]> {
  return db.selectFrom('panel_setting').select(['setting', 'value']).where('site_id', '=', siteId).where('setting', 'like', `${prefix}%`).execute();
}

export async function saveSetting(db: Queryable, row: { site_id: number; setting: string; value: string; updated_at: number }): Promise<void> {
  await db
    .insertInto('panel_setting')
    .values(row)
    .onConflict((oc) => oc.columns(['site_id', 'setting']).doUpdateSet({ value: row.value, updated_at: row.updated_at }))
    .execute();
}

export interface ForwardRow {
  forward_number: number;
  entity_list: string;
}

export function findForward(db: Queryable, siteId: number, forwardNumber: number): Promise<ForwardRow | undefined> {
  return db
    .selectFrom('panel_forward')
    .select(['forward_number', 'entity_list'])
    .where('site_id', '=', siteId)
    .where('forward_number', '=', forwardNumber)
    .executeTakeFirst();
}

export function listForwards(db: Queryable, siteId: number, request: ListRequest): Promise<ForwardRow[]> {
  const list = listQueryOf(request, FORWARD_LIST_COLUMNS);
  return db
    .selectFrom('panel_forward')
    .select(['forward_number', 'entity_list'])
    .where('site_id', '=', siteId)
    .where(list.where)
    .orderBy(list.orderBy, list.direction)
    .limit(list.limit)
    .offset(list.offset)
    .execute();
}

export async function countForwards(db: Queryable, siteId: number, request: ListRequest): Promise<number> {
  const list = listQueryOf(request, FORWARD_LIST_COLUMNS);
  const row = await db
    .selectFrom('panel_forward')
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .where('site_id', '=', siteId)
    .where(list.where)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export async function saveForward(
  db: Queryable,
  row: { site_id: number; forward_number: number; entity_list: string; updated_at: number },
): Promise<void> {
  await db
    .insertInto('panel_forward')
    .values(row)
    .onConflict((oc) => oc.columns(['site_id', 'forward_number']).doUpdateSet({ entity_list: row.entity_list, updated_at: row.updated_at }))
    .execute();
}

export async function deleteForwards(db: Queryable, siteId: number, forwardNumbers: number[]): Promise<number> {
  if (forwardNumbers.length === 0) return 0;
  const rows = await db
    .deleteFrom('panel_forward')
    .where('site_id', '=', siteId)
    .where('forward_number', 'in', forwardNumbers)
    .returning('forward_number')
    .execute();
  return rows.length;
}

/** What the site's devices last reported of each door one of them drives (devices not revoked). */
export function reportedDoorStates(db: Queryable, siteId: number): Promise<{ door_open: number | null; reported_at: number }[]> {
  return db
    .selectFrom('door_state')
    .select(['door_state.door_open', 'door_state.reported_at'])
    .where('door_state.site_id', '=', siteId)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('device_door')
          .innerJoin('device', 'device.id', 'device_door.device_id')
          .select('device_door.door_id')
          .whereRef('device_door.door_id', '=', 'door_state.door_id')
          .where('device_door.site_id', '=', siteId)
          .where('device.revoked_at', 'is', null),
      ),
    )
    .execute();
}
