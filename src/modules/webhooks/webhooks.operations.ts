import { batchOperation } from '../../domain/batch.ts';
import { deleteById } from '../../http/lockt/routes.ts';
import { RedeliveryRequest, WebhookCreate, WebhookDelete, WebhookUpdate } from './webhooks.schema.ts';
import {
  type NewWebhook,
  type WebhookChange,
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
  const create = batchOperation({
    node: 'webhooks',
    record: WebhookCreate,
    parse: parseWebhookFields,
    check: (trx, inputs: WebhookFields[], context) => checkNewWebhooks(trx, inputs, context, settings),
    write: (trx, plans: NewWebhook[], context) => insertWebhooks(trx, plans, context, settings),
  });
  const update = batchOperation({
    node: 'webhooks',
    record: WebhookUpdate,
    parse: parseWebhookFields,
    check: (trx, inputs: WebhookFields[], context) => checkWebhookUpdates(trx, inputs, context, settings),
    write: (trx, plans: WebhookChange[], context) => updateWebhooks(trx, plans, context, settings),
  });
  const redeliverOperation = batchOperation({
    node: 'redeliveries',
    record: RedeliveryRequest,
    summary: 'process',
    parse: parseRedelivery,
    check: checkRedeliveries,
    write: redeliver,
  });
  return { create, update, redeliver: redeliverOperation, remove: deleteById('webhooks', WebhookDelete, checkWebhookDeletions, deleteWebhooks) };
}
