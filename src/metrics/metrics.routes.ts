import type { FastifyInstance } from 'fastify';
import type { Queryable } from '../db/queryable.ts';
import { ERRORS } from '../domain/errors.ts';
import { hashSecret, secretMatches } from '../lib/secrets.ts';
import { type PoolUse, PortcullisMetrics } from './prometheus.ts';

export interface MetricsSettings {
  /** The bearer token a scraper must present: a site's card activity is not public information. */
  token: string;
  /** The PostgreSQL pool's use, when the store has a pool. */
  pool?: (() => PoolUse) | undefined;
}

/** What a request is measured under when no route matched: never its raw URL, which a caller chooses. */
const NO_ROUTE = 'unmatched';

/**
 * `GET /metrics` in the Prometheus text format, answered only with `Authorization: Bearer <token>`, and
 * every request's duration measured by its route pattern. Not installed at all (so a 404) without a token.
 */
export function installMetrics(app: FastifyInstance, db: Queryable, settings: MetricsSettings): void {
  const metrics = new PortcullisMetrics(db, settings.pool);
  const tokenHash = hashSecret(settings.token);
  // A callback hook, not an async one: no promise per request on the decision path.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url;
    metrics.request(route === undefined ? 'other' : request.method, route ?? NO_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.addHook('onClose', async () => metrics.close());
  app.get('/metrics', {
    schema: { hide: true },
    handler: async (request, reply) => {
      const presented = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
      // Compared as hashes in constant time, like every other secret here.
      if (presented === undefined || !secretMatches(presented, tokenHash)) throw ERRORS.unauthorized('A valid metrics bearer token is required.');
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  });
}
