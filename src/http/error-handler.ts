import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isStoreUnavailable } from '../db/store-errors.ts';
import { ERRORS, PortcullisError } from '../domain/errors.ts';
import { renderBasipError } from './basip/envelope.ts';
import { STATUS_OF } from './errors.ts';
import { faceOfRequest } from './faces.ts';
import { renderLocktError } from './lockt/envelope.ts';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

/** Fastify's own failures, translated into the closed vocabulary. */
function fromFastify(error: FastifyError, bodyLimit: number): PortcullisError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return ERRORS.unsupportedMediaType();
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return ERRORS.payloadTooLarge(bodyLimit);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return ERRORS.unparseableBody();
    default:
      break;
  }
  // Any other client error Fastify raises (a malformed header, a bad URL) keeps its message, which
  // carries no internals; server-side failures never do.
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500 && status !== 404) return ERRORS.badRequest(error.message);
  return undefined;
}

/**
 * A lost or refused store connection as the 503 it is (the request changed nothing and may be retried),
 * logged as a warning that names it; undefined for any other error.
 */
export function unavailableStore(request: FastifyRequest, error: unknown): PortcullisError | undefined {
  if (!isStoreUnavailable(error)) return undefined;
  request.log.warn({ err: error }, 'store unavailable');
  return ERRORS.storeUnavailable();
}

function send(request: FastifyRequest, reply: FastifyReply, error: PortcullisError): FastifyReply {
  const status = STATUS_OF[error.code];
  return reply
    .code(status)
    .headers(error.headers)
    .type('application/json; charset=utf-8')
    .send(faceOfRequest(request) === 'basip' ? renderBasipError(error) : renderLocktError(error, status, request.method));
}

/**
 * Renders any error. Also given to Fastify as `frameworkErrors`: its router refuses some URLs (a malformed
 * percent-encoding, a path parameter longer than maxParamLength) before any route or error handler runs,
 * and would otherwise answer them in its own format, which is neither face's.
 */
export function frameworkErrorHandler(bodyLimit: number) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const known = error instanceof PortcullisError ? error : (unavailableStore(request, error) ?? fromFastify(error, bodyLimit));
    if (known) return send(request, reply, known);
    request.log.error({ err: error }, 'unexpected error');
    return send(request, reply, ERRORS.internal());
  };
}

/**
 * The one place errors become responses. Expected failures are rendered in the face's format (Lockt's
 * envelope, or BAS-IP's `{"error"}`: the route's declared face, or for no route the URL's); anything
 * else is logged with the request id and answered with the spec's generic 500, never with its details.
 */
export function installErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler(frameworkErrorHandler(bodyLimit));

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    const allowed = METHODS.filter((method) => app.hasRoute({ method, url: path }));
    if (allowed.length > 0) return send(request, reply, ERRORS.methodNotAllowed(request.method, path, allowed));
    return send(request, reply, ERRORS.notFound(`Unknown endpoint: ${request.method} ${path}`));
  });
}
