import { storableIds } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { existingIdsIn } from '../../db/site-lookups.ts';
import { repeatedInBatch, toBool, toId } from '../../domain/batch-checks.ts';
import { CATEGORY_TEXT, CODE_TEXT } from '../../event-log/catalogue.ts';
import type { BatchRecord, RecordCheck, SiteCall, WriteCounts } from '../../domain/batch.ts';
import { parseWireTime } from '../../lib/site-time.ts';
import { type WebhookKey, newSigningSecret, sealSecret } from './webhook-secrets.ts';
import { type TargetPolicy, targetProblem } from './webhook-target.ts';
import type { WebhookUpdate } from './webhooks.schema.ts';
import * as repo from './webhooks.repository.ts';

/** What the webhook rules need beyond the call: the serve flags' target policy and the secrets' key. */
export interface WebhookSettings {
  key: WebhookKey;
  policy: TargetPolicy;
}

/** A subscription's fields as a create or update gives them (absent: unchanged, or the default). */
export interface WebhookFields {
  id?: number | undefined;
  url?: string | undefined;
  codes?: number[] | undefined;
  categories?: number[] | undefined;
  doors?: number[] | undefined;
  enabled?: boolean | undefined;
  rotateSecret?: boolean | undefined;
  overlapHours?: number | undefined;
}

/** A create record is an update record without its id and rotation: one reader serves both. */
export function parseWebhookFields(record: BatchRecord<typeof WebhookUpdate>): WebhookFields {
  return {
    id: toId(record.id),
    url: typeof record.url === 'string' ? record.url.trim() : undefined,
    codes: record.codes,
    categories: record.categories,
    doors: record.doors,
    enabled: toBool(record.enabled),
    rotateSecret: toBool(record.rotate_secret),
    overlapHours: record.overlap_hours,
  };
}

/** ",48,49," as the outbox matches it (src/event-log/webhook-outbox.ts); "" for all. */
export function storedList(values: readonly number[] | undefined): string {
  return values === undefined || values.length === 0 ? '' : `,${[...new Set(values)].sort((a, b) => a - b).join(',')},`;
}

export function listedValues(stored: string): number[] {
  return stored === '' ? [] : stored.slice(1, -1).split(',').map(Number);
}

/** A create that passed its checks: it has its url. */
export type NewWebhook = WebhookFields & { url: string };
/** An update that passed its checks: it names its webhook. */
export type WebhookChange = WebhookFields & { id: number };
/** A new signing secret, shown once in the write's answer. */
type ShownSecret = { id: number; secret: string };

/** How long the old secret signs beside the new one when none is asked for. */
const DEFAULT_OVERLAP_HOURS = 24;

/** Every problem of one record's url and filters; door ids are checked against the site's. */
function fieldMessages(fields: WebhookFields, doors: Set<number>, policy: TargetPolicy): string[] {
  const messages: string[] = [];
  if (fields.url !== undefined) {
    const problem = targetProblem(fields.url, policy);
    if (problem) messages.push(problem);
  }
  for (const code of fields.codes ?? []) if (CODE_TEXT[code] === undefined) messages.push(`Invalid event code found: ${code}`);
  for (const category of fields.categories ?? [])
    if (CATEGORY_TEXT[category] === undefined) messages.push(`Invalid event category found: ${category}`);
  for (const door of fields.doors ?? []) if (!doors.has(door)) messages.push(`Invalid Door id: ${door}`);
  return messages;
}

function siteDoors(trx: Queryable, siteId: number, inputs: WebhookFields[]): Promise<Set<number>> {
  return existingIdsIn(trx, 'door', siteId, storableIds(inputs.flatMap((i) => i.doors ?? [])));
}

export async function checkNewWebhooks(
  trx: Queryable,
  inputs: WebhookFields[],
  { site }: SiteCall,
  settings: WebhookSettings,
): Promise<RecordCheck<NewWebhook>[]> {
  const doors = await siteDoors(trx, site.id, inputs);
  return inputs.map((input) => {
    const { url } = input;
    if (url === undefined) return { messages: [] };
    const messages = fieldMessages(input, doors, settings.policy);
    return messages.length > 0 ? { messages } : { plan: { ...input, url } };
  });
}

export async function insertWebhooks(
  trx: Queryable,
  plans: NewWebhook[],
  { site, clock }: SiteCall,
  settings: WebhookSettings,
): Promise<WriteCounts> {
  const now = clock.now();
  const shownOnce: ShownSecret[] = [];
  for (const plan of plans) {
    const secret = newSigningSecret();
    const id = await repo.insertWebhook(trx, {
      site_id: site.id,
      url: plan.url,
      codes: storedList(plan.codes),
      categories: storedList(plan.categories),
      doors: storedList(plan.doors),
      enabled: plan.enabled === false ? 0 : 1,
      secret: sealSecret(settings.key, secret),
      created_at: now,
      updated_at: now,
    });
    shownOnce.push({ id, secret });
  }
  return { inserted: plans.length, ids: shownOnce.map((s) => s.id), shownOnce };
}

