import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AddressBudget } from '../client-errors.ts';
import { ERRORS } from '../../domain/errors.ts';
import { addressKey, callerOf } from './caller.ts';

export interface RateLimitSettings {
  /** Requests one caller may make per window; 0 turns rate limiting off. */
  max: number;
  windowMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitSettings = { max: 600, windowMs: 60_000 };

/**
 * Per-caller request budgets with `@fastify/rate-limit`, answering `RateLimit-Limit`, `-Remaining` and
 * `-Reset` on every limited route and `Retry-After` with the 429. The counts live in this process's
 * memory: each Portcullis process counts its own (docs/abuse.md).
 *
 * The library adds its check to each route as a route hook, so it runs after authentication and the
 * budget belongs to a proven caller (src/http/plugins/caller.ts). A request whose credentials fail never
 * reaches it: those are counted against the client address instead, and an address with a window's worth
 * of failures is refused before its credentials are even looked up.
 *
 * Call before the authentication hooks and before any route is registered. Returns the address budget
 * that what Node refuses before Fastify sees a request is counted against (src/http/client-errors.ts).
 */
export async function installRateLimits(app: FastifyInstance, settings: RateLimitSettings): Promise<AddressBudget | undefined> {
  if (settings.max === 0) return undefined;
  const windowSeconds = Math.ceil(settings.windowMs / 1000);
  await app.register(rateLimit, {
    global: true,
    // An operator account may have been given its own budget (`portcullis operator set-rate-limit`), for
    // a client syncing a large site; every other caller has the server's.
    max: (request) => request.operator?.rateLimit ?? settings.max,
    timeWindow: settings.windowMs,
    enableDraftSpec: true,
    keyGenerator: (request) => callerOf(request).key,
    errorResponseBuilder: (_request, context) => ERRORS.rateLimited(context.max, windowSeconds, Math.ceil(context.ttl / 1000)),
  });

  const failedAuthentications = app.createRateLimit({ max: settings.max, keyGenerator: (request) => `failed-auth:${addressKey(request)}` });
  app.addHook('onRequest', async (request) => {
    const seen = await failedAuthentications(request, { increment: false });
    if (!seen.isAllowed && seen.remaining === 0) throw ERRORS.rateLimited(seen.max, windowSeconds, seen.ttlInSeconds);
  });
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode === 401) await failedAuthentications(request);
  });

  // The same bucket as any request without credentials from that address; there is no request to read
  // a forwarded address from, so behind a proxy it is the proxy's.
  const byAddress = app.createRateLimit({ keyGenerator: addressKey });
  return async (address) => {
    const seen = await byAddress({ ip: address, routeOptions: { config: {} } } as unknown as FastifyRequest);
    // No allow list is configured, so the limiter always counts and answers with the count.
    if (seen.isAllowed) throw new Error('The rate limiter let an address through an allow list; none is configured');
    return { limit: seen.max, remaining: seen.remaining, resetSeconds: seen.ttlInSeconds };
  };
}
