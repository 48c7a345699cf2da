import { Readable, Transform } from 'node:stream';
import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ResourceModule } from '../src/modules/module.ts';

/**
 * Holds every response the HTTP suites see to the OpenAPI document the app serves: its status must be one
 * the route documents, and its JSON body must match that status's schema with no field the schema does
 * not name. The harness installs it in every app it builds (test/harness.ts) and fails the test that
 * received a response the document does not describe. Only routes of a face (the app's own modules) are
 * held to it: test-only routes and Swagger UI are not documented API.
 */

type JsonSchema = Record<string, unknown>;

interface DocumentedResponse {
  content?: Record<string, { schema?: JsonSchema }>;
}

interface Operation {
  responses?: Record<string, DocumentedResponse>;
}

interface Document {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** One document's operations and the validators compiled from it, shared by every app built alike. */
interface Compiled {
  document: Document;
  validators: Map<string, ValidateFunction>;
}

// Loose about keywords Ajv does not know (TypeBox's and OpenAPI's), strict about fields (see `closed`).
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: false });

/** One per list of modules, so each test file builds the document and compiles each schema once. */
const byModules = new WeakMap<readonly ResourceModule[], Compiled>();

/**
 * The schema with its components inlined and every object closed (`additionalProperties: false` where it
 * says nothing), so a field the document does not name is a violation rather than allowed by default.
 */
function closed(schema: unknown, components: Record<string, JsonSchema>): unknown {
  if (Array.isArray(schema)) return schema.map((item) => closed(item, components));
  if (schema === null || typeof schema !== 'object') return schema;
  const source = schema as JsonSchema;
  const ref = source.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
    const target = components[ref.slice('#/components/schemas/'.length)];
    return closed({ ...target, ...source, $ref: undefined }, components);
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(source)) {
    if (value !== undefined)
      out[key] = key === 'properties' || key === 'patternProperties' ? closedEach(value, components) : closed(value, components);
  }
  const isObject = out.type === 'object' || out.properties !== undefined;
  if (isObject && out.additionalProperties === undefined && out.patternProperties === undefined) out.additionalProperties = false;
  return out;
}

function closedEach(properties: unknown, components: Record<string, JsonSchema>): JsonSchema {
  const out: JsonSchema = {};
  for (const [name, schema] of Object.entries(properties as JsonSchema)) out[name] = closed(schema, components);
  return out;
}

/** `/api/v1/user/:id` as OpenAPI spells it. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** The media type of the answer, without its parameters (`; charset=utf-8`). */
function mediaType(reply: FastifyReply): string | undefined {
  const type = reply.getHeader('content-type');
  return typeof type === 'string' ? type.split(';')[0]?.trim() : undefined;
}

export interface ResponseCheck {
  /** Registered first among the app's modules: the hook that checks every response. */
  module: ResourceModule;
  /** The violations seen since the last call, and forgets them. */
  take(): string[];
}

/** A check for one app built from `modules`. */
export function responseCheck(modules: readonly ResourceModule[]): ResponseCheck {
  const violations: string[] = [];
  let compiled: Compiled | undefined;

  function compiledFor(server: FastifyInstance): Compiled {
    compiled ??= byModules.get(modules);
    if (compiled === undefined) {
      compiled = { document: server.swagger() as unknown as Document, validators: new Map() };
      byModules.set(modules, compiled);
    }
    return compiled;
  }

  function validatorOf(key: string, schema: JsonSchema, { document, validators }: Compiled): ValidateFunction {
    let validate = validators.get(key);
    if (validate === undefined) {
      validate = ajv.compile(closed(schema, document.components?.schemas ?? {}) as JsonSchema);
      validators.set(key, validate);
    }
    return validate;
  }

  function checkBody(where: string, text: string, validate: ValidateFunction): void {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      violations.push(`${where}: the body is not JSON: ${text.slice(0, 200)}`);
      return;
    }
    if (!validate(body)) violations.push(`${where}: ${ajv.errorsText(validate.errors)} in ${text.slice(0, 400)}`);
  }

  function onSend(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
    const url = request.routeOptions.url;
    if (request.routeOptions.config.face === undefined || url === undefined || request.method === 'HEAD') return payload;
    const state = compiledFor(request.server);
    const operation = state.document.paths[openApiPath(url)]?.[request.method.toLowerCase()];
    // Routes hidden from the document (the older GET /logout) are not part of it.
    if (operation === undefined) return payload;
    const status = String(reply.statusCode);
    const where = `${request.method} ${url} ${status}`;
    const documented = operation.responses?.[status];
    if (documented === undefined) {
      violations.push(`${where}: status not documented`);
      return payload;
    }
    const type = mediaType(reply);
    if (type === undefined) return payload;
    if (documented.content?.[type] === undefined) {
      violations.push(`${where}: a ${type} body where the document has ${Object.keys(documented.content ?? {}).join(', ') || 'none'}`);
      return payload;
    }
    const schema = documented.content[type]?.schema;
    if (type !== 'application/json' || schema === undefined) return payload;
    const validate = validatorOf(`${request.method} ${url} ${status}`, schema, state);
    if (typeof payload === 'string' || Buffer.isBuffer(payload)) checkBody(where, payload.toString(), validate);
    else if (payload instanceof Readable) return payload.pipe(teeing((text) => checkBody(where, text, validate)));
    return payload;
  }

  return {
    module: {
      name: 'response-check',
      register(app) {
        app.addHook('onSend', async (request, reply, payload) => onSend(request, reply, payload));
      },
    },
    take: () => violations.splice(0),
  };
}

/** Passes a streamed body on as it comes, and hands the whole of it to `done` before it ends. */
function teeing(done: (text: string) => void): Transform {
  const chunks: Buffer[] = [];
  return new Transform({
    transform(chunk: Buffer | string, _encoding, next) {
      chunks.push(Buffer.from(chunk));
      next(null, chunk);
    },
    flush(next) {
      done(Buffer.concat(chunks).toString());
      next();
    },
  });
}
