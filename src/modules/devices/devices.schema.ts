import { Type } from 'typebox';
import { BoolInput, DigitsInput, IdInput, NumericParam, Text, WireTime } from '../../http/schemas.ts';

/** Every door mode (docs/door-modes.md), as a device reports the one it applied. */
export const DOOR_MODES = ['access_controlled', 'unlocked', 'locked', 'card_and_pin'] as const;

/** The event types a device may report, in the order docs/devices.md lists them. */
export const DEVICE_EVENT_TYPES = ['door_forced', 'door_held_open', 'tamper', 'battery_low', 'device_offline', 'device_online'] as const;
export type DeviceEventType = (typeof DEVICE_EVENT_TYPES)[number];

/** `POST /device/access`: a credential presented at a door. One of card_num, pin, credential_key, or card_num with pin. */
export const AccessRequest = Type.Object(
  {
    door_id: IdInput('door_id', 'The door the credential was presented at.'),
    card_num: Type.Optional(DigitsInput('card_num', 'The card number read.')),
    pin: Type.Optional(DigitsInput('pin', "The PIN typed; never recorded. With card_num: the card's user's PIN, as a card-and-PIN door needs.")),
    credential_key: Type.Optional(Text('credential_key', 'The key of the mobile credential presented.')),
  },
  { required: ['door_id'] },
);

export const AccessAnswer = Type.Object({
  granted: Type.Boolean(),
  code: Type.Integer({ description: '48 Access Granted, 49 Access Denied.' }),
  code_text: Type.String(),
  subcode: Type.Integer({ description: '100 granted, 101… the reason of a denial (docs/access-decisions.md).' }),
  subcode_text: Type.String(),
  event_id: Type.Union([Type.Integer(), Type.Null()], {
    description: 'The event that records the decision; null when the store was unavailable (subcode 130), which is always a denial.',
    'x-datatype': 'integer',
  }),
});

/** One record of `POST /device/events`. */
export const DeviceEventRecord = Type.Object(
  {
    type: Type.Union(
      DEVICE_EVENT_TYPES.map((t) => Type.Literal(t)),
      { description: 'What happened.', 'x-error': `Invalid type found (expected one of ${DEVICE_EVENT_TYPES.join(', ')})`, 'x-datatype': 'string' },
    ),
    door_id: Type.Optional(IdInput('door_id', 'The door it happened at; required for door_forced and door_held_open.')),
    hw_time: WireTime('hw_time', 'When the device saw it.'),
    detail: Type.Optional(Text('detail', 'Free text the device adds.')),
  },
  { required: ['type', 'hw_time'] },
);

export const EventsAnswer = Type.Object({
  data: Type.Object({
    submitted: Type.Integer(),
    inserted: Type.Integer(),
    errors: Type.Integer(),
    event_ids: Type.Array(Type.Integer(), { description: 'The ids of the recorded events, in the order sent.' }),
  }),
});

const BatteryLevel = Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], {
  description: 'Battery level from 0 to 1, or null for a door without a battery.',
  'x-error': 'Invalid battery_level found (expected a number from 0 to 1, or null)',
  'x-datatype': 'decimal',
});

/** `POST /device/state`: what a door's device sees now. */
export const StateReport = Type.Object(
  {
    door_id: IdInput('door_id', 'A door this device drives.'),
    battery_level: BatteryLevel,
    online: BoolInput('online', 'Whether the lock answers the device.'),
    door_open: BoolInput('door_open', 'Whether the door is open.'),
    locked: Type.Optional(BoolInput('locked', 'Extension: whether the lock is locked; absent when the device cannot tell.')),
    mode: Type.Optional(
      Type.Union(
        DOOR_MODES.map((m) => Type.Literal(m)),
        {
          description: 'The door mode the device applied (after a mode command); absent: unchanged.',
          'x-error': `Invalid mode found (expected one of ${DOOR_MODES.join(', ')})`,
          'x-datatype': 'string',
        },
      ),
    ),
  },
  { required: ['door_id', 'battery_level', 'online', 'door_open'] },
);

export const StateAnswer = Type.Object({
  data: Type.Object({
    door_id: Type.Integer(),
    battery_level: Type.Union([Type.Number(), Type.Null()]),
    online: Type.Boolean(),
    door_open: Type.Boolean(),
    locked: Type.Union([Type.Boolean(), Type.Null()]),
    mode: Type.Optional(Type.String()),
  }),
});

export const CommandsQuery = Type.Object({
  wait: Type.Optional(NumericParam('wait', 'Seconds to wait for a command when none is pending (default 25, at most 30).')),
});

/** A command as a device collects it. */
export const CommandObject = Type.Object({
  id: Type.Integer(),
  command: Type.String({ description: 'unlock: open the lock now; mode: apply `mode` to the door (docs/door-modes.md).' }),
  door_id: Type.Integer(),
  lock_number: Type.Integer({ description: 'The lock of this device that drives the door.' }),
  requested_at: Type.String({ description: 'ISO 8601 UTC.' }),
  mode: Type.Optional(
    Type.String({ description: 'On a mode command: access_controlled, unlocked, locked or card_and_pin, the mode the door is in from now.' }),
  ),
  valid_until: Type.Optional(
    Type.Union([Type.String(), Type.Null()], {
      description:
        'Extension, on a mode command: when the mode ends (ISO 8601 UTC), after which the device applies access_controlled by itself unless a newer mode command came; null: no known end, the mode holds until the next mode command (docs/door-modes.md).',
    }),
  ),
  unlock_seconds: Type.Optional(
    Type.Integer({
      description:
        "How long to hold the lock open: the site's BAS-IP lock timeout for this lock number, when one was saved; absent: the device's own.",
    }),
  ),
});

/** One record of `POST /device/commands/ack`. */
export const CommandAck = Type.Object(
  {
    id: IdInput('id', 'The command acknowledged.'),
    result: Type.Optional(
      Type.Union([Type.Literal('ok'), Type.Literal('failed')], {
        description: 'What carrying it out did; ok when absent.',
        'x-error': 'Invalid result found (expected ok or failed)',
        'x-datatype': 'string',
      }),
    ),
  },
  { required: ['id'] },
);

/** One record of `POST /door/unlock` (extension). */
export const UnlockRequest = Type.Object({ id: IdInput('id', 'The door to unlock.') }, { required: ['id'] });
