import type { FastifyInstance } from 'fastify';
import { ERRORS } from '../../domain/errors.ts';

/**
 * Behind a TLS-terminating proxy the socket is plain, so the request must say it arrived over HTTPS.
 * Fastify's `trustProxy` believes `X-Forwarded-Proto` only from the configured proxy addresses; from
 * anyone else the protocol stays `http` and the request is refused.
 */
export function installProxiedHttpsGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (request.protocol !== 'https') throw ERRORS.httpsRequired();
  });
}
