import type { FastifyInstance } from 'fastify';

const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

/**
 * Browser-facing protections on every answer, errors included: helmet's defaults, with a content policy
 * that allows nothing and no framing, since the APIs answer JSON only (the `/docs` page replaces the policy
 * with Swagger UI's own: `staticCSP` in app.ts). Answers carry credentials' data and change with every
 * write, so no cache may keep them.
 *
 * Written out rather than through `@fastify/helmet`: every value is fixed, and helmet's per-request
 * middleware chain halved the throughput of a bare Fastify route (docs/performance.md).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': `max-age=${ONE_YEAR_SECONDS}; includeSubDomains`,
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
  'cache-control': 'no-store',
});

/** Call first, so that answers refused by later hooks carry these too. */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(SECURITY_HEADERS);
    done();
  });
}
