import { Type } from 'typebox';
import { MAX_IDENTIFYING_LENGTH } from '../../domain/text-limits.ts';

/**
 * The time-profile grammar is checked by `parseTimeProfile` (src/access/time-profile.ts), which names every
 * problem; these schemas describe the wire for OpenAPI and catch only a body of the wrong shape.
 */

const TimeOptions = Type.Object(
  {
    is_all_day: Type.Boolean({ description: 'From date_from’s date 00:00:00 to date_to’s date 23:59:59.' }),
    date_from: Type.Integer({ description: 'Unix seconds, read as wall-clock time in the site’s zone.' }),
    date_to: Type.Integer({ description: 'Unix seconds, read as wall-clock time in the site’s zone; inclusive.' }),
  },
  { description: 'The first occurrence.' },
);

const RepeatOptions = Type.Object(
  {
    repeat_enable: Type.Boolean(),
    repeat_format: Type.Optional(
      Type.Unknown({
        description:
          'Required when repeat_enable is true: {repeat_type: day|week|twoWeeks|month|year|custom, repeat_end: {format: never|date, date}, repeat_custom: {repeat_point_type, repeat_looper, repeat_options}} (docs/basip.md).',
      }),
    ),
  },
  { description: 'How the first occurrence repeats.' },
);

/** Unique in the site, so held by an index: at most MAX_IDENTIFYING_LENGTH characters. */
const Name = Type.String({ maxLength: MAX_IDENTIFYING_LENGTH, description: 'Unique in the site among time profiles and Lockt schedules.' });

export const TimeProfileCreate = Type.Object(
  {
    name: Name,
    time_options: TimeOptions,
    repeat_options: RepeatOptions,
  },
  { required: ['name', 'time_options', 'repeat_options'] },
);

export const TimeProfileUpdate = Type.Object({
  name: Type.Optional(Name),
  time_options: Type.Optional(TimeOptions),
  repeat_options: Type.Optional(RepeatOptions),
});

/** A time profile as GET shows it. */
export const TimeProfileObject = Type.Object({
  item_uid: Type.Integer(),
  name: Type.String(),
  link_id: Type.Union([Type.String(), Type.Null()]),
  time_options: TimeOptions,
  repeat_options: RepeatOptions,
});

export const TimeProfileUidParams = Type.Object({
  uid: Type.String({ description: 'The time profile’s uid.' }),
});

export const UidAnswer = Type.Object({ uid: Type.Integer() });
export const EmptyAnswer = Type.Object({});
