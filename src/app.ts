import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerFactory, type FastifyServerOptions } from 'fastify';
import type { TObject } from 'typebox';
import { AccessIndex } from './access/access-index.ts';
import type { Queryable } from './db/queryable.ts';
import { frameworkErrorHandler, installErrorHandling } from './http/error-handler.ts';
import { type AddressBudgetHolder, clientErrorHandler } from './http/client-errors.ts';
import { installJsonBodyParser } from './http/json-body.ts';
import { ERROR_SCHEMAS, SECURITY_SCHEMES, documentedSchema } from './http/openapi.ts';
import { withoutSitePrefix } from './http/basip/site-prefix.ts';
import { LocktPaths } from './http/lockt/paths.ts';
import { installApiKeyAuth } from './http/plugins/api-key-auth.ts';
import { installDeviceAuth } from './http/plugins/device-auth.ts';
import { installProxiedHttpsGuard } from './http/plugins/https-guard.ts';
import { serializeError, serializeRequest } from './http/plugins/log-serializers.ts';
import { installOneWriteAtATime } from './http/plugins/one-write-at-a-time.ts';
import { installOperatorAuth } from './http/plugins/operator-auth.ts';
import { installConsoleAuth } from './http/plugins/console-auth.ts';
import { type RateLimitSettings, installRateLimits } from './http/plugins/rate-limit.ts';
import { installRequestContext } from './http/plugins/request-context.ts';
import { OneLinePerRequest } from './http/plugins/request-log.ts';
import { installSecurityHeaders } from './http/plugins/security-headers.ts';
import { installTextGuard } from './http/plugins/text-guard.ts';
import { responseSerializer } from './http/response-serializers.ts';
import { validatorCompiler } from './http/validation.ts';
import { RouteFaces } from './http/faces.ts';
import { type Clock, systemClock } from './lib/clock.ts';
import { VERSION } from './lib/release.ts';
import { type MetricsSettings, installMetrics } from './metrics/metrics.routes.ts';
import { RESOURCE_MODULES } from './modules/index.ts';
import type { ResourceModule, TypedApp } from './modules/module.ts';
import { DoorModeSync } from './modules/door-modes/mode-sync-worker.ts';
import { DEFAULT_DELIVERY, type DeliverySettings, WebhookWorker } from './modules/webhooks/webhook-worker.ts';
import type { WebhookSettings } from './modules/webhooks/webhooks.service.ts';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface AppOptions {
  db: Queryable;
  clock?: Clock;
  /** Largest request body, in bytes. */
  bodyLimit?: number;
  /**
   * Set when a TLS-terminating proxy sits in front: the addresses (or CIDR ranges) whose
   * `X-Forwarded-Proto` is believed. Without it Portcullis expects to terminate TLS itself.
   */
  trustedProxies?: string[];
  /** Fastify/pino logger options; false (the default) logs nothing, as tests want. */
  logger?: FastifyServerOptions['logger'];
  /** Builds the raw server (the TLS server, in production); tests use the default. */
  serverFactory?: FastifyServerFactory;
  modules?: readonly ResourceModule[];
  /**
   * Requests per window for each caller (docs/abuse.md); omitted or `max: 0`, none. `serve` always sets
   * one (600 a minute unless configured), so module tests can make as many requests as they need.
   */
  rateLimit?: RateLimitSettings;
  /**
   * Refuse a caller's write while another of its writes runs (docs/abuse.md). `serve` turns it on; off
   * when omitted, so module tests can race two writes of one key against the store's unique indexes.
   */
  oneWriteAtATime?: boolean;
  /**
   * Webhooks: the secrets' key, the targets allowed, and whether this process delivers (`serve` always
   * does). Without it, an app can manage subscriptions with a key of its own (so their secrets sign
   * nothing it does not deliver itself) and delivers nothing.
   */
  webhooks?: WebhookSettings & { deliver?: Partial<DeliverySettings> | false };
  /**
   * Send devices the door modes reached by time passing, every `everyMs` (docs/door-modes.md); `serve`
   * always does. Omitted, none: a test runs `DoorModeSync.look()` itself after moving its clock.
   */
  doorModeSync?: { everyMs: number };
  /** `GET /metrics` and its token (docs/operations.md); without it there is no such route. */
  metrics?: MetricsSettings | undefined;
}

/** Secrets that must never reach a log line, wherever they appear in a logged request. */
const REDACTED = ['req.headers.apikey', 'req.headers.authorization', 'req.headers.cookie'];

