import { Type } from 'typebox';
import { NumericParam, TextParam } from '../../http/schemas.ts';

export const ExplainQuery = Type.Object({
  door_id: NumericParam('door_id', 'The door to ask about.'),
  card_num: Type.Optional(TextParam('card_num', 'A card number to ask about.')),
  pin: Type.Optional(TextParam('pin', "A PIN to ask about (never recorded); with card_num, the card's user's PIN typed after it.")),
  credential_key: Type.Optional(TextParam('credential_key', 'A mobile credential key to ask about.')),
  device_id: Type.Optional(
    NumericParam(
      'device_id',
      "The device asking, as a device's own question is decided: its lock number places the door on a panel (free access, the public code).",
    ),
  ),
  at: Type.Optional(TextParam('at', "The instant to decide at: YYYY-MM-DD HH:MM:SS in the site's zone or ISO 8601 with an offset; default now.")),
});

export const TraceStep = Type.Object({
  check: Type.String({ description: 'The check, as named in docs/access-decisions.md.' }),
  passed: Type.Boolean(),
});

export const ExplanationObject = Type.Object({
  granted: Type.Boolean({ description: 'Whether the credential would open the door at that instant.' }),
  code: Type.Integer({ description: '48 Access Granted or 49 Access Denied.' }),
  code_text: Type.String(),
  subcode: Type.Integer({ description: 'The reason, as in the events catalogue (docs/events.md).' }),
  subcode_text: Type.String(),
  reason: Type.String({ description: 'In words: the check that decided, naming what it looked at.' }),
  rule: Type.Union([Type.String(), Type.Null()], {
    description: 'What granted: the access level and schedule, the delegation, the door mode, or the lockdown plan a responder passed.',
  }),
  at: Type.String({ description: "The instant decided at, YYYY-MM-DD HH:MM:SS in the site's zone.", 'x-datatype': 'date-time' }),
  trace: Type.Array(TraceStep, { description: 'Every check that ran, in order; the last decided.' }),
});
