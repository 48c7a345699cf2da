import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TObject } from 'typebox';
import type { AccessIndex } from '../access/access-index.ts';
import type { Queryable } from '../db/queryable.ts';
import type { Face } from '../http/faces.ts';
import type { Clock } from '../lib/clock.ts';
import type { WebhookSettings } from './webhooks/webhooks.service.ts';
import type { ObjectTypes } from './system/object-types.ts';

/** A Fastify instance whose route schemas type their handlers. */
export type TypedApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What every module's routes are given. */
export interface AppContext {
  db: Queryable;
  clock: Clock;
  bodyLimit: number;
  /** Every object type `/object` can describe, gathered from all modules. */
  objectTypes: ObjectTypes;
  /** The in-memory index decisions read facts from; kept current by the store's change feed. */
  access: AccessIndex;
  /** The key webhook secrets are sealed with and which targets serve allows. */
  webhooks: WebhookSettings;
}

/** One resource folder as the app sees it: its routes and the objects it lets `/object` describe. */
export interface ResourceModule {
  name: string;
  /** The face all its routes speak, stamped on each route's config at registration (src/http/faces.ts). */
  face?: Face;
  objectTypes?: Record<string, TObject>;
  register(app: TypedApp, context: AppContext): void;
}

/** Route config of every Lockt endpoint that needs the site's API key. */
export const LOCKT_API_KEY = { auth: 'api_key' } as const;

/** OpenAPI security requirement of those endpoints. */
export const LOCKT_SECURITY = [{ apiuser: [], apikey: [] }];
