import { Type } from 'typebox';
import { FlagParam, NumericParam } from '../../http/schemas.ts';

const time = (description: string) => Type.String({ description, 'x-datatype': 'date-time' });

export const EventObject = Type.Object({
  id: Type.Integer({ description: 'The unique, system assigned id of the event; ascending in commit order within a site.' }),
  device: Type.String({ description: 'The name of the device causing the event.' }),
  code: Type.Integer({ description: 'The integer representation of the event code.' }),
  code_text: Type.String({ description: 'The text representation of the event code.' }),
  subcode: Type.Union([Type.Integer(), Type.Null()], { description: 'The integer representation of the event sub-code.', 'x-datatype': 'integer' }),
  subcode_text: Type.String({ description: 'The text representation of the event sub-code.' }),
  schedule: Type.String({ description: 'The name of the schedule, if applicable.' }),
  controller: Type.String({ description: 'The name of the controller, if applicable.' }),
  location: Type.String({ description: 'The name of the location where the device is assigned, if applicable.' }),
  door: Type.String({ description: 'Extension: the name of the door, if applicable.' }),
  card_num: Type.String({ description: 'The card number presented, if any (PINs are never recorded).' }),
  user: Type.String({ description: 'The name of the user, "Last, First".' }),
  category: Type.Integer({ description: 'The integer representation of the event category.' }),
  category_text: Type.String({ description: 'The text representation of the event category.' }),
  detail: Type.String({ description: 'Extension: why, in words (for decisions, the check that decided).' }),
  hw_time: time('The event timestamp received from the device, ISO 8601 UTC.'),
  event_time: time('The same as hw_time, under the name the spec’s object definition uses.'),
  db_time: time('The timestamp when the event was recorded in the system, ISO 8601 UTC.'),
});

export const EventsQuery = Type.Object({
  id: Type.Optional(NumericParam('id', 'Return events with an id greater than this, oldest first.')),
  stream: Type.Optional(FlagParam('Extension: Server-Sent Events of new events as they commit; resumable with Last-Event-ID.')),
});
