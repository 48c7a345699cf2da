import type { FastifyReply } from 'fastify';
import { type Static, type TObject, type TSchema, Type } from 'typebox';
import { keysetChunks, mapChunks } from '../../db/keyset.ts';
import type { Queryable } from '../../db/queryable.ts';
import { toId } from '../../domain/batch-checks.ts';
import type { ApiKeyPrincipal } from '../../modules/api-keys/api-keys.service.ts';
import { type AppContext, LOCKT_API_KEY, LOCKT_SECURITY, type TypedApp } from '../../modules/module.ts';
import type { Site } from '../../domain/site.ts';
import { type BatchOperation, type CheckBatch, type SiteCall, type SummaryKind, type WriteBatch, batchOperation } from '../../domain/batch.ts';
import { runBatch } from '../batch.ts';
import { PagingQuery, readPaging } from '../paging.ts';
import { principalOf } from '../plugins/api-key-auth.ts';
import { BatchResponse, DataEnvelope, DeleteSummary, ProcessSummary, WriteSummary, batchBody } from '../schemas.ts';
import { sendDataStream } from './stream.ts';

/**
 * The route pieces most Lockt resources repeat: a batch write behind the site's API key (its body and
 * response schemas, derived from the operation, and the delete-by-id operation), and a paged, streamed
 * list. A module registers each in one call, so the routes cannot drift apart.
 */

const SUMMARY_SCHEMAS: Record<SummaryKind, TObject> = { write: WriteSummary, delete: DeleteSummary, process: ProcessSummary };

/**
 * The 200 response schema of a batch write from the kinds of summary it can answer: one kind, or several
 * when a query flag turns the route into another operation (`POST /door?unlock`).
 */
export function responseFor(kind: SummaryKind, ...others: SummaryKind[]): ReturnType<typeof BatchResponse> {
  const summary = SUMMARY_SCHEMAS[kind];
  return BatchResponse(others.length === 0 ? summary : Type.Union([summary, ...others.map((other) => SUMMARY_SCHEMAS[other])]));
}

/**
 * The body schema of a batch operation: its node, record schema and options, exactly as the runner reads
 * them. `optional` for a route whose body may be absent (see `batchBody`).
 */
export function bodyFor(
  operation: Pick<BatchOperation<unknown, unknown, unknown>, 'node' | 'record' | 'options'>,
  flags: { optional?: boolean } = {},
): TObject {
  return batchBody(operation.node, operation.record, operation.options, flags);
}

/**
 * The operation behind a Lockt delete by id (`{"<node>": [{"id"}]}`): each id read as `toId` reads it,
 * checked and deleted by the module's service, and answered with a deletion summary.
 */
export function deleteById<Context = SiteCall>(
  node: string,
  record: TObject,
  check: CheckBatch<number | undefined, number, Context>,
  write: WriteBatch<number, Context>,
): BatchOperation<number | undefined, number, Context> {
  return batchOperation({ node, record, summary: 'delete', parse: (fields) => toId(fields.id), check, write });
}

/** A batch write route: where it is, how OpenAPI describes it, and the operation behind it. */
export interface BatchWriteRoute<Input, Plan, Context = SiteCall> {
  method: 'POST' | 'PUT' | 'DELETE';
  url: string;
  tags: string[];
  summary: string;
  operation: BatchOperation<Input, Plan, Context>;
  context: Pick<AppContext, 'db' | 'clock'>;
  /** The 200 schema when the answer carries more than the summary (WriteCounts.shownOnce). */
  response?: TObject;
}

/** How a batch route calls its operation: the context built for the caller, and what follows the commit. */
export interface BatchCall<Context> {
  call: (principal: ApiKeyPrincipal) => Context;
  /** Runs once the batch has committed, with the context its write filled in (the devices to wake). */
  afterCommit?: (context: Context) => void;
}

/**
 * Registers a Lockt batch write: API-key auth, the body and response schemas derived from the operation,
 * and `runBatch` with the caller's site. Routes that dispatch on a query flag register themselves.
 */
export function batchWriteRoute<Input, Plan>(app: TypedApp, route: BatchWriteRoute<Input, Plan>): void {
  const { clock } = route.context;
  batchCallRoute(app, route, { call: (principal) => ({ site: principal.site, clock }) });
}

/** Registers a Lockt batch write whose operation takes a context of its own (`how` builds it for the caller). */
export function batchCallRoute<Input, Plan, Context>(app: TypedApp, route: BatchWriteRoute<Input, Plan, Context>, how: BatchCall<Context>): void {
  const { operation } = route;
  const { db } = route.context;
  app.route({
    method: route.method,
    url: route.url,
    config: LOCKT_API_KEY,
    schema: {
      tags: route.tags,
      security: LOCKT_SECURITY,
      summary: route.summary,
      body: bodyFor(operation),
      response: { 200: route.response ?? responseFor(operation.summary) },
    },
    handler: async (request) => {
      const principal = principalOf(request);
      const context = how.call(principal);
      const result = await runBatch(db, operation, request.body, principal, context);
      how.afterCommit?.(context);
      return result;
    },
  });
}

