import type { DoorStateRow } from './door-states.repository.ts';

/** A door's state on the wire. */
export function presentDoorState(row: DoorStateRow) {
  return { id: row.id, name: row.name, battery_level: row.battery_level, mode: row.mode };
}
