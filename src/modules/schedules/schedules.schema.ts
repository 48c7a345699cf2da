import { type TSchema, Type } from 'typebox';
import { BoolInput, IdInput, IdentifyingText } from '../../http/schemas.ts';

/** `d0`…`d6`, each made by `field(name, index, day)`: the spec numbers days from Monday, d0 … d6 Sunday. */
function dayProperties<Day extends TSchema>(field: (name: string, index: number, day: string) => Day) {
  return {
    d0: field('d0', 0, 'Monday'),
    d1: field('d1', 1, 'Tuesday'),
    d2: field('d2', 2, 'Wednesday'),
    d3: field('d3', 3, 'Thursday'),
    d4: field('d4', 4, 'Friday'),
    d5: field('d5', 5, 'Saturday'),
    d6: field('d6', 6, 'Sunday'),
  };
}

/** 0/1, as the list shows them, or true/false and "0"/"1" as clients tend to send them. */
const DayInput = (name: string, index: number, day: string) =>
  Type.Union([Type.Literal(0), Type.Literal(1), Type.Boolean(), Type.Literal('0'), Type.Literal('1'), Type.Literal('true'), Type.Literal('false')], {
    description: `1 if the schedule includes day ${index} (${day}); defaults to 0 on create.`,
    'x-error': `Invalid ${name} found (expected 0 or 1)`,
    'x-datatype': 'bit',
  });

/** `HH:MM:SS` from 00:00:00 to 23:59:59. */
const TimeOfDay = (field: string, description: string) =>
  Type.String({
    pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$',
    description,
    'x-error': `Invalid ${field} time found`,
    'x-datatype': 'time',
  });

const START = 'The time the schedule starts, HH:MM:SS in the site’s time zone.';
const STOP = 'The time the schedule stops, HH:MM:SS, included; a stop before the start runs past midnight.';
const OBSERVES = 'Extension: true: the schedule is inactive on the site’s holidays (docs/door-modes.md); defaults to false.';

/** A schedule as `GET /schedule` shows it. */
export const ScheduleObject = Type.Object({
  id: Type.Integer({ description: 'The unique, system assigned id of the schedule.' }),
  name: Type.String({ description: 'The name of the schedule.' }),
  ...dayProperties((_name, index, day) =>
    Type.Integer({ minimum: 0, maximum: 1, description: `1 if the schedule includes day ${index} (${day}).`, 'x-datatype': 'bit' }),
  ),
  start: Type.String({ description: 'The time the schedule starts in format HH:MM:SS', 'x-datatype': 'time' }),
  stop: Type.String({ description: 'The time the schedule stops in format HH:MM:SS', 'x-datatype': 'time' }),
  observes_holidays: Type.Optional(Type.Boolean({ description: `${OBSERVES} Shown only when true.` })),
  time_profile: Type.Optional(
    Type.Object(
      { time_options: Type.Unknown(), repeat_options: Type.Unknown() },
      {
        description: "Extension, on BAS-IP time profiles only: the profile's rule, which decides instead of d0..d6/start/stop.",
        'x-datatype': 'object',
      },
    ),
  ),
});

/** One record of `POST /schedule` (extension). */
export const ScheduleCreate = Type.Object(
  {
    name: IdentifyingText('name', 'The name of the schedule; unique within the site.'),
    ...dayProperties((name, index, day) => Type.Optional(DayInput(name, index, day))),
    start: TimeOfDay('start', START),
    stop: TimeOfDay('stop', STOP),
    observes_holidays: Type.Optional(BoolInput('observes_holidays', OBSERVES)),
  },
  { required: ['name', 'start', 'stop'] },
);

/** One record of `PUT /schedule` (extension): only the properties supplied change. */
export const ScheduleUpdate = Type.Object(
  {
    id: IdInput('id', 'The unique, system assigned id of the schedule to update.'),
    name: Type.Optional(IdentifyingText('name', 'The new name of the schedule; unique within the site.')),
    ...dayProperties((name, index, day) => Type.Optional(DayInput(name, index, day))),
    start: Type.Optional(TimeOfDay('start', START)),
    stop: Type.Optional(TimeOfDay('stop', STOP)),
    observes_holidays: Type.Optional(BoolInput('observes_holidays', OBSERVES)),
  },
  { required: ['id'] },
);

/** One record of `DELETE /schedule` (extension). */
export const ScheduleDelete = Type.Object({ id: IdInput('id', 'The unique, system assigned id of the schedule.') }, { required: ['id'] });
