import { fromFlag } from '../../db/conventions.ts';
import type { DoorRow } from './doors.repository.ts';

/** Every door Portcullis serves is one kind, on one controller: itself. */
const DOOR_TYPE = 'Access Controlled Door';
const CONTROLLER = 'Portcullis';

/** A door on the wire. */
export function presentDoor(row: DoorRow) {
  return {
    id: row.id,
    type: DOOR_TYPE,
    name: row.name,
    location: row.location ?? '',
    enabled: fromFlag(row.enabled),
    controller: CONTROLLER,
  };
}
