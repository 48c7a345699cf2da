import { fromFlag } from '../../db/conventions.ts';
import type { AccessLevelRow } from './access-levels.repository.ts';
import type { WithDoors } from './access-levels.service.ts';

/** An access level on the wire: always with a `doors` array, empty when the level has none. */
export function presentAccessLevel(level: WithDoors<AccessLevelRow>) {
  return {
    id: level.id,
    name: level.name,
    doors: level.doors.map((d) => ({ id: d.door_id, name: d.door_name, schedule_id: d.schedule_id })),
    // Extension, shown only when set, so a level reads exactly as the spec has it otherwise.
    ...(fromFlag(level.first_person_in) ? { first_person_in: true } : {}),
  };
}
