import { Type } from 'typebox';
import { FlagParam, TextParam } from '../../http/schemas.ts';

export const AboutObject = Type.Object({
  version: Type.String({ description: 'Current release version number.' }),
  release_date: Type.String({ description: 'Current release date.' }),
  release_notes: Type.String({ description: 'Overview of current release.' }),
  release_details: Type.String({ description: 'Additional details regarding the release.' }),
});

export const PingObject = Type.Object({
  message: Type.String({ description: 'Always "pong".' }),
  site_id: Type.Integer({ description: 'The site the credentials belong to.' }),
  server_time: Type.String({ description: 'Server time, ISO 8601 in UTC.', 'x-datatype': 'date-time' }),
});

export const HealthObject = Type.Object({
  status: Type.String({ description: '"ok" from /health (the process answers); "ready" from /ready.' }),
});

export const SiteObject = Type.Object({
  id: Type.Integer({ description: 'The unique, system assigned id of the site.' }),
  name: Type.String({ description: 'The name of the site.' }),
  timezone: Type.String({
    description: 'IANA time zone in which the site reads and writes YYYY-MM-DD HH:MM:SS times.',
  }),
  server_time: Type.String({
    description: "Current time in the site's time zone, YYYY-MM-DD HH:MM:SS.",
    'x-datatype': 'date-time',
  }),
  utc_offset: Type.String({ description: "The site time zone's current offset from UTC, e.g. +01:00." }),
  server_time_utc: Type.String({ description: 'Current time, ISO 8601 in UTC.', 'x-datatype': 'date-time' }),
});

export const SettingsObject = Type.Object({
  apiuser: Type.String({ description: 'The apiuser of the calling key.' }),
  max_batch_size: Type.Integer({ description: 'Most records one write call of this key may carry.' }),
  enabled: Type.Boolean({ description: 'Whether this key is enabled.' }),
  body_limit_bytes: Type.Integer({ description: 'Largest request body accepted, in bytes.' }),
  option_defaults: Type.Object(
    {
      validate_fails_batch: Type.Boolean(),
      update_existing: Type.Boolean(),
      replace_privileges: Type.Boolean(),
    },
    { description: 'The value each processing option takes when a call does not supply it.' },
  ),
  card_num_max_length: Type.Integer({ description: 'Longest card number accepted, in digits.' }),
  pin_min_length: Type.Integer({ description: 'Shortest PIN accepted, in digits.' }),
  pin_max_length: Type.Integer({ description: 'Longest PIN accepted, in digits.' }),
  unique_pins: Type.Boolean({ description: 'Whether two users may not share a PIN.' }),
  events_limit: Type.Integer({ description: 'Most events one /events call returns.' }),
});

export const ObjectQuery = Type.Object({
  listtypes: Type.Optional(FlagParam('List the object types that ?type= describes.')),
  type: Type.Optional(TextParam('type', 'The object type to describe.')),
});

export const ObjectListItem = Type.Object({ object: Type.String({ description: 'Name of the object.' }) });
export const PropertyItem = Type.Object({
  property: Type.String({ description: 'Property name of the object.' }),
  datatype: Type.String({ description: 'Data type of the property.' }),
  description: Type.String({ description: 'Description of the property.' }),
});
