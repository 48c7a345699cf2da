import { Type } from 'typebox';
import { BoolInput, IdInput } from '../../http/schemas.ts';

/** The modes an unlock schedule may hold a door in (`access_controlled` is what holds outside them). */
export const SCHEDULED_MODES = ['unlocked', 'locked', 'card_and_pin'] as const;

const ModeInput = Type.Union(
  SCHEDULED_MODES.map((m) => Type.Literal(m)),
  {
    description: 'The mode the door is in while the schedule is active: unlocked (free passage), locked (no credential opens it), card_and_pin.',
    'x-error': `Invalid mode found (expected one of ${SCHEDULED_MODES.join(', ')})`,
    'x-datatype': 'string',
  },
);

const FIRST_IN =
  'true: an unlocked schedule waits each day for a holder of a first-person-in access level to be granted at the door; defaults to false.';

/** A door unlock schedule as `GET /doorschedule` shows it. */
export const DoorScheduleObject = Type.Object({
  id: Type.Integer({ description: 'The unique, system assigned id of the door unlock schedule.' }),
  door_id: Type.Integer({ description: 'The door.' }),
  door_name: Type.String({ description: 'The name of the door.' }),
  schedule_id: Type.Integer({ description: 'The schedule during which the mode holds.' }),
  schedule_name: Type.String({ description: 'The name of the schedule.' }),
  mode: Type.String({ description: 'unlocked, locked or card_and_pin.' }),
  first_person_in: Type.Boolean({ description: 'Whether an unlocked schedule waits for the day’s first person in.' }),
});

/** One record of `POST /doorschedule` (extension). */
export const DoorScheduleCreate = Type.Object(
  {
    door_id: IdInput('door_id', 'A door of this site.'),
    schedule_id: IdInput('schedule_id', 'A schedule of this site; a door has each schedule at most once.'),
    mode: ModeInput,
    first_person_in: Type.Optional(BoolInput('first_person_in', FIRST_IN)),
  },
  { required: ['door_id', 'schedule_id', 'mode'] },
);

/** One record of `PUT /doorschedule` (extension): only the properties supplied change. */
export const DoorScheduleUpdate = Type.Object(
  {
    id: IdInput('id', 'The door unlock schedule to update.'),
    mode: Type.Optional(ModeInput),
    first_person_in: Type.Optional(BoolInput('first_person_in', FIRST_IN)),
  },
  { required: ['id'] },
);

/** One record of `DELETE /doorschedule` (extension). */
export const DoorScheduleDelete = Type.Object({ id: IdInput('id', 'The door unlock schedule to delete.') }, { required: ['id'] });
