import { Type } from 'typebox';
import { BoolInput, IdInput, WireTime } from '../../http/schemas.ts';
import { DOOR_MODES } from '../devices/devices.schema.ts';

/** A door's override as `GET /dooroverride` shows it. */
export const DoorOverrideObject = Type.Object({
  id: Type.Integer({ description: 'The door overridden (a door has at most one override).' }),
  door_name: Type.String({ description: 'The name of the door.' }),
  mode: Type.String({ description: 'access_controlled, unlocked, locked or card_and_pin.' }),
  since: Type.String({ description: 'When the override was set, YYYY-MM-DD HH:MM:SS in the site’s time zone.', 'x-datatype': 'date-time' }),
  until: Type.Union([Type.String(), Type.Null()], {
    description: 'When it ends by itself; null: until the door is returned to schedule.',
    'x-datatype': 'date-time',
  }),
  actor: Type.String({ description: 'Who set it, as the audit trail names them.' }),
});

const DOOR = 'The door to override; or location_id for every door of a location.';
const LOCATION = 'Every door of this location; or door_id for one door.';

/** One record of `POST /dooroverride` (extension). */
export const DoorOverrideSet = Type.Object(
  {
    door_id: Type.Optional(IdInput('door_id', DOOR)),
    location_id: Type.Optional(IdInput('location_id', LOCATION)),
    mode: Type.Union(
      DOOR_MODES.map((m) => Type.Literal(m)),
      {
        description: 'The mode the doors are put in.',
        'x-error': `Invalid mode found (expected one of ${DOOR_MODES.join(', ')})`,
        'x-datatype': 'string',
      },
    ),
    until: Type.Optional(WireTime('until', 'When the override ends by itself; absent or "": when the doors are returned to schedule.')),
    until_next_change: Type.Optional(
      BoolInput('until_next_change', 'true: the override ends at each door’s next unlock-schedule change (instead of until).'),
    ),
  },
  { required: ['mode'] },
);

/** One record of `DELETE /dooroverride` (extension): return to schedule. */
export const DoorOverrideClear = Type.Object({
  door_id: Type.Optional(IdInput('door_id', 'The door to return to its schedule; or location_id.')),
  location_id: Type.Optional(IdInput('location_id', 'Every door of this location returns to its schedule; or door_id.')),
});
