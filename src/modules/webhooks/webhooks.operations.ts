import type { BatchOperation, SiteCall } from '../../domain/batch.ts';
import { deleteById } from '../../http/lockt/routes.ts';
import { RedeliveryRequest, WebhookCreate, WebhookDelete, WebhookUpdate } from './webhooks.schema.ts';
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

/**
 * The batch operations behind `/webhook` and `portcullis webhook`: both run them through runBatch, so a
 * subscription made from the CLI meets exactly the rules (and messages) of one made over HTTP.
 */
export function webhookOperations(settings: WebhookSettings) {
  const create: BatchOperation<WebhookFields, WebhookFields, SiteCall> = {
    node: 'webhooks',
    record: WebhookCreate,
    options: ['validate_fails_batch'],
    summary: 'write',
    parse: parseWebhookFields,
    check: (trx, inputs, context) => checkNewWebhooks(trx, inputs, context, settings),
    write: (trx, plans, context) => insertWebhooks(trx, plans, context, settings),
  };
  const update: BatchOperation<WebhookFields, WebhookFields, SiteCall> = {
    node: 'webhooks',
    record: WebhookUpdate,
    options: ['validate_fails_batch'],
    summary: 'write',
    parse: parseWebhookFields,
    check: (trx, inputs, context) => checkWebhookUpdates(trx, inputs, context, settings),
    write: (trx, plans, context) => updateWebhooks(trx, plans, context, settings),
  };
  const redeliverOperation: BatchOperation<RedeliveryInput, Redelivery, SiteCall> = {
    node: 'redeliveries',
    record: RedeliveryRequest,
    options: ['validate_fails_batch'],
    summary: 'process',
    parse: parseRedelivery,
    check: (trx, inputs, context) => checkRedeliveries(trx, inputs, context),
    write: (trx, plans, context) => redeliver(trx, plans, context),
  };
  return { create, update, redeliver: redeliverOperation, remove: deleteById('webhooks', WebhookDelete, checkWebhookDeletions, deleteWebhooks) };
}

