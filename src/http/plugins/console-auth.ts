import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { type Capability, may } from '../../modules/console/console-permissions.ts';
import { addRouteHook } from './route-hooks.ts';
import { CONSOLE_MAX_MS, authenticateConsole } from '../../modules/operator-sessions/operator-sessions.service.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What a console route needs of the operator's role (src/modules/console/console-permissions.ts). */
    capability?: Capability;
  }
}

/**
 * The console's session cookie. `__Host-`: the browser keeps it only if it is Secure, for this host
 * alone and the whole path; HttpOnly keeps it from scripts, SameSite=Strict from other sites' requests.
 */
export const CONSOLE_COOKIE = '__Host-portcullis-console';
/** The header every console write carries its CSRF token in (docs/console.md). */
const CSRF_HEADER = 'x-csrf-token';

const READS = new Set(['GET', 'HEAD']);

/** The cookie's session token, if the request carries one. */
export function consoleToken(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === CONSOLE_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The CSRF token of a session: derived from its secret token, so it needs no storage, changes with
 * every session and cannot be made without the cookie, which another site's page cannot read.
 */
export function csrfTokenOf(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('portcullis console csrf').digest('base64url');
}

function csrfMatches(request: FastifyRequest, sessionToken: string): boolean {
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== 'string') return false;
  const expected = Buffer.from(csrfTokenOf(sessionToken));
  const given = Buffer.from(sent);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function setConsoleCookie(reply: FastifyReply, token: string): void {
  reply.header('set-cookie', `${CONSOLE_COOKIE}=${token}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=${CONSOLE_MAX_MS / 1000}`);
}

export function clearConsoleCookie(reply: FastifyReply): void {
  reply.header('set-cookie', `${CONSOLE_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`);
}

/**
 * Authenticates the console's routes (`auth: 'console'`) from the session cookie, before the body is
 * read: every write must carry the session's CSRF token, and the route's capability must be the role's
 * (403 otherwise, whatever the page offered).
 */
export function installConsoleAuth(app: FastifyInstance, db: Queryable, clock: Clock): void {
  addRouteHook(
    app,
    'onRequest',
    (route) => route.config?.auth === 'console',
    async (request) => {
      const { capability } = request.routeOptions.config;
      const token = consoleToken(request);
      if (!token) throw ERRORS.unauthorized('Sign in to the console.');
      const operator = await authenticateConsole(db, token, clock.now());
      if (!READS.has(request.method) && !csrfMatches(request, token)) throw ERRORS.forbidden('Missing or wrong CSRF token: reload the console.');
      if (capability !== undefined && !may(operator.role, capability)) throw ERRORS.forbidden(`The ${operator.role} role may not do this.`);
      request.operator = operator;
    },
  );
}
