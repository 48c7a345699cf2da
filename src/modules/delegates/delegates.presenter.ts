import { formatSiteTime } from '../../lib/site-time.ts';
import type { WithDoors } from '../access-levels/access-levels.service.ts';
import type { DelegateLevelRow } from './delegates.repository.ts';

const siteTime = (ms: number | null, zone: string) => (ms === null ? '' : formatSiteTime(ms, zone));

/** A delegate level on the wire: its window in the site's zone, its doors by id and name. */
export function presentDelegateLevel(level: WithDoors<DelegateLevelRow>, zone: string) {
  return {
    id: level.id,
    name: level.name,
    access_effective: siteTime(level.access_effective, zone),
    access_expires: siteTime(level.access_expires, zone),
    doors: level.doors.map((d) => ({ id: d.door_id, name: d.door_name })),
  };
}
