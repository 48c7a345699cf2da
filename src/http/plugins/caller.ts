import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';

/** Whom a request counts against, for the rate limit and the one-write rule (docs/abuse.md). */
export interface Caller {
  /**
   * The bucket: the authenticated API key, device or operator account by id (never a secret, nor
   * anything derived from one), else the client address (an IPv6 /64 counts as one address).
   */
  key: string;
  /** How messages name an authenticated caller; absent for one counted by address. */
  kind?: 'API key' | 'device' | 'operator';
}

/** Read after authentication: a forged `apiuser` or bearer header cannot spend another caller's budget. */
export function callerOf(request: FastifyRequest): Caller {
  if (request.principal) return { key: `api_key:${request.principal.keyId}`, kind: 'API key' };
  if (request.device) return { key: `device:${request.device.id}`, kind: 'device' };
  if (request.operator) return { key: `operator:${request.operator.userId}`, kind: 'operator' };
  return { key: addressKey(request) };
}

export function addressKey(request: FastifyRequest): string {
  return `ip:${normalizeIP(request.ip)}`;
}
