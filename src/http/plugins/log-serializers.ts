/**
 * What log lines may say about a request and an error. Headers are never logged (`req` is reduced to
 * method, URL and address); the URL loses the secrets clients are made to put in it; an error shows its
 * type and code, its message and stack replaced, since they can carry SQL, stored values and secrets.
 */

const REDACTED = '[redacted]';

/** Query parameters that carry secrets: BAS-IP's login digest, and the PIN or key an explain asks about. */
const SECRET_PARAMETERS = new Set(['password', 'pin', 'credential_key', 'apikey', 'token']);

/** The longest of these a path starts with is all an unrouted path shows: anything after may be a key. */
const UNROUTED_PREFIXES = ['/api/v1/', '/api/', '/v1/', '/'];

/** A percent-decoded piece of a URL, or the piece as sent when its encoding is malformed. */
function decoded(piece: string): string {
  try {
    return decodeURIComponent(piece.replace(/\+/g, ' '));
  } catch {
    return piece;
  }
}

/**
 * The query with the value of every secret parameter replaced. Parameters are compared as the query
 * parser reads them (percent-decoded, so `%70in` is `pin`), and case-insensitively, as a misspelling
 * can still be the secret.
 */
function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      return SECRET_PARAMETERS.has(decoded(name).trim().toLowerCase()) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
}

/** The request as the log serializer sees it: Fastify's, with the route it matched, if any. */
export interface LoggedRequest {
  method: string;
  url: string;
  ip?: string;
  routeOptions?: { url?: string | undefined };
}

/**
 * The URL a log line may show. A panel route shows its pattern (`/api/v1/panel/:device_key/access`): its
 * path holds the device key, however the client spelled it (`/api/v1/%70anel/…`, `/api//v1/…`). A path
 * no route matched shows only a fixed prefix, since a misspelled panel URL carries the key anywhere.
 * Other routed URLs show their path as sent and their query with secret values replaced.
 */
export function redactUrl(request: LoggedRequest): string {
  const queryAt = request.url.indexOf('?');
  const path = queryAt < 0 ? request.url : request.url.slice(0, queryAt);
  const query = queryAt < 0 ? '' : request.url.slice(queryAt + 1).split('#')[0];
  const route = request.routeOptions?.url;
  if (route === undefined) {
    const normalised = decoded(path)
      .replace(/\/{2,}/g, '/')
      .toLowerCase();
    return `${UNROUTED_PREFIXES.find((prefix) => normalised.startsWith(prefix)) ?? ''}${REDACTED}`;
  }
  const shownPath = route.startsWith('/api/v1/panel/') ? route : path;
  return query === undefined || query === '' ? shownPath : `${shownPath}?${redactQuery(query)}`;
}

export function serializeRequest(request: LoggedRequest): { method: string; url: string; remoteAddress?: string | undefined } {
  return { method: request.method, url: redactUrl(request), remoteAddress: request.ip };
}

export function serializeError(error: unknown): { type: string; code?: string; message: string; stack: string } {
  const type = error instanceof Error ? error.constructor.name : typeof error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  const hidden = { message: REDACTED, stack: REDACTED };
  return typeof code === 'string' || typeof code === 'number' ? { type, code: String(code), ...hidden } : { type, ...hidden };
}
