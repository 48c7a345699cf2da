import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { ERRORS } from '../../domain/errors.ts';
import { callerOf } from './caller.ts';
import { addRouteHook } from './route-hooks.ts';

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
  // Only the routes a caller writes through hold anything: reads and decisions skip these hooks entirely.
  const holds = (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    return methods.some((method) => WRITE_METHODS.has(method)) && !DECISION_ROUTES.has(route.url);
  };

  addRouteHook(app, 'preParsing', holds, (request, reply, payload, done) => {
    if (!WRITE_METHODS.has(request.method)) return done(null, payload);
    const { key, kind } = callerOf(request);
    if (kind === undefined) return done(null, payload);
    if (running.has(key)) return done(ERRORS.writeInProgress(kind));
    running.add(key);
    held.set(request, key);
    reply.raw.once('close', () => {
      if (!started.has(request)) release(request);
    });
    done(null, payload);
  });
  addRouteHook(app, 'preHandler', holds, (request, _reply, done) => {
    started.add(request);
    done();
  });
  addRouteHook(app, 'onSend', holds, (request, _reply, payload, done) => {
    release(request);
    done(null, payload);
  });
}
