import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { hashSecret } from '../../lib/secrets.ts';
import { type ApiKeyPrincipal, authenticateApiKey } from '../../modules/api-keys/api-keys.service.ts';
import { rememberedCallers } from './caller-cache.ts';
import { addRouteHook } from './route-hooks.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** How the route authenticates its caller; routes without it are public. `device`: src/http/plugins/device-auth.ts; `console`: src/http/plugins/console-auth.ts. */
    auth?: 'api_key' | 'device' | 'operator' | 'console';
    /** Operator routes that any logged-in role may call with a write method (logout). */
    anyRole?: boolean;
  }
  interface FastifyRequest {
    principal: ApiKeyPrincipal | null;
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Authenticates Lockt routes from the `apiuser` and `apikey` headers before the body is read, so an
 * unauthenticated caller never gets its body parsed. Keys that passed are remembered (caller-cache.ts).
 */
export function installApiKeyAuth(app: FastifyInstance, db: Queryable, clock: Clock): void {
  const keys = rememberedCallers<ApiKeyPrincipal>(app, db, clock);
  app.decorateRequest('principal', null);
  addRouteHook(
    app,
    'onRequest',
    (route) => route.config?.auth === 'api_key',
    async (request) => {
      const apiuser = header(request, 'apiuser');
      const apikey = header(request, 'apikey');
      if (!apiuser || !apikey) {
        throw ERRORS.unauthorized('Missing API credentials: send the apiuser and apikey headers.');
      }
      request.principal = await keys.get(`${apiuser}:${hashSecret(apikey)}`, async () => ({
        caller: await authenticateApiKey(db, apiuser, apikey),
      }));
    },
  );
}

/** The authenticated caller of an `auth: 'api_key'` route. */
export function principalOf(request: FastifyRequest): ApiKeyPrincipal {
  if (!request.principal) throw ERRORS.unauthorized();
  return request.principal;
}
