import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import { siteOfPrefix } from '../basip/site-prefix.ts';
import { rememberedCallers } from './caller-cache.ts';
import { addRouteHook } from './route-hooks.ts';
import { addressKey } from './caller.ts';
import type { Clock } from '../../lib/clock.ts';
import { hashSecret } from '../../lib/secrets.ts';
import { type OperatorPrincipal, authenticateBasic, authenticateSession } from '../../modules/operator-sessions/operator-sessions.service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    operator: OperatorPrincipal | null;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const BASIC = /^Basic\s+(\S+)\s*$/i;

/** The bearer token of the request, if it has one (logout needs it to end the session). */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
}

/**
 * Authenticates the panel face's routes (`auth: 'operator'`) with `Authorization: Bearer <token>` from
 * `/api/v1/login`, or HTTP Basic with the operator's username and password. Reading is open to every
 * operator role; anything else needs an admin ("Administrator rights required"). Tokens that passed are
 * remembered until their session ends (caller-cache.ts); Basic is checked every time, with the login
 * throttle.
 */
export function installOperatorAuth(app: FastifyInstance, db: Queryable, clock: Clock): void {
  const sessions = rememberedCallers<OperatorPrincipal>(app, db, clock);
  app.decorateRequest('operator', null);
  addRouteHook(
    app,
    'onRequest',
    (route) => route.config?.auth === 'operator',
    async (request) => {
      const { anyRole } = request.routeOptions.config;
      const header = request.headers.authorization;
      const token = bearerToken(request);
      const basic = typeof header === 'string' ? BASIC.exec(header)?.[1] : undefined;
      const siteId = siteOfPrefix(request);
      let operator: OperatorPrincipal;
      if (token) {
        operator = await sessions.get(hashSecret(token), async () => {
          const { operator: caller, expiresAt } = await authenticateSession(db, token, clock.now());
          return { caller, until: expiresAt };
        });
        // A token is refused under another site's URL prefix.
        if (siteId !== undefined && operator.site.id !== siteId) throw ERRORS.unauthorized();
      } else if (basic) {
        const decoded = Buffer.from(basic, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon < 0) throw ERRORS.unauthorized();
        operator = await authenticateBasic(
          db,
          { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), address: addressKey(request), siteId },
          clock,
        );
      } else throw ERRORS.unauthorized();
      if (request.method !== 'GET' && !anyRole && operator.role !== 'admin') {
        throw ERRORS.forbidden('Administrator rights required');
      }
      request.operator = operator;
    },
  );
}

/** The operator of an `auth: 'operator'` route. */
export function operatorOf(request: FastifyRequest): OperatorPrincipal {
  if (!request.operator) throw ERRORS.unauthorized();
  return request.operator;
}
