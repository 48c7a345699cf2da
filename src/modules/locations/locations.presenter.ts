import { fromFlag } from '../../db/conventions.ts';
import type { LocationRow } from './locations.repository.ts';

/** A location on the wire. */
export function presentLocation(row: LocationRow) {
  return { id: row.id, name: row.name, type: row.type, enabled: fromFlag(row.enabled) };
}
