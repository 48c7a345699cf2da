import type { ReasonCode } from '../access/decide.ts';

/**
 * The one catalogue of event codes, subcodes and categories (docs/events.md). Codes 48 and 49 and
 * categories 1 and 2 are the spec's; the rest are Portcullis's, numbered away from the spec's examples.
 */
export const EVENT_CODES = {
  ACCESS_GRANTED: 48,
  ACCESS_DENIED: 49,
  DOOR_FORCED: 60,
  DOOR_HELD_OPEN: 61,
  TAMPER: 62,
  BATTERY_LOW: 63,
  DEVICE_OFFLINE: 64,
  DEVICE_ONLINE: 65,
  REMOTE_UNLOCK_REQUESTED: 70,
  REMOTE_UNLOCK_DELIVERED: 71,
  REMOTE_UNLOCK_ACKNOWLEDGED: 72,
  WEBHOOK_DISABLED: 80,
  DOOR_OVERRIDDEN: 90,
  DOOR_RETURNED_TO_SCHEDULE: 91,
  LOCKDOWN_STARTED: 92,
  LOCKDOWN_CLEARED: 93,
} as const;

export const CODE_TEXT: Record<number, string> = {
  48: 'Access Granted',
  49: 'Access Denied',
  60: 'Door Forced Open',
  61: 'Door Held Open',
  62: 'Tamper',
  63: 'Battery Low',
  64: 'Device Offline',
  65: 'Device Online',
  70: 'Remote Unlock Requested',
  71: 'Remote Unlock Delivered',
  72: 'Remote Unlock Acknowledged',
  80: 'Webhook Disabled',
  90: 'Door Mode Overridden',
  91: 'Door Returned To Schedule',
  92: 'Lockdown Started',
  93: 'Lockdown Cleared',
};

export const EVENT_CATEGORIES = {
  ACCESS_GRANTED: 1,
  ACCESS_DENIED: 2,
  DOOR_ALARM: 3,
  DEVICE: 4,
  REMOTE_COMMAND: 5,
  SYSTEM: 6,
  DOOR_MODE: 7,
} as const;

export const CATEGORY_TEXT: Record<number, string> = {
  1: 'Door Access Granted',
  2: 'Door Access Denied',
  3: 'Door Alarm',
  4: 'Device',
  5: 'Remote Command',
  6: 'System',
  7: 'Door Mode',
};

/** Subcode of each decision: 100 for a grant, 101… one per denial reason, in decide()'s order. */
export const DECISION_SUBCODE: Record<ReasonCode, number> = {
  granted: 100,
  unknown_credential: 101,
  credential_disabled: 102,
  credential_not_yet_effective: 103,
  credential_expired: 105,
  fob_not_assigned: 106,
  holder_disabled: 107,
  holder_not_yet_effective: 108,
  holder_expired: 109,
  unknown_door: 110,
  door_disabled: 111,
  no_grant: 112,
  outside_schedule: 113,
  passes_used_up: 114,
  factor_not_allowed: 115,
  lock_not_allowed: 116,
  outside_time_profile: 117,
  door_locked: 118,
  second_factor_required: 119,
  // Apart from the checks' numbers: not a fact about the credential, but the system failing closed.
  store_unavailable: 130,
};

export const SUBCODE_TEXT: Record<number, string> = {
  100: 'Granted',
  101: 'Unknown Credential',
  102: 'Credential Disabled',
  103: 'Credential Not Yet Effective',
  // 104 is the spec's own example ("Battery Missing") and is left to mean that.
  104: 'Battery Missing',
  105: 'Credential Expired',
  106: 'Fob Not Assigned',
  107: 'User Disabled',
  108: 'User Not Yet Effective',
  109: 'User Expired',
  110: 'Unknown Door',
  111: 'Door Disabled',
  112: 'No Access To Door',
  113: 'Outside Schedule',
  114: 'No Passes Left',
  115: 'Identifier Kind Not Allowed',
  116: 'Lock Not Allowed',
  117: 'Outside Time Profile',
  118: 'Door Locked',
  119: 'Card And PIN Required',
  130: 'Store Unavailable',
};
