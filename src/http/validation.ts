import type { FastifySchemaCompiler } from 'fastify';
import type { Static, TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import type { TMaxLengthError } from 'typebox/error';
import { Settings } from 'typebox/system';
import { ERRORS } from '../domain/errors.ts';
import { tooLongMessage } from '../domain/text-limits.ts';
import { isRecord } from '../lib/guards.ts';
import { showValue } from '../lib/show-value.ts';
import type { RouteFaces } from './faces.ts';
import { BATCH_BODY_OPTIONAL, BATCH_NODE } from './schemas.ts';

/**
 * Turns schemas into checks and schema failures into the messages clients read. One place, so every
 * endpoint names the field and the value the same way.
 */
const compiled = new WeakMap<TSchema, Validator>();

// TypeBox stops listing errors after 8, and one bad union field (ids, booleans) spends several of them,
// so later fields of a record would lose their messages; every message of a record must be reported.
Settings.Set({ maxErrors: 1000 });

function validatorFor(schema: TSchema): Validator {
  let validator = compiled.get(schema);
  if (!validator) {
    validator = Compile(schema);
    compiled.set(schema, validator);
  }
  return validator;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** The limit of a `maxLength` failure, which the message names (src/domain/text-limits.ts says why there are limits). */
const lengthLimit = (error: TMaxLengthError) => error.params.limit;

const isBlank = (value: unknown) => value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/** Whether a value passes its schema: `fieldProblems` is empty exactly when it does. */
export function conforms<Schema extends TSchema>(schema: Schema, value: unknown): value is Static<Schema> {
  return validatorFor(schema).Check(value);
}

/**
 * Every problem of one object against its schema, one per offending field: a missing or blank required
 * field, or a field of the wrong form quoted with its value. Empty when the object passes.
 */
export function fieldProblems(schema: TSchema, value: unknown): FieldProblem[] {
  const validator = validatorFor(schema);
  if (validator.Check(value)) return [];
  if (!isRecord(value)) return [{ field: '', message: 'Record must be a JSON object.' }];
  const problems = new Map<string, string>();
  for (const error of validator.Errors(value)) {
    if (error.keyword === 'required') {
      for (const field of error.params.requiredProperties) {
        if (!(field in value)) problems.set(field, `Missing or blank ${field}`);
      }
      continue;
    }
    const field = error.instancePath.split('/')[1] ?? '';
    if (problems.has(field)) continue;
    const fieldValue = value[field];
    const custom = customMessage(schema, field);
    problems.set(
      field,
      isBlank(fieldValue)
        ? `Missing or blank ${field}`
        : error.keyword === 'maxLength'
          ? tooLongMessage(field, lengthLimit(error), fieldValue)
          : `${custom ?? `Invalid ${field} found`}: ${showValue(fieldValue)}`,
    );
  }
  return [...problems].map(([field, message]) => ({ field, message }));
}

/** A field's own wording for a value of the wrong form: `x-error` on its schema. */
function customMessage(schema: TSchema, field: string): string | undefined {
  const properties = 'properties' in schema && isRecord(schema.properties) ? schema.properties : {};
  const property = properties[field];
  return isRecord(property) && typeof property['x-error'] === 'string' ? property['x-error'] : undefined;
}

/** A batch envelope's records and options, when `body` has its shape: an object whose node is a non-empty array of objects. */
export function batchEnvelope(body: unknown, node: string): { records: Record<string, unknown>[]; options: Record<string, unknown> } | undefined {
  if (!isRecord(body)) return undefined;
  const { [node]: records, options = {} } = body;
  if (!Array.isArray(records) || records.length === 0 || !records.every(isRecord) || !isRecord(options)) return undefined;
  return { records, options };
}

/**
 * No body, or `{}`: what clients send on a call that needs none (`POST /delegate?purge`). Fastify hands
 * a missing or empty body to validation as null, not undefined.
 */
function isAbsentBody(body: unknown): boolean {
  if (body === undefined || body === null) return true;
  return typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0;
}

/**
 * Fastify's validator compiler. Batch bodies are checked only as envelopes here: their records are
 * validated one by one by the batch runner, which reports every failing record rather than the first.
 */
/**
 * BAS-IP's wording for a body that does not fit: the first missing or mistyped parameter, by its path
 * (``Wrong JSON body: no value for `name` `` / ``Wrong JSON body: value `lock_number` was of the wrong type``).
 */
export function basipBodyMessage(schema: TSchema, body: unknown): string {
  if (!isRecord(body)) return 'Wrong JSON body';
  for (const error of validatorFor(schema).Errors(body)) {
    const path = error.instancePath.split('/').filter((part) => part !== '');
    if (error.keyword === 'required') {
      const [missing] = error.params.requiredProperties;
      return `Wrong JSON body: no value for \`${[...path, missing].join('.')}\``;
    }
    if (error.keyword === 'maxLength') {
      const value = path.reduce<unknown>((at, part) => (typeof at === 'object' && at !== null ? Reflect.get(at, part) : undefined), body);
      return `Wrong JSON body: value \`${path.join('.')}\` was longer than ${lengthLimit(error)} characters: ${showValue(value)}`;
    }
    return `Wrong JSON body: value \`${path.join('.')}\` was of the wrong type`;
  }
  return 'Wrong JSON body';
}

/** Compiles a route's schemas; a failure is worded in the route's face. */
export function validatorCompiler(faces: RouteFaces): FastifySchemaCompiler<TSchema> {
  return ({ schema, httpPart, method, url }) => {
    const node = BATCH_NODE in schema ? schema[BATCH_NODE] : undefined;
    if (typeof node === 'string') {
      const optional = BATCH_BODY_OPTIONAL in schema && schema[BATCH_BODY_OPTIONAL] === true;
      return (body) =>
        batchEnvelope(body, node) !== undefined || (optional && isAbsentBody(body)) ? { value: body } : { error: ERRORS.unparseableBody() };
    }
    const validator = validatorFor(schema);
    const basip = faces.of(method, url) === 'basip';
    return (data) => {
      if (validator.Check(data)) return { value: data };
      if (httpPart === 'body') {
        return { error: basip ? ERRORS.badRequest(basipBodyMessage(schema, data)) : ERRORS.unparseableBody() };
      }
      return {
        error: ERRORS.badRequest(
          fieldProblems(schema, data)
            .map((p) => p.message)
            .join('; '),
        ),
      };
    };
  };
}