/** Builds the application without listening, so tests can inject requests into the real stack. */
export async function buildApp(options: AppOptions): Promise<TypedApp> {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const addressBudget: AddressBudgetHolder = {};
  const proxied = options.trustedProxies !== undefined && options.trustedProxies.length > 0;
  const logger =
    options.logger && typeof options.logger === 'object'
      ? {
          ...options.logger,
          redact: { paths: REDACTED, censor: '[redacted]' },
          serializers: { req: serializeRequest, err: serializeError },
        }
      : (options.logger ?? false);
  // Filled as the routes are registered, before the first request is rewritten.
  const locktPaths = new LocktPaths();
  const app = Fastify({
    logger,
    logController: new OneLinePerRequest(),
    bodyLimit,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    trustProxy: proxied ? options.trustedProxies : false,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    rewriteUrl: (request: IncomingMessage) => locktPaths.canonical(withoutSitePrefix(request)),
    // While shutting down, a request on a kept-alive connection is still answered (with Connection:
    // close) rather than refused in Fastify's own format: the store stays open until the server drains.
    return503OnClosing: false,
    frameworkErrors: frameworkErrorHandler(bodyLimit),
    clientErrorHandler: clientErrorHandler(addressBudget),
    ...(options.serverFactory ? { serverFactory: options.serverFactory } : {}),
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as TypedApp;

  const routeFaces = new RouteFaces(app);
  locktPaths.learnFrom(app);
  app.setValidatorCompiler(validatorCompiler(routeFaces));
  app.setSerializerCompiler(responseSerializer);
  installJsonBodyParser(app);
  installTextGuard(app);
  installErrorHandling(app, bodyLimit);
  // Hook order matters: headers first, so every refusal carries them; the rate limit before the
  // authentication it partly guards; the one-write rule after it, once the caller is known.
  installSecurityHeaders(app);
  installRequestContext(app);
  if (proxied) installProxiedHttpsGuard(app);
  if (options.rateLimit) addressBudget.check = await installRateLimits(app, options.rateLimit);
  installApiKeyAuth(app, options.db, options.clock ?? systemClock);
  installDeviceAuth(app, options.db, options.clock ?? systemClock);
  installOperatorAuth(app, options.db, options.clock ?? systemClock);
  installConsoleAuth(app, options.db, options.clock ?? systemClock);
  if (options.oneWriteAtATime) installOneWriteAtATime(app);

  await installOpenApi(app);

  const modules = options.modules ?? RESOURCE_MODULES;
  const objectTypes = new Map<string, TObject>();
  for (const module of modules) {
    for (const [name, schema] of Object.entries(module.objectTypes ?? {})) objectTypes.set(name, schema);
  }
  const access = new AccessIndex(options.db);
  app.addHook('onClose', async () => access.close());
  const webhooks: WebhookSettings = options.webhooks ?? { key: randomBytes(32), policy: { allowHttp: false, allowPrivate: false } };
  const context = { db: options.db, clock: options.clock ?? systemClock, bodyLimit, objectTypes, access, webhooks };
  // Before the routes, so that every route's requests are measured.
  if (options.metrics) installMetrics(app, options.db, options.metrics);
  for (const module of modules) routeFaces.register(module, () => module.register(app, context));
  startBackgroundWork(app, options, webhooks);

  await app.ready();
  return app;
}

/**
 * The work a serving app does besides answering: webhook deliveries and devices told of door modes that
 * change by time. Each stops once requests in flight are answered, before the store closes, so nothing
 * is queued after its worker has stopped.
 */
function startBackgroundWork(app: TypedApp, options: AppOptions, webhooks: WebhookSettings): void {
  const deliver = options.webhooks?.deliver;
  if (options.webhooks && deliver !== false) {
    const worker = new WebhookWorker(options.db, webhooks.key, webhooks.policy, { ...DEFAULT_DELIVERY, ...deliver }, app.log);
    app.addHook('onClose', async () => worker.stop());
    worker.start();
  }
  if (options.doorModeSync) {
    const sync = new DoorModeSync(options.db, options.clock ?? systemClock, options.doorModeSync.everyMs, app.log);
    app.addHook('onClose', async () => sync.stop());
    sync.start();
  }
}

/** The OpenAPI document at /api/v1/openapi.json, and Swagger UI at /docs. */
async function installOpenApi(app: TypedApp): Promise<void> {
  for (const schema of Object.values(ERROR_SCHEMAS)) app.addSchema(schema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Portcullis: Lockt SecureAccess Cloud API v1',
        version: VERSION,
        description:
          'The Lockt SecureAccess Cloud API v1 as Portcullis serves it. Endpoints marked "extension" are Portcullis additions; docs/api-differences.md lists every difference from the vendor document.',
      },
      components: { securitySchemes: SECURITY_SCHEMES },
    },
    transform: ({ schema, url, route }) => ({ schema: documentedSchema(schema, route), url }),
    // Components named by their $id rather than Swagger's `def-N`, so that the client's types name them.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  // Swagger UI's own content policy (its scripts and styles, from this origin) replaces the APIs' on /docs.
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
