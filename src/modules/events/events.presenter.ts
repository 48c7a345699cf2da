import { CATEGORY_TEXT, CODE_TEXT, SUBCODE_TEXT } from '../../event-log/catalogue.ts';
import { formatIsoUtc } from '../../lib/site-time.ts';
import type { LocktEventRow } from './events.repository.ts';

/**
 * An event as `/events` shows it. The spec's definition calls the device time `event_time` and its
 * examples `hw_time`: both are given, with the same value.
 */
export function presentEvent(row: LocktEventRow) {
  const hwTime = formatIsoUtc(row.hw_time);
  return {
    id: row.id,
    device: row.device_name,
    code: row.code,
    code_text: CODE_TEXT[row.code] ?? '',
    subcode: row.subcode,
    subcode_text: row.subcode === null ? '' : (SUBCODE_TEXT[row.subcode] ?? ''),
    schedule: row.schedule_name,
    controller: row.controller,
    location: row.location_name,
    door: row.door_name,
    card_num: row.card_num,
    user: row.user_name,
    category: row.category,
    category_text: CATEGORY_TEXT[row.category] ?? '',
    detail: row.detail,
    hw_time: hwTime,
    event_time: hwTime,
    db_time: formatIsoUtc(row.db_time),
  };
}
