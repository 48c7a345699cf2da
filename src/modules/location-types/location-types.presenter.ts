import type { LocationTypeRow } from './location-types.repository.ts';

/** A location type on the wire. */
export function presentLocationType(row: LocationTypeRow) {
  return { id: row.id, name: row.name };
}