/** What one batch write of a URL states: its method, summary and operation (and answer, where it differs). */
export type BatchWrite = (app: TypedApp, shared: Pick<BatchWriteRoute<unknown, unknown>, 'url' | 'tags' | 'context'>) => void;

/** One write of `batchWrites`, typed by its own operation. */
export function batchWrite<Input, Plan>(
  method: BatchWriteRoute<Input, Plan>['method'],
  summary: string,
  operation: BatchOperation<Input, Plan, SiteCall>,
  response?: TObject,
): BatchWrite {
  return (app, shared) => batchWriteRoute(app, { ...shared, method, summary, operation, ...(response ? { response } : {}) });
}

/** One write of `batchWrites` whose operation takes a context of its own (`how` builds it, as for `batchCallRoute`). */
export function batchCall<Input, Plan, Context>(
  method: BatchWriteRoute<Input, Plan, Context>['method'],
  summary: string,
  operation: BatchOperation<Input, Plan, Context>,
  how: BatchCall<Context>,
): BatchWrite {
  return (app, shared) => batchCallRoute(app, { ...shared, method, summary, operation }, how);
}

/** The batch writes of one Lockt URL (POST, PUT, DELETE as the resource has them), in the order given. */
export function batchWrites(app: TypedApp, shared: Pick<BatchWriteRoute<unknown, unknown>, 'url' | 'tags' | 'context'>, writes: BatchWrite[]): void {
  for (const write of writes) write(app, shared);
}

/**
 * Streams one page (`?limit=&after_id=`, see paging.ts) of a list read in id chunks, each row presented
 * as it passes. `fetch(afterId, limit)` returns the rows with id > afterId, ascending.
 */
export function streamPaged<Row extends { id: number }>(
  reply: FastifyReply,
  query: { limit?: string | undefined; after_id?: string | undefined },
  fetch: (afterId: number, limit: number) => Promise<Row[]>,
  present: (row: Row) => unknown,
): Promise<FastifyReply> {
  const { limit, afterId } = readPaging(query);
  return sendDataStream(reply, mapChunks(keysetChunks(fetch, { afterId, total: limit }), present));
}

/** A list behind the site's API key, read as its query asks: where it is, how OpenAPI describes it, how it answers. */
export interface ListRoute<Query extends TObject> {
  url: string;
  tags: string[];
  summary: string;
  querystring: Query;
  /** Schema of one presented row. */
  object: TSchema;
  /** Answers for the caller's site (streamed through `streamPaged`, or a whole array through `data`). */
  handler: (query: Static<Query>, site: Site, reply: FastifyReply) => Promise<FastifyReply | { data: unknown[] }>;
}

/** Registers `GET <url>` of a list: API-key auth, the query and the `{"data": [object]}` answer in OpenAPI. */
export function listRoute<Query extends TObject>(app: TypedApp, route: ListRoute<Query>): void {
  app.get(route.url, {
    config: LOCKT_API_KEY,
    schema: {
      tags: route.tags,
      security: LOCKT_SECURITY,
      summary: route.summary,
      querystring: route.querystring,
      response: { 200: DataEnvelope(Type.Array(route.object)) },
    },
    // The querystring schema has validated the query; the type provider cannot resolve a schema left generic.
    handler: async (request, reply) => route.handler(request.query as Static<Query>, principalOf(request).site, reply),
  });
}

/** A list that takes no selector: every row of the site, paged. */
export interface PagedListRoute<Row extends { id: number }> {
  url: string;
  tags: string[];
  summary: string;
  /** Schema of one presented row. */
  object: TSchema;
  /** The site's rows with id > afterId, ascending, at most `limit`. */
  list: (db: Queryable, siteId: number, afterId: number, limit: number) => Promise<Row[]>;
  present: (row: Row, site: Site) => unknown;
  context: Pick<AppContext, 'db'>;
}

/** Registers `GET <url>`: the site's whole list, streamed, with the paging extension. */
export function pagedListRoute<Row extends { id: number }>(app: TypedApp, route: PagedListRoute<Row>): void {
  const { list, present } = route;
  const { db } = route.context;
  listRoute(app, {
    ...route,
    querystring: Type.Object(PagingQuery),
    handler: (query, site, reply) =>
      streamPaged(
        reply,
        query,
        (after, n) => list(db, site.id, after, n),
        (row) => present(row, site),
      ),
  });
}

/**
 * A Lockt resource whose routes share one URL and tag: its paged list and its batch writes. Most resources
 * are only this; one declaration registers them all alike.
 */
export interface ResourceRoutes<Row extends { id: number }> {
  url: string;
  tags: string[];
  list: Omit<PagedListRoute<Row>, 'url' | 'tags' | 'context'>;
  writes: BatchWrite[];
}

/** Registers the resource's `GET` list, then its writes in the order given (the order OpenAPI lists them in). */
export function resourceRoutes<Row extends { id: number }>(
  app: TypedApp,
  context: Pick<AppContext, 'db' | 'clock'>,
  resource: ResourceRoutes<Row>,
): void {
  const { url, tags } = resource;
  pagedListRoute(app, { ...resource.list, url, tags, context });
  batchWrites(app, { url, tags, context }, resource.writes);
}
