import type { FastifySchema, RouteOptions } from 'fastify';
import { Type } from 'typebox';
import type { Face } from './faces.ts';
import { ErrorEnvelope, FailureEnvelope } from './schemas.ts';

/**
 * What the OpenAPI document says about every route beyond its own schemas: how each face authenticates
 * and the error bodies it answers with. Both follow from the route's declared face and `auth` config,
 * as the error handler and the auth plugins do, so they are stated once here rather than on each route.
 */

export const SECURITY_SCHEMES = {
  apiuser: { type: 'apiKey', in: 'header', name: 'apiuser', description: "The site's API user (Lockt face)." },
  apikey: { type: 'apiKey', in: 'header', name: 'apikey', description: "The site's API key (Lockt face)." },
  deviceKey: { type: 'http', scheme: 'bearer', description: 'A device key from `portcullis device create` (device API).' },
  operatorToken: { type: 'http', scheme: 'bearer', description: 'A BAS-IP operator token from `GET /api/v1/login`.' },
  operatorBasic: { type: 'http', scheme: 'basic', description: 'A BAS-IP operator name and password.' },
  consoleSession: {
    type: 'apiKey',
    in: 'cookie',
    name: '__Host-portcullis-console',
    description: 'The console session from `POST /console/api/session`; writes also send its `x-csrf-token` (docs/console.md).',
  },
} as const;

type Requirement = Record<keyof typeof SECURITY_SCHEMES, string[]>;
type Auth = 'api_key' | 'device' | 'operator' | 'console';

const SECURITY_OF: Record<Auth, Partial<Requirement>[]> = {
  api_key: [{ apiuser: [], apikey: [] }],
  device: [{ deviceKey: [] }],
  // Either one: a token from the login, or the account's name and password on every request.
  operator: [{ operatorToken: [] }, { operatorBasic: [] }],
  console: [{ consoleSession: [] }],
};

/** The failure bodies, once each in the document's components (`ERROR_SCHEMAS`), referred to by every route. */
export const ERROR_SCHEMAS = {
  LocktError: { $id: 'LocktError', ...ErrorEnvelope, description: 'A Lockt failure: `{"data": {"error": "…"}}`.' },
  LocktFailure: {
    $id: 'LocktFailure',
    ...FailureEnvelope,
    description: 'A Lockt write that failed: the messages, and each failed record with its own messages and input.',
  },
  BasipError: {
    $id: 'BasipError',
    ...Type.Object({ error: Type.String() }),
    description: 'A BAS-IP failure, with the panel\'s message: "Log In" for any authentication failure.',
  },
} as const;

/** Every failure a route can answer: the statuses of STATUS_OF (src/http/errors.ts) a route can reach. */
const ERROR_STATUSES = {
  400: 'The request or a record in it is invalid.',
  401: 'Missing or wrong credentials.',
  403: 'Not allowed: the caller lacks the role, or HTTPS is required.',
  404: 'Not found.',
  413: 'The body is larger than the server accepts.',
  415: 'The body is not JSON.',
  429: 'Too many requests; see Retry-After.',
  500: 'An internal error; its details are only in the log.',
  503: 'The store cannot be reached, or the site is under maintenance; see Retry-After.',
} as const;

const WRITE_METHODS = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

/**
 * The body of a failure in the route's face, as src/http/lockt/envelope.ts and basip/envelope.ts render
 * it. Device routes answer `{"data":{"error"}}` even to a write, except a batch of events whose records
 * failed, which keeps the Lockt failure envelope (devices.routes.ts `deviceErrors`).
 */
function errorBody(face: Face, auth: Auth | undefined, status: number, method: string): Record<string, unknown> {
  const ref = (name: keyof typeof ERROR_SCHEMAS) => ({ $ref: `${name}#` });
  if (face === 'basip') return ref('BasipError');
  if (status !== 400 || !WRITE_METHODS.has(method)) return ref('LocktError');
  return auth === 'device' ? { anyOf: [ref('LocktError'), ref('LocktFailure')] } : ref('LocktFailure');
}

interface DocumentedRoute {
  method: RouteOptions['method'];
  config?: { face?: Face; auth?: Auth } | undefined;
}

/**
 * The route's schema as documented: its security from its `auth` config (unless it states its own), and
 * a response for each failure status it can reach, in its face's envelope (unless it documents that
 * status itself, as `/ready`'s 503 does). Routes of no face (Swagger UI's) are left as they are. Only the
 * document changes: the route's own response schemas, which serialize its answers, are not touched.
 */
export function documentedSchema(schema: FastifySchema | undefined, route: DocumentedRoute): FastifySchema {
  const face = route.config?.face;
  if (face === undefined) return schema ?? {};
  const method = Array.isArray(route.method) ? String(route.method[0]) : String(route.method);
  const auth = route.config?.auth;
  const own = (schema?.response ?? {}) as Record<string, unknown>;
  const response: Record<string, unknown> = {};
  // A route that states it needs no credentials (`security: []`) cannot fail them; the login and the
  // panel's own access route take theirs in the query and the path.
  const open = Array.isArray(schema?.security) && schema.security.length === 0;
  for (const [status, description] of Object.entries(ERROR_STATUSES)) {
    if (status === '401' && open) continue;
    // Failures are JSON whatever the route answers when it succeeds (the CSV export's 401 included).
    response[status] = { description, content: { 'application/json': { schema: errorBody(face, auth, Number(status), method) } } };
  }
  return {
    ...schema,
    ...(auth !== undefined && schema?.security === undefined ? { security: SECURITY_OF[auth] } : {}),
    response: { ...response, ...own },
  };
}
