import type { Columns } from '../../db/schema.ts';
import type { Queryable } from '../../db/queryable.ts';

/** A door and its last reported battery level. */
export type DoorStateRow = Columns<'door', 'id' | 'name'> & {
  /** Null when the door's device has never reported, or reported no battery. */
  battery_level: number | null;
  /** Null until the door's device reports the mode it applied. */
  mode: string | null;
};

/** Every door of the site in id order, with what its device last reported, if anything. */
export function listDoorStates(db: Queryable, siteId: number, afterId: number, limit: number): Promise<DoorStateRow[]> {
  return db
    .selectFrom('door')
    .leftJoin('door_state', (join) => join.onRef('door_state.door_id', '=', 'door.id').onRef('door_state.site_id', '=', 'door.site_id'))
    .select(['door.id', 'door.name', 'door_state.battery_level', 'door_state.mode'])
    .where('door.site_id', '=', siteId)
    .where('door.id', '>', afterId)
    .orderBy('door.id')
    .limit(limit)
    .execute();
}
