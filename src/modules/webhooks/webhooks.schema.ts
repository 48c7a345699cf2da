import { Type } from 'typebox';
import { BoolInput, DataEnvelope, IdInput, NumericParam, RequiredText, TextParam, WireTime, WriteSummary } from '../../http/schemas.ts';

/** A list of whole numbers (event codes, categories, door ids); empty or absent means every one. */
const NumberList = (field: string, description: string) =>
  Type.Array(Type.Integer({ minimum: 0 }), {
    description: `${description} Empty or absent: all.`,
    'x-error': `Invalid ${field} found (expected a list of numbers)`,
    'x-datatype': 'array',
  });

const filterFields = {
  codes: NumberList('codes', 'Event codes to deliver (docs/events.md); an event matching codes or categories is sent.'),
  categories: NumberList('categories', 'Event categories to deliver.'),
  doors: NumberList('doors', 'Door ids whose events are delivered; events without a door are then not sent.'),
  enabled: BoolInput('enabled', 'Whether events are queued and delivered (default true); enabling clears an automatic disable.'),
};

/** A subscription as `GET /webhook` shows it; never its secret. */
export const WebhookObject = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  codes: Type.Array(Type.Integer()),
  categories: Type.Array(Type.Integer()),
  doors: Type.Array(Type.Integer()),
  enabled: Type.Boolean(),
  disabled_reason: Type.String({ description: 'Why Portcullis disabled it; "" otherwise.' }),
  previous_secret_until: Type.Union([Type.String(), Type.Null()], {
    description: 'Until when the secret before the last rotation also signs (UTC).',
  }),
  created: Type.String(),
  updated: Type.String(),
});

/** One record of `POST /webhook` (extension). */
export const WebhookCreate = Type.Object(
  { url: RequiredText('url', 'Where deliveries are POSTed: https (http only with --webhook-allow-http).', { maxLength: 2048 }), ...filterFields },
  { required: ['url'] },
);

/** One record of `PUT /webhook` (extension): the fields given change; `rotate_secret` makes a new secret. */
export const WebhookUpdate = Type.Object(
  {
    id: IdInput('id', 'The webhook to change.'),
    url: RequiredText('url', 'Where deliveries are POSTed.', { maxLength: 2048 }),
    ...filterFields,
    rotate_secret: BoolInput('rotate_secret', 'Make a new signing secret, shown once in this answer.'),
    overlap_hours: Type.Integer({
      minimum: 0,
      maximum: 168,
      description: 'With rotate_secret: hours the old secret keeps signing beside the new one (default 24, at most 168).',
      'x-error': 'Invalid overlap_hours found (expected 0 to 168)',
      'x-datatype': 'integer',
    }),
  },
  { required: ['id'] },
);

/** One record of `DELETE /webhook` (extension). */
export const WebhookDelete = Type.Object({ id: IdInput('id', 'The webhook to delete, with its deliveries.') }, { required: ['id'] });

/** One record of `POST /webhook/redeliver` (extension): one delivery, or a webhook's deliveries of a time range. */
export const RedeliveryRequest = Type.Object(
  {
    delivery_id: IdInput('delivery_id', 'A delivery to send again.'),
    webhook_id: IdInput('webhook_id', 'With from and to: send again this webhook’s deliveries of events recorded in [from, to).'),
    from: WireTime('from', 'Start of the range.'),
    to: WireTime('to', 'End of the range.'),
  },
  { required: [] },
);

/** The answer of a write that made secrets: the summary, and each new secret, shown this once. */
export const WebhookWriteResponse = Type.Object({
  data: WriteSummary,
  errors: Type.Optional(Type.Array(Type.Object({ error: Type.Array(Type.String()), input_data: Type.Unknown() }))),
  shown_once: Type.Optional(Type.Array(Type.Object({ id: Type.Integer(), secret: Type.String() }))),
});

/** One attempt in the delivery log. */
export const DeliveryAttemptObject = Type.Object({
  id: Type.Integer(),
  delivery_id: Type.Integer(),
  webhook_id: Type.Integer(),
  event_id: Type.Integer(),
  delivery_state: Type.String({ description: 'pending, delivered or failed (given up)' }),
  time: Type.String(),
  status: Type.Union([Type.Integer(), Type.Null()], { description: 'HTTP status; null when no response came.' }),
  latency_ms: Type.Integer(),
  error: Type.String(),
  response: Type.String({ description: 'The first 1 KiB of the response body.' }),
});

export const DeliveriesQuery = {
  webhook_id: Type.Optional(NumericParam('webhook_id', 'Only this webhook’s attempts.')),
  delivery_id: Type.Optional(NumericParam('delivery_id', 'Only this delivery’s attempts.')),
  from: Type.Optional(TextParam('from', 'Attempts at or after this time (site zone, or ISO 8601 with an offset).')),
  to: Type.Optional(TextParam('to', 'Attempts before this time.')),
};

export const DeliveriesResponse = DataEnvelope(Type.Array(DeliveryAttemptObject));
