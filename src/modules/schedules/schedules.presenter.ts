import { fromFlag } from '../../db/conventions.ts';
import { storedTimeProfile } from '../../access/time-profile.ts';
import type { ScheduleRow } from './schedules.repository.ts';

/**
 * A schedule on the wire: days as 0/1 numbers, times as `HH:MM:SS`, as the spec shows them. A BAS-IP time
 * profile is a schedule too: its days and times are the weekly reading of its rule (time-profiles.service.ts
 * `weeklyProjection`), and `time_profile` (extension, on time profiles only) carries the rule itself.
 */
export function presentSchedule(row: ScheduleRow) {
  return {
    id: row.id,
    name: row.name,
    d0: row.d0,
    d1: row.d1,
    d2: row.d2,
    d3: row.d3,
    d4: row.d4,
    d5: row.d5,
    d6: row.d6,
    start: row.start_time,
    stop: row.stop_time,
    // Extension, shown only when set, so a schedule reads exactly as the spec has it otherwise.
    ...(fromFlag(row.observes_holidays) ? { observes_holidays: true } : {}),
    ...(row.rule === null ? {} : { time_profile: storedTimeProfile(row.rule) }),
  };
}
