import { type TObject, type TSchema, Type } from 'typebox';
import type { BatchOptionName } from '../domain/batch.ts';
import { MAX_FREE_TEXT_LENGTH, MAX_IDENTIFYING_LENGTH } from '../domain/text-limits.ts';

/**
 * Schema pieces every Lockt endpoint shares. Record schemas are deliberately as loose as the spec's own
 * examples (ids as numbers or numeric strings, booleans as booleans or "true"/"false"); each field's
 * `x-error` is the message a record gets when the field has the wrong form, and `x-datatype` the type
 * `/object?type=` shows.
 */

/** An integer id, sent as a number or a numeric string. `-1` is allowed where the spec gives it a meaning. */
export const IdInput = (field: string, description: string) =>
  Type.Union([Type.Integer(), Type.String({ pattern: '^\\s*-?[0-9]+\\s*$' })], {
    description,
    'x-error': `Non-Numeric ${field} found`,
    'x-datatype': 'integer',
  });

/** A boolean, or the strings "true" / "false" as the spec's Python examples send. */
export const BoolInput = (field: string, description: string) =>
  Type.Union([Type.Boolean(), Type.Literal('true'), Type.Literal('false')], {
    description,
    'x-error': `Invalid ${field} found (expected true or false)`,
    'x-datatype': 'boolean',
  });

/** A time: `YYYY-MM-DD HH:MM:SS` in the site's zone, ISO 8601 with an offset, or `""` for none. */
export const WireTime = (field: string, description: string) =>
  Type.Union([Type.String(), Type.Null()], {
    description: `${description} \`YYYY-MM-DD HH:MM:SS\` in the site's time zone, or ISO 8601 with an offset; "" for none.`,
    'x-error': `Invalid ${field} date found`,
    'x-datatype': 'date-time',
  });

/** Free text, at most MAX_FREE_TEXT_LENGTH characters. */
export const Text = (field: string, description: string) =>
  Type.String({ description, maxLength: MAX_FREE_TEXT_LENGTH, 'x-error': `Invalid ${field} found (expected text)`, 'x-datatype': 'string' });

/** Text that must not be blank: a blank value is reported as "Missing or blank <field>". */
export const RequiredText = (field: string, description: string, { maxLength }: { maxLength?: number } = {}) =>
  Type.String({
    pattern: '\\S',
    ...(maxLength === undefined ? {} : { maxLength }),
    description,
    'x-error': `Invalid ${field} found (expected text)`,
    'x-datatype': 'string',
  });

/**
 * Text that must not be blank and that a record is known by (names, id_num, email): an index holds it,
 * so it is at most MAX_IDENTIFYING_LENGTH characters, and a longer value is reported as
 * "Invalid <field> length found (at most N characters)".
 */
export const IdentifyingText = (field: string, description: string) => RequiredText(field, description, { maxLength: MAX_IDENTIFYING_LENGTH });

/** A number or string the domain reads as digits (card numbers, PINs). */
export const DigitsInput = (field: string, description: string) =>
  Type.Union([Type.Integer(), Type.String()], {
    description,
    'x-error': `Non-Numeric ${field} found`,
    'x-datatype': 'string',
  });

const OPTION_DESCRIPTIONS: Record<BatchOptionName, string> = {
  validate_fails_batch:
    'If false, records passing validation are written and the failures reported; if true, any failure fails the whole batch. Defaults to true.',
  update_existing: 'If false, records that would update an existing record are ignored; if true, they update it. Defaults to false.',
  replace_privileges: "If true, supplied access levels replace the user's; if false, they are added. Defaults to true.",
  replace_doors: "Extension (PUT /accesslevel): if true, supplied doors replace the level's; if false, they are added. Defaults to true.",
};

export function optionsSchema(names: readonly BatchOptionName[]): TObject {
  const properties: Record<string, TSchema> = {};
  for (const name of names) properties[name] = BoolInput(name, OPTION_DESCRIPTIONS[name]);
  return Type.Object(properties, { description: 'Processing options.' });
}

/** Marks a body schema as a batch envelope, so validation checks only the envelope and leaves records to the batch runner. */
export const BATCH_NODE = 'x-batch-node';

/** Marks a batch body that may also be absent or `{}` (`POST /delegate?purge` shares its route with the batch). */
export const BATCH_BODY_OPTIONAL = 'x-batch-body-optional';

/**
 * `{ <node>: [records], options: {…} }`: the body of every Lockt write endpoint. With `optional`, an
 * absent body (or `{}`) passes validation and the handler decides (runBatch still refuses it).
 */
export function batchBody(
  node: string,
  record: TObject,
  options: readonly BatchOptionName[],
  { optional = false }: { optional?: boolean } = {},
): TObject {
  return Type.Object(
    {
      [node]: Type.Array(record, { minItems: 1 }),
      ...(options.length > 0 ? { options: Type.Optional(optionsSchema(options)) } : {}),
    },
    { [BATCH_NODE]: node, ...(optional ? { [BATCH_BODY_OPTIONAL]: true } : {}) },
  );
}

/** A query parameter that must be a whole number; a blank value is an error, never "no filter". */
export const NumericParam = (name: string, description: string) =>
  Type.String({ pattern: '^[0-9]+$', description, 'x-error': `Invalid ${name}: must be a non-blank whole number` });

/** A query parameter that must carry a non-blank value. */
export const TextParam = (name: string, description: string) =>
  Type.String({ pattern: '\\S', description, 'x-error': `Invalid ${name}: must not be blank` });

/** A query flag written without a value, such as `?missingcreds`. */
export const FlagParam = (description: string) => Type.String({ description });

/** `{"data": …}`, the envelope of every Lockt answer. */
export const DataEnvelope = (data: TSchema) => Type.Object({ data });

export const WriteSummary = Type.Object({
  submitted: Type.Integer(),
  inserted: Type.Integer(),
  updated: Type.Integer(),
  errors: Type.Integer(),
});
export const DeleteSummary = Type.Object({
  submitted: Type.Integer(),
  deleted: Type.Integer(),
  errors: Type.Integer(),
});
export const ProcessSummary = Type.Object({
  submitted: Type.Integer(),
  processed: Type.Integer(),
  errors: Type.Integer(),
});

const RecordErrors = Type.Array(Type.Object({ error: Type.Array(Type.String()), input_data: Type.Unknown() }), {
  description: 'Records that failed validation, when validate_fails_batch was false.',
});

/** A write's answer: the summary, and the failed records when the passing ones were written anyway. */
export const BatchResponse = (summary: TSchema) => Type.Object({ data: summary, errors: Type.Optional(RecordErrors) });

export const ErrorEnvelope = Type.Object({ data: Type.Object({ error: Type.String() }) });
export const FailureEnvelope = Type.Object({ result: Type.Array(Type.String()), errors: RecordErrors });
