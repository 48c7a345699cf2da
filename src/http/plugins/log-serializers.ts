/**
 * What log lines may say about a request and an error. Headers are never logged (`req` is reduced to
 * method, URL and address); the URL loses the secrets clients are made to put in it; an error shows its
 * type and code, its message and stack replaced, since they can carry SQL, stored values and secrets.
 */

const REDACTED = '[redacted]';

/** Query parameters that carry secrets: BAS-IP's login digest, and the PIN or key an explain asks about. */
const SECRET_PARAMETERS = /([?&](?:password|pin|credential_key|apikey|token)=)[^&#]*/gi;

/** The URL with the panel's device key (a panel can be given only a URL) and secret parameters replaced. */
export function redactUrl(url: string): string {
  return url.replace(/(\/api\/v1\/panel\/)[^/?#]+/, `$1${REDACTED}`).replace(SECRET_PARAMETERS, `$1${REDACTED}`);
}

export function serializeRequest(request: { method: string; url: string; ip?: string }): { method: string; url: string; remoteAddress?: string | undefined } {
  return { method: request.method, url: redactUrl(request.url), remoteAddress: request.ip };
}

export function serializeError(error: unknown): { type: string; code?: string; message: string; stack: string } {
  const type = error instanceof Error ? error.constructor.name : typeof error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  const hidden = { message: REDACTED, stack: REDACTED };
  return typeof code === 'string' || typeof code === 'number' ? { type, code: String(code), ...hidden } : { type, ...hidden };
}