export async function checkWebhookUpdates(
  trx: Queryable,
  inputs: WebhookFields[],
  { site }: SiteCall,
  settings: WebhookSettings,
): Promise<RecordCheck<WebhookChange>[]> {
  const [known, doors] = await Promise.all([repo.findWebhooks(trx, site.id, storableIds(inputs.map((i) => i.id))), siteDoors(trx, site.id, inputs)]);
  const ids = new Set(known.map((w) => w.id));
  const repeated = repeatedInBatch(inputs, (i) => (i.id === undefined ? undefined : String(i.id)));
  return inputs.map((input, index) => {
    const { id } = input;
    if (id === undefined) return { messages: [] };
    if (!ids.has(id)) return { messages: [`Invalid Webhook id: ${id}`] };
    if (repeated[index]) return { messages: [`Webhook id Duplicated In Batch: ${id}`] };
    const messages = fieldMessages(input, doors, settings.policy);
    return messages.length > 0 ? { messages } : { plan: { ...input, id } };
  });
}

export async function updateWebhooks(
  trx: Queryable,
  plans: WebhookChange[],
  { site, clock }: SiteCall,
  settings: WebhookSettings,
): Promise<WriteCounts> {
  const now = clock.now();
  const current = new Map(
    (
      await repo.findWebhooks(
        trx,
        site.id,
        plans.map((p) => p.id),
      )
    ).map((w) => [w.id, w]),
  );
  const shownOnce: ShownSecret[] = [];
  for (const plan of plans) {
    const { id } = plan;
    const changes: repo.WebhookChanges = { updated_at: now };
    if (plan.url !== undefined) changes.url = plan.url;
    if (plan.codes !== undefined) changes.codes = storedList(plan.codes);
    if (plan.categories !== undefined) changes.categories = storedList(plan.categories);
    if (plan.doors !== undefined) changes.doors = storedList(plan.doors);
    if (plan.enabled !== undefined) {
      changes.enabled = plan.enabled ? 1 : 0;
      changes.disabled_reason = '';
    }
    if (plan.rotateSecret) {
      const secret = newSigningSecret();
      changes.secret = sealSecret(settings.key, secret);
      changes.previous_secret = current.get(id)?.secret ?? null;
      changes.previous_until = now + (plan.overlapHours ?? DEFAULT_OVERLAP_HOURS) * 3_600_000;
      shownOnce.push({ id, secret });
    }
    await repo.updateWebhook(trx, site.id, id, changes);
  }
  return { updated: plans.length, ids: plans.map((p) => p.id), ...(shownOnce.length > 0 ? { shownOnce } : {}) };
}

export async function checkWebhookDeletions(trx: Queryable, ids: (number | undefined)[], { site }: SiteCall): Promise<RecordCheck<number>[]> {
  const known = new Set((await repo.findWebhooks(trx, site.id, storableIds(ids))).map((w) => w.id));
  const repeated = repeatedInBatch(ids, (id) => (id === undefined ? undefined : String(id)));
  return ids.map((id, index) => {
    if (id === undefined) return { messages: [] };
    if (!known.has(id)) return { messages: [`Invalid Webhook id: ${id}`] };
    if (repeated[index]) return { ignored: true };
    return { plan: id };
  });
}

export async function deleteWebhooks(trx: Queryable, ids: number[], { site }: SiteCall): Promise<WriteCounts> {
  return { deleted: await repo.deleteWebhooks(trx, site.id, ids), ids };
}

/** A redelivery: one delivery by id, or a webhook's deliveries of events recorded in [from, to). */
export type Redelivery = { deliveryId: number } | { webhookId: number; from: number; to: number };

export interface RedeliveryInput {
  deliveryId?: number | undefined;
  webhookId?: number | undefined;
  from?: unknown;
  to?: unknown;
}

export function parseRedelivery(record: Record<string, unknown>): RedeliveryInput {
  return { deliveryId: toId(record.delivery_id), webhookId: toId(record.webhook_id), from: record.from, to: record.to };
}

export async function checkRedeliveries(trx: Queryable, inputs: RedeliveryInput[], { site }: SiteCall): Promise<RecordCheck<Redelivery>[]> {
  const [deliveries, hooks] = await Promise.all([
    repo.existingDeliveryIds(trx, site.id, storableIds(inputs.map((i) => i.deliveryId))),
    repo.findWebhooks(trx, site.id, storableIds(inputs.map((i) => i.webhookId))),
  ]);
  const hookIds = new Set(hooks.map((w) => w.id));
  return inputs.map((input): RecordCheck<Redelivery> => {
    if (input.deliveryId !== undefined) {
      return deliveries.has(input.deliveryId)
        ? { plan: { deliveryId: input.deliveryId } }
        : { messages: [`Invalid delivery_id: ${input.deliveryId}`] };
    }
    if (input.webhookId === undefined) return { messages: ['Missing delivery_id, or webhook_id with from and to'] };
    if (!hookIds.has(input.webhookId)) return { messages: [`Invalid Webhook id: ${input.webhookId}`] };
    const from = parseWireTime(input.from, site.timezone);
    const to = parseWireTime(input.to, site.timezone);
    if (!from.ok || from.value === null || !to.ok || to.value === null)
      return { messages: ['Missing or invalid from and to (both are needed with webhook_id)'] };
    if (to.value <= from.value) return { messages: [`Invalid range: to is not after from`] };
    return { plan: { webhookId: input.webhookId, from: from.value, to: to.value } };
  });
}

export async function redeliver(trx: Queryable, plans: Redelivery[], { site, clock }: SiteCall): Promise<WriteCounts> {
  let processed = 0;
  const now = clock.now();
  const ids = plans.flatMap((p) => ('deliveryId' in p ? [p.deliveryId] : []));
  if (ids.length > 0) processed += await repo.requeueDeliveries(trx, site.id, { ids }, now);
  for (const plan of plans) if (!('deliveryId' in plan)) processed += await repo.requeueDeliveries(trx, site.id, plan, now);
  return { processed };
}
