import { type AppOptions, buildApp } from '../../src/app.ts';
import { RESOURCE_MODULES } from '../../src/modules/index.ts';
import type { ResourceModule, TypedApp } from '../../src/modules/module.ts';
import { responseCheck } from '../response-check.ts';

/**
 * Every route the app serves, as Fastify registers it: method, URL template, how it authenticates and
 * its schemas (which the fuzzer uses to build near-valid requests). Recorded by an `onRoute` hook added
 * ahead of the modules, so routes hidden from OpenAPI (GET /logout) are found too.
 */
export type RouteAuth = 'api_key' | 'device' | 'operator' | 'panel' | 'none';

export interface FuzzRoute {
  method: string;
  url: string;
  auth: RouteAuth;
  body?: unknown;
  querystring?: unknown;
  params: string[];
}

interface RouteOptionsSeen {
  method: string | string[];
  url: string;
  config?: { auth?: string };
  schema?: { body?: unknown; querystring?: unknown };
}

function authOf(route: RouteOptionsSeen): RouteAuth {
  if (route.url.includes(':device_key')) return 'panel';
  const auth = route.config?.auth;
  return auth === 'api_key' || auth === 'device' || auth === 'operator' ? auth : 'none';
}

/**
 * Builds the app exactly as `buildApp` does, with a recorder of every route the modules register and the
 * harness's check of every response against the OpenAPI document (`undocumented`: what it found since
 * the last call).
 */
export async function buildRecordedApp(options: AppOptions): Promise<{ app: TypedApp; routes: FuzzRoute[]; undocumented: () => string[] }> {
  const routes: FuzzRoute[] = [];
  const recorder: ResourceModule = {
    name: 'route-recorder',
    register(app) {
      app.addHook('onRoute', (route) => {
        const seen = route as unknown as RouteOptionsSeen;
        const methods = Array.isArray(seen.method) ? seen.method : [seen.method];
        for (const method of methods) {
          const params = [...seen.url.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1] ?? '');
          routes.push({ method, url: seen.url, auth: authOf(seen), body: seen.schema?.body, querystring: seen.schema?.querystring, params });
        }
      });
    },
  };
  const modules = options.modules ?? RESOURCE_MODULES;
  const responses = responseCheck(modules);
  const app = await buildApp({ ...options, modules: [responses.module, recorder, ...modules] });
  // The app's own routes registered before the modules (the OpenAPI document); /docs is no wire face.
  routes.push({ method: 'GET', url: '/api/v1/openapi.json', auth: 'none', params: [] });
  const unique = new Map(routes.map((r) => [`${r.method} ${r.url}`, r]));
  return { app, routes: [...unique.values()], undocumented: responses.take };
}

/**
 * Which face answers a path, written from the vendors' documents rather than taken from src/http/faces.ts,
 * so a route that drifted into the wrong face is caught: the BAS-IP notes' `/api/info`, `/login`,
 * `/logout`, `/access/…`, `/apartment…`, `/log/…`, the panel's settings sections SmartYard-Server calls
 * (`/device/…`, `/network/…`, `/syslog/…`, `/forward/…`, `/system/…`, `/security/…`, `/web/…`, `/photo/…`,
 * `/sip/…`) and the panel's remote-access URL; all else, Portcullis's own `/device/access|events|state|
 * commands` included, is Lockt.
 */
export function faceOfPath(path: string): 'lockt' | 'basip' {
  if (/^\/api\/v1\/device\/(access|events|state|commands)(\/|\?|$)/.test(path)) return 'lockt';
  return /^\/api\/(info(\/|$)|v1\/(login|logout|access\/|apartment|log\/|panel\/|device\/|network\/|syslog\/|forward\/|system\/|security\/|web\/|photo\/|sip\/))/.test(
    path,
  )
    ? 'basip'
    : 'lockt';
}

/** A violation of the face's error format, or undefined when `body` is a well-formed error of that face. */
export function errorFormatProblem(face: 'lockt' | 'basip', body: unknown): string | undefined {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const keys = (v: Record<string, unknown>) => Object.keys(v).sort().join(',');
  if (!isObject(body)) return 'error body is not a JSON object';
  if (face === 'basip') {
    return keys(body) === 'error' && typeof body.error === 'string' && body.error !== '' ? undefined : 'not BAS-IP {"error": "…"}';
  }
  if (keys(body) === 'data') {
    const data = body.data;
    return isObject(data) && keys(data) === 'error' && typeof data.error === 'string' && data.error !== ''
      ? undefined
      : 'not Lockt {"data": {"error": "…"}}';
  }
  if (keys(body) === 'errors,result') {
    const { result, errors } = body;
    const wellFormed =
      Array.isArray(result) &&
      result.every((m) => typeof m === 'string') &&
      Array.isArray(errors) &&
      errors.every((e) => isObject(e) && Array.isArray(e.error) && e.error.every((m) => typeof m === 'string') && 'input_data' in e);
    return wellFormed ? undefined : 'malformed Lockt {"result": […], "errors": […]}';
  }
  return `neither Lockt error envelope (keys: ${keys(body)})`;
}
