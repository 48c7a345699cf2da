import { Type } from 'typebox';
import { MAX_ID } from '../../db/conventions.ts';
import { ERRORS } from '../../domain/errors.ts';
import { batchWrite, batchWriteRoute, resourceRoutes, streamPaged } from '../../http/lockt/routes.ts';
import { PagingQuery } from '../../http/paging.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { parseWireTime } from '../../lib/site-time.ts';
import { LOCKT_API_KEY, LOCKT_SECURITY, type ResourceModule } from '../module.ts';
import { presentAttempt, presentWebhook } from './webhooks.presenter.ts';
import * as repo from './webhooks.repository.ts';
import { DeliveriesQuery, DeliveriesResponse, WebhookCreate, WebhookObject, WebhookUpdate, WebhookWriteResponse } from './webhooks.schema.ts';
import { webhookOperations } from './webhooks.operations.ts';

const tags = ['webhook'];

/** A time filter of the delivery log, or a 400 naming it. */
function queryTime(name: string, value: string | undefined, zone: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parseWireTime(value, zone);
  if (!parsed.ok || parsed.value === null) throw ERRORS.badRequest(`Invalid ${name} date found: ${value}`);
  return parsed.value;
}

/** `/webhook` (extension): subscriptions, their delivery log, and redelivery (docs/webhooks.md). */
export const webhooksModule: ResourceModule = {
  name: 'webhooks',
  objectTypes: { webhook: WebhookObject, webhook_create: WebhookCreate, webhook_update: WebhookUpdate },
  register(app, context) {
    const { db } = context;
    const ops = webhookOperations(context.webhooks);
    resourceRoutes(app, context, {
      url: '/api/v1/webhook',
      tags,
      list: {
        summary: 'Extension: list the site’s webhooks (never their secrets).',
        object: WebhookObject,
        list: repo.listWebhooks,
        present: presentWebhook,
      },
      writes: [
        batchWrite('POST', 'Extension: create webhooks; each one’s signing secret is in shown_once, this once.', ops.create, WebhookWriteResponse),
        batchWrite('PUT', 'Extension: change webhooks, enable or disable them, rotate their secrets.', ops.update, WebhookWriteResponse),
        batchWrite('DELETE', 'Extension: delete webhooks and their deliveries.', ops.remove),
      ],
    });
    batchWriteRoute(app, {
      method: 'POST',
      url: '/api/v1/webhook/redeliver',
      tags,
      summary: 'Extension: send deliveries again, by id or a webhook’s time range.',
      operation: ops.redeliver,
      context,
    });
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
