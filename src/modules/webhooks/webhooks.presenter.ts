import { formatIsoUtc } from '../../lib/site-time.ts';
import { listedValues } from './webhooks.service.ts';
import type { AttemptRow, WebhookRow } from './webhooks.repository.ts';

/** A subscription on the wire; its secret never is. */
export function presentWebhook(row: WebhookRow) {
  return {
    id: row.id,
    url: row.url,
    codes: listedValues(row.codes),
    categories: listedValues(row.categories),
    doors: listedValues(row.doors),
    enabled: row.enabled === 1,
    disabled_reason: row.disabled_reason,
    previous_secret_until: row.previous_secret && row.previous_until ? formatIsoUtc(row.previous_until) : null,
    created: formatIsoUtc(row.created_at),
    updated: formatIsoUtc(row.updated_at),
  };
}

/** One attempt of the delivery log. */
export function presentAttempt(row: AttemptRow) {
  return {
    id: row.id,
    delivery_id: row.delivery_id,
    webhook_id: row.webhook_id,
    event_id: row.event_id,
    delivery_state: row.state,
    time: formatIsoUtc(row.at),
    status: row.status,
    latency_ms: row.latency_ms,
    error: row.error,
    response: row.response_head,
  };
}
