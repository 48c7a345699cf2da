import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

/**
 * Browser-facing protections on every answer, errors included (`@fastify/helmet`). The APIs answer JSON
 * only, so their content policy allows nothing and no framing; the `/docs` page sets its own policy for
 * Swagger UI's scripts and styles (`staticCSP` in app.ts). Answers carry credentials' data and change with
 * every write, so no cache may keep them.
 *
 * Call first, so that answers refused by later hooks carry these too.
 */
export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: { maxAge: ONE_YEAR_SECONDS, includeSubDomains: true },
  });
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
}
