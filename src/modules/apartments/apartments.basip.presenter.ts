import type { Selectable } from 'kysely';
import type { ApartmentTable } from '../../db/schema.ts';

/**
 * An apartment on the wire, as the seed's `apartments` items show it (both of its examples' fields):
 * the logical address, the name, the residents count (0 when not given), the AA-14 image paths ("" when
 * not given), the uid and the link_id (null until one is set).
 */
export function presentApartment(row: Selectable<ApartmentTable>) {
  return {
    apartment_address: { building: row.building, unit: row.unit, floor: row.floor, room: row.room },
    apartment_name: row.name,
    residents: { count: row.residents_count ?? 0 },
    photo_path: row.photo_path ?? '',
    route_path: row.route_path ?? '',
    item_uid: row.id,
    link_id: row.link_id,
  };
}
