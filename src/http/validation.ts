import type { FastifySchemaCompiler } from 'fastify';
import type { Static, TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import { Settings } from 'typebox/system';
import { ERRORS } from '../domain/errors.ts';
import { tooLongMessage } from '../domain/text-limits.ts';
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

interface SchemaWithProperties {
  properties?: Record<string, TSchema & { 'x-error'?: string }>;
  required?: string[];
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** The limit of a `maxLength` failure, which the message names (src/domain/text-limits.ts says why there are limits). */
const lengthLimit = (error: { params: unknown }) => (error.params as { limit: number }).limit;

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
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ field: '', message: 'Record must be a JSON object.' }];
  }
  const record = value as Record<string, unknown>;
  const { properties = {} } = schema as SchemaWithProperties;
  const problems = new Map<string, string>();
  for (const error of validator.Errors(value)) {
    if (error.keyword === 'required') {
      for (const field of (error.params as { requiredProperties?: string[] }).requiredProperties ?? []) {
        if (!(field in record)) problems.set(field, `Missing or blank ${field}`);
      }
      continue;
    }
    const field = error.instancePath.split('/')[1] ?? '';
    if (problems.has(field)) continue;
    const fieldValue = record[field];
    const custom = properties[field]?.['x-error'];
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

/** True when `body` has the batch envelope's shape: an object whose node is a non-empty array of objects. */
export function isBatchEnvelope(body: unknown, node: string): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const { [node]: records, options } = body as Record<string, unknown>;
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  return Array.isArray(records) && records.length > 0 && records.every(isObject) && (options === undefined || isObject(options));
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
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'Wrong JSON body';
  for (const error of validatorFor(schema).Errors(body)) {
    const path = error.instancePath.split('/').filter((part) => part !== '');
    if (error.keyword === 'required') {
      const [missing] = (error.params as { requiredProperties?: string[] }).requiredProperties ?? [];
      return `Wrong JSON body: no value for \`${[...path, missing].join('.')}\``;
    }
    if (error.keyword === 'maxLength') {
      const value = path.reduce<unknown>((at, part) => (at as Record<string, unknown>)[part], body);
      return `Wrong JSON body: value \`${path.join('.')}\` was longer than ${lengthLimit(error)} characters: ${showValue(value)}`;
    }
    return `Wrong JSON body: value \`${path.join('.')}\` was of the wrong type`;
  }
  return 'Wrong JSON body';
}

/** Compiles a route's schemas; a failure is worded in the route's face. */
export function validatorCompiler(faces: RouteFaces): FastifySchemaCompiler<TSchema> {
  return ({ schema, httpPart, method, url }) => {
    const node = (schema as Record<string, unknown>)[BATCH_NODE];
    if (typeof node === 'string') {
      const optional = (schema as Record<string, unknown>)[BATCH_BODY_OPTIONAL] === true;
      return (body) => (isBatchEnvelope(body, node) || (optional && isAbsentBody(body)) ? { value: body } : { error: ERRORS.unparseableBody() });
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
