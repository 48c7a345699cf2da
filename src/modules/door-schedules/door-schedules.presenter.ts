import { fromFlag } from '../../db/conventions.ts';
import type { DoorScheduleRow } from './door-schedules.repository.ts';

/** A door unlock schedule on the wire, with the names of its door and schedule. */
export function presentDoorSchedule(row: DoorScheduleRow) {
  return {
    id: row.id,
    door_id: row.door_id,
    door_name: row.door_name,
    schedule_id: row.schedule_id,
    schedule_name: row.schedule_name,
    mode: row.mode,
    first_person_in: fromFlag(row.first_person_in),
  };
}
