import { fromFlag } from '../../db/conventions.ts';
import type { PersonRow } from './console.repository.ts';
import type { PersonPage } from './console.service.ts';

/** A person in a search's results: never a PIN, nor whether there is one. */
export function presentPersonSummary(row: PersonRow) {
  return {
    id: row.id,
    first_name: row.first_name,
    last_name: row.last_name,
    email: row.email ?? '',
    id_num: row.id_num ?? '',
    enabled: fromFlag(row.enabled),
  };
}

/** A person's page: whether a PIN is set, never the PIN (only its keyed hash is stored). */
export function presentPerson({ view, events }: PersonPage) {
  const { row } = view;
  return {
    ...presentPersonSummary(row),
    phone: row.phone,
    has_pin: row.pin_hash !== null,
    access_effective: row.access_effective,
    access_expires: row.access_expires,
    credentials: view.credentials.map((c) => ({ id: c.id, name: c.name, card_num: c.card_num, fob: fromFlag(c.is_fob) })),
    access_levels: view.levels.map((l) => ({ id: l.id, name: l.name })),
    events,
  };
}
