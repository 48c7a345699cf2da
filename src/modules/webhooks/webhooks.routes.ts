import { Type } from 'typebox';
import { MAX_ID } from '../../db/conventions.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { BatchOperation } from '../../http/batch.ts';
import { type SiteWriteContext, batchWriteRoute, deleteById, pagedListRoute, streamPaged } from '../../http/lockt/routes.ts';
import { PagingQuery } from '../../http/paging.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { parseWireTime } from '../../lib/site-time.ts';
import { LOCKT_API_KEY, LOCKT_SECURITY, type LocktModule } from '../module.ts';
import { presentAttempt, presentWebhook } from './webhooks.presenter.ts';
import * as repo from './webhooks.repository.ts';
import {
  DeliveriesQuery,
  DeliveriesResponse,
  RedeliveryRequest,
  WebhookCreate,
  WebhookDelete,
  WebhookObject,
  WebhookUpdate,
  WebhookWriteResponse,
} from './webhooks.schema.ts';
import {
  type Redelivery,
  type RedeliveryInput,
  type WebhookFields,
  type WebhookSettings,
  checkNewWebhooks,
  checkRedeliveries,
  checkWebhookDeletions,
  checkWebhookUpdates,
  deleteWebhooks,
  insertWebhooks,
  parseRedelivery,
  parseWebhookFields,
  redeliver,
  updateWebhooks,
} from './webhooks.service.ts';

const tags = ['webhook'];

function operations(settings: WebhookSettings) {
  const create: BatchOperation<WebhookFields, WebhookFields, SiteWriteContext> = {
    node: 'webhooks',
    record: WebhookCreate,
    options: ['validate_fails_batch'],
    summary: 'write',
    parse: parseWebhookFields,
    check: (trx, inputs, _options, context) => checkNewWebhooks(trx, inputs, context, settings),
    write: (trx, plans, _options, context) => insertWebhooks(trx, plans, context, settings),
  };
  const update: BatchOperation<WebhookFields, WebhookFields, SiteWriteContext> = {
    node: 'webhooks',
    record: WebhookUpdate,
    options: ['validate_fails_batch'],
    summary: 'write',
    parse: parseWebhookFields,
    check: (trx, inputs, _options, context) => checkWebhookUpdates(trx, inputs, context, settings),
    write: (trx, plans, _options, context) => updateWebhooks(trx, plans, context, settings),
  };
  const redeliverOperation: BatchOperation<RedeliveryInput, Redelivery, SiteWriteContext> = {
    node: 'redeliveries',
    record: RedeliveryRequest,
    options: ['validate_fails_batch'],
    summary: 'process',
    parse: parseRedelivery,
    check: (trx, inputs, _options, context) => checkRedeliveries(trx, inputs, context),
    write: (trx, plans, _options, context) => redeliver(trx, plans, context),
  };
  return { create, update, redeliver: redeliverOperation, remove: deleteById('webhooks', WebhookDelete, checkWebhookDeletions, deleteWebhooks) };
}

/** A time filter of the delivery log, or a 400 naming it. */
function queryTime(name: string, value: string | undefined, zone: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parseWireTime(value, zone);
  if (!parsed.ok || parsed.value === null) throw ERRORS.badRequest(`Invalid ${name} date found: ${value}`);
  return parsed.value;
}

/** `/webhook` (extension): subscriptions, their delivery log, and redelivery (docs/webhooks.md). */
export const webhooksModule: LocktModule = {
  name: 'webhooks',
  objectTypes: { webhook: WebhookObject, webhook_create: WebhookCreate, webhook_update: WebhookUpdate },
  register(app, context) {
    const { db } = context;
    const ops = operations(context.webhooks);
    pagedListRoute(app, { url: '/api/v1/webhook', tags, summary: 'Extension: list the site’s webhooks (never their secrets).', object: WebhookObject, list: repo.listWebhooks, present: presentWebhook, context });
    batchWriteRoute(app, { method: 'POST', url: '/api/v1/webhook', tags, summary: 'Extension: create webhooks; each one’s signing secret is in shown_once, this once.', operation: ops.create, context, response: WebhookWriteResponse });
    batchWriteRoute(app, { method: 'PUT', url: '/api/v1/webhook', tags, summary: 'Extension: change webhooks, enable or disable them, rotate their secrets.', operation: ops.update, context, response: WebhookWriteResponse });
    batchWriteRoute(app, { method: 'DELETE', url: '/api/v1/webhook', tags, summary: 'Extension: delete webhooks and their deliveries.', operation: ops.remove, context });
    batchWriteRoute(app, { method: 'POST', url: '/api/v1/webhook/redeliver', tags, summary: 'Extension: send deliveries again, by id or a webhook’s time range.', operation: ops.redeliver, context });
    app.get('/api/v1/webhook/deliveries', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'Extension: the delivery log, one row per attempt: time, status, latency, the first bytes of the answer.',
        querystring: Type.Object({ ...DeliveriesQuery, ...PagingQuery }),
        response: { 200: DeliveriesResponse },
      },
      handler: async (request, reply) => {
        const { site } = principalOf(request);
        const { query } = request;
        const filter: repo.AttemptFilter = {
          // Beyond MAX_ID nothing matches, and PostgreSQL would fail the comparison with the integer column.
          webhookId: query.webhook_id === undefined ? undefined : Math.min(Number(query.webhook_id), MAX_ID),
          deliveryId: query.delivery_id === undefined ? undefined : Math.min(Number(query.delivery_id), MAX_ID),
          from: queryTime('from', query.from, site.timezone),
          to: queryTime('to', query.to, site.timezone),
        };
        return streamPaged(reply, query, (after, n) => repo.listAttempts(db, site.id, filter, after, n), presentAttempt);
      },
    });
  },
};
