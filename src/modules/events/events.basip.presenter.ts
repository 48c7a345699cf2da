import { CODE_TEXT, EVENT_CODES, SUBCODE_TEXT } from '../../event-log/catalogue.ts';
import type { EventRow } from './events.repository.ts';

/**
 * The one table from the event catalogue (src/event-log/catalogue.ts) to the panel log's event keys
 * (docs/events.md, "BAS-IP log keys"): by code, and for denials by subcode. `access_granted_by_valid_identifier`
 * and `access_denied_by_unknown_card` are the panel's own keys, which public clients match on; the others
 * follow their pattern.
 */
const KEY_OF_CODE: Record<number, string> = {
  [EVENT_CODES.ACCESS_GRANTED]: 'access_granted_by_valid_identifier',
  [EVENT_CODES.ACCESS_DENIED]: 'access_denied_by_invalid_identifier',
  [EVENT_CODES.DOOR_FORCED]: 'door_forced_open_alarm',
  [EVENT_CODES.DOOR_HELD_OPEN]: 'door_held_open_alarm',
  [EVENT_CODES.TAMPER]: 'tamper_alarm',
  [EVENT_CODES.BATTERY_LOW]: 'battery_low',
  [EVENT_CODES.DEVICE_OFFLINE]: 'device_offline',
  [EVENT_CODES.DEVICE_ONLINE]: 'device_online',
  [EVENT_CODES.REMOTE_UNLOCK_REQUESTED]: 'lock_open_requested_by_api_call',
  [EVENT_CODES.REMOTE_UNLOCK_DELIVERED]: 'lock_open_delivered_to_device',
  [EVENT_CODES.REMOTE_UNLOCK_ACKNOWLEDGED]: 'lock_opened_by_api_call',
  [EVENT_CODES.WEBHOOK_DISABLED]: 'webhook_disabled',
  [EVENT_CODES.DOOR_OVERRIDDEN]: 'door_mode_overridden',
  [EVENT_CODES.DOOR_RETURNED_TO_SCHEDULE]: 'door_mode_returned_to_schedule',
  [EVENT_CODES.LOCKDOWN_STARTED]: 'lockdown_started',
  [EVENT_CODES.LOCKDOWN_CLEARED]: 'lockdown_cleared',
};

/** Denials (code 49) by subcode; a subcode not listed reads as the code's key. */
const KEY_OF_DENIAL: Record<number, string> = {
  101: 'access_denied_by_unknown_card',
  102: 'access_denied_by_blocked_identifier',
  103: 'access_denied_by_identifier_validity_time',
  105: 'access_denied_by_identifier_validity_time',
  106: 'access_denied_by_invalid_identifier',
  107: 'access_denied_by_blocked_user',
  108: 'access_denied_by_user_validity_time',
  109: 'access_denied_by_user_validity_time',
  110: 'access_denied_by_invalid_lock',
  111: 'access_denied_by_invalid_lock',
  112: 'access_denied_by_no_access_rights',
  113: 'access_denied_by_schedule',
  114: 'access_denied_by_passes_limit',
  115: 'access_denied_by_auth_factor',
  116: 'access_denied_by_lock_restriction',
  117: 'access_denied_by_time_profile',
  118: 'access_denied_by_door_locked',
  119: 'access_denied_by_second_factor',
};

/** The panel log key of an event. */
export function basipEventKey(code: number, subcode: number | null): string {
  const denial = code === EVENT_CODES.ACCESS_DENIED && subcode !== null ? KEY_OF_DENIAL[subcode] : undefined;
  return denial ?? KEY_OF_CODE[code] ?? `event_${code}`;
}

/**
 * An event as the panel's `/log/items` shows it: the device time in ms, the key (with the English text:
 * Portcullis has no other locale), and under `info.model` the identifier number (`number`, where public
 * clients look for it) and what the Lockt event shows.
 */
export function presentLogItem(row: EventRow) {
  const codeText = CODE_TEXT[row.code] ?? '';
  const subcodeText = row.subcode === null ? '' : (SUBCODE_TEXT[row.subcode] ?? '');
  return {
    timestamp: row.hw_time,
    name: { key: basipEventKey(row.code, row.subcode), text: subcodeText && subcodeText !== 'Granted' ? `${codeText}: ${subcodeText}` : codeText },
    info: {
      model: {
        event_id: row.id,
        number: row.card_num,
        user: row.user_name,
        door: row.door_name,
        location: row.location_name,
        device: row.device_name,
        code: row.code,
        subcode: row.subcode,
        detail: row.detail,
      },
    },
  };
}
