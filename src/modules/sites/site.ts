import { fromFlag } from '../../db/conventions.ts';
import type { SiteRow } from '../../db/schema.ts';

/** Per-site rules that validation and the engine read. */
export interface SiteSettings {
  cardNumMaxLength: number;
  pinMinLength: number;
  pinMaxLength: number;
  /** When true, two users may not share a PIN. */
  uniquePins: boolean;
  /** Most events `GET /events` returns in one answer. */
  eventsLimit: number;
}

/** One customer instance: every other row belongs to exactly one site. */
export interface Site {
  id: number;
  name: string;
  /** IANA zone in which zone-less wire times are read and written. */
  timezone: string;
  settings: SiteSettings;
}

export function siteFromRow(row: SiteRow): Site {
  return {
    id: row.id,
    name: row.name,
    timezone: row.timezone,
    settings: {
      cardNumMaxLength: row.card_num_max_length,
      pinMinLength: row.pin_min_length,
      pinMaxLength: row.pin_max_length,
      uniquePins: fromFlag(row.unique_pins),
      eventsLimit: row.events_limit,
    },
  };
}
