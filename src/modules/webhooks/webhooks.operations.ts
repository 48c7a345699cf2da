import type { Queryable } from '../../db/queryable.ts';
import { type SiteCall, batchOperation } from '../../domain/batch.ts';
import { deleteById } from '../../http/lockt/routes.ts';
import { RedeliveryRequest, WebhookCreate, WebhookDelete, WebhookUpdate } from './webhooks.schema.ts';
import {
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
  /** A check or write of the service, given these settings: the signature runBatch calls. */
  const withSettings =
    <Item, Result>(step: (trx: Queryable, items: Item[], context: SiteCall, settings: WebhookSettings) => Promise<Result>) =>
    (trx: Queryable, items: Item[], context: SiteCall) =>
      step(trx, items, context, settings);
  const create = batchOperation({
    node: 'webhooks',
    record: WebhookCreate,
    parse: parseWebhookFields,
    check: withSettings(checkNewWebhooks),
    write: withSettings(insertWebhooks),
  });
  const update = batchOperation({
    node: 'webhooks',
    record: WebhookUpdate,
    parse: parseWebhookFields,
    check: withSettings(checkWebhookUpdates),
    write: withSettings(updateWebhooks),
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
