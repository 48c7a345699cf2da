import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ERRORS } from '../../domain/errors.ts';
import { callerOf } from './caller.ts';

const WRITE_METHODS = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

/** Access decisions: a door must always get an answer, so these are never refused for a write in progress. */
const DECISION_ROUTES = new Set(['/api/v1/device/access', '/api/v1/panel/:device_key/access']);

/**
 * The spec's "prevent simultaneous and overlapping POST operations": while a write (POST, PUT, DELETE,
 * PATCH) of an API key, device or operator is running, another write of the same caller is refused at once
 * with a 429 rather than queued (docs/abuse.md). Reads are never held up, and callers counted only by
 * address have no key to hold.
 *
 * The write is held from before its body is read until its answer is sent, an error answer included (a
 * body cut short is answered with one). A client that hangs up while the write runs does not free it
 * early: its retry would overlap the write still running. A connection that closes before the handler
 * began, with nothing running, frees it too, so that a request never answered cannot hold its caller.
 *
 * Call after the authentication hooks: the caller must be known.
 */
export function installOneWriteAtATime(app: FastifyInstance): void {
  const running = new Set<string>();
  const held = new WeakMap<FastifyRequest, string>();
  const started = new WeakSet<FastifyRequest>();
  const release = (request: FastifyRequest) => {
    const key = held.get(request);
    if (key === undefined) return;
    held.delete(request);
    running.delete(key);
  };

  app.addHook('preParsing', async (request, reply, payload) => {
    if (!WRITE_METHODS.has(request.method) || DECISION_ROUTES.has(request.routeOptions.url ?? '')) return payload;
    const { key, kind } = callerOf(request);
    if (kind === undefined) return payload;
    if (running.has(key)) throw ERRORS.writeInProgress(kind);
    running.add(key);
    held.set(request, key);
    reply.raw.once('close', () => {
      if (!started.has(request)) release(request);
    });
    return payload;
  });
  app.addHook('preHandler', async (request) => {
    started.add(request);
  });
  app.addHook('onSend', async (request, _reply, payload) => {
    release(request);
    return payload;
  });
}
