import { Type } from 'typebox';
import { ListQuerySchema } from '../../http/basip/list-query.ts';

/** `GET /log/items`: the panel's list parameters and the time window. */
export const LogQuery = Type.Object({
  ...ListQuerySchema.properties,
  from: Type.Optional(Type.String({ description: 'Earliest device time, inclusive: Unix ms (or seconds, below 10^11).' })),
  to: Type.Optional(Type.String({ description: 'Latest device time, inclusive: Unix ms (or seconds, below 10^11).' })),
  locale: Type.Optional(Type.String({ description: 'Accepted; texts are in English.' })),
});

export const LogItem = Type.Object({
  timestamp: Type.Integer({ description: 'Device time, Unix ms.' }),
  name: Type.Object({ key: Type.String({ description: 'The event key (docs/events.md).' }), text: Type.String() }),
  info: Type.Object({
    model: Type.Object({
      event_id: Type.Integer(),
      number: Type.String({ description: 'The identifier (card) number; "" when none.' }),
      user: Type.String(),
      door: Type.String(),
      location: Type.String(),
      device: Type.String(),
      code: Type.Integer(),
      subcode: Type.Union([Type.Integer(), Type.Null()]),
      detail: Type.String(),
    }),
  }),
});
