import type { FastifyInstance, RouteOptions } from 'fastify';

type RouteHookName = 'onRequest' | 'preParsing' | 'preHandler' | 'onSend';
type HookOf<Name extends RouteHookName> = Extract<NonNullable<RouteOptions[Name]>, (...args: never[]) => unknown>;

/**
 * Runs `hook` at `name` on the requests of the routes `applies` picks, and only theirs: an app-wide hook
 * runs on every request of every route, and the authentication and one-write hooks that only a few routes
 * need had every request pay for all of them (docs/performance.md). The hook goes first among the
 * route's own hooks of that name, which run after the app-wide ones: where an app-wide hook of the plugin
 * ran before, so before what a plugin registered earlier added to the route (the rate limit's check,
 * which must know the caller) and before the route's own.
 */
export function addRouteHook<Name extends RouteHookName>(
  app: FastifyInstance,
  name: Name,
  applies: (route: RouteOptions) => boolean,
  hook: HookOf<Name>,
): void {
  app.addHook('onRoute', (route) => {
    if (!applies(route)) return;
    const own = route[name];
    // A new list, not the old one changed: Fastify copied the options for the GET route's HEAD twin, which
    // gets its own call here.
    const hooks = own === undefined ? [] : Array.isArray(own) ? own : [own];
    Object.assign(route, { [name]: [hook, ...hooks] });
  });
}
