import { fromFlag } from '../../db/conventions.ts';
import type { SiteRow } from '../../db/schema.ts';
import type { Site } from '../../domain/site.ts';

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
