import type { Selectable } from 'kysely';
import { dialectOf } from '../../db/dialect.ts';
import type { Queryable } from '../../db/queryable.ts';
import type { WebhookAttemptTable, WebhookTable } from '../../db/schema.ts';
import { type NewAttempt, attemptInsert, chunked, claimStatement, deliveredUpdate, nextDeliveriesStatement } from './webhooks.statements.ts';

export type WebhookRow = Selectable<WebhookTable>;
export type AttemptRow = Selectable<WebhookAttemptTable> & { event_id: number; state: string };

export function listWebhooks(db: Queryable, siteId: number, afterId: number, limit: number): Promise<WebhookRow[]> {
  return db.selectFrom('webhook').selectAll().where('site_id', '=', siteId).where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

export function findWebhooks(db: Queryable, siteId: number, ids: number[]): Promise<WebhookRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('webhook').selectAll().where('site_id', '=', siteId).where('id', 'in', ids).execute();
}

export async function insertWebhook(
  db: Queryable,
  row: Pick<WebhookRow, 'site_id' | 'url' | 'codes' | 'categories' | 'doors' | 'enabled' | 'secret' | 'created_at' | 'updated_at'>,
): Promise<number> {
  const { id } = await db.insertInto('webhook').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export type WebhookChanges = Partial<
  Pick<
    WebhookRow,
    'url' | 'codes' | 'categories' | 'doors' | 'enabled' | 'disabled_reason' | 'secret' | 'previous_secret' | 'previous_until' | 'updated_at'
  >
>;

export async function updateWebhook(db: Queryable, siteId: number, id: number, changes: WebhookChanges): Promise<void> {
  await db.updateTable('webhook').set(changes).where('site_id', '=', siteId).where('id', '=', id).execute();
}

export async function deleteWebhooks(db: Queryable, siteId: number, ids: number[]): Promise<number> {
  const result = await db.deleteFrom('webhook').where('site_id', '=', siteId).where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Takes one enabled subscription whose next delivery is due and which no live worker holds, for `leaseMs`.
 * The lease is per subscription, so its deliveries go out in order, by one worker at a time; a worker
 * that dies leaves a lease that runs out, and another takes the queue over (deliveries in flight then are
 * sent again: at least once). On PostgreSQL SKIP LOCKED lets workers pass over rows another is claiming.
 */
export async function claimWebhook(db: Queryable, owner: string, now: number, leaseMs: number): Promise<WebhookRow | undefined> {
  return claimStatement.first(db, { owner, now, until: now + leaseMs });
}

/** Extends this worker's lease; false when it has lost it (it ran out and another worker took the queue). */
export async function renewWebhook(db: Queryable, id: number, owner: string, until: number): Promise<boolean> {
  const result = await db.updateTable('webhook').set({ lease_until: until }).where('id', '=', id).where('lease_owner', '=', owner).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Lets the subscription go at once (another worker, or this one, may take it on its next look). */
export async function releaseWebhook(db: Queryable, id: number, owner: string): Promise<void> {
  await db.updateTable('webhook').set({ lease_owner: null, lease_until: null }).where('id', '=', id).where('lease_owner', '=', owner).execute();
}

export interface QueuedDelivery {
  id: number;
  event_id: number;
  attempts: number;
  next_at: number;
  created_at: number;
  event_code: number;
  site_name: string;
  event_json: string;
}

/**
 * The next pending deliveries of a subscription, in event order, after `afterEventId` (those sent and not
 * yet recorded), with the event as /events shows it. On
 * PostgreSQL only settled ones (src/db/log-ids.ts): a delivery that commits later can then never carry a
 * lower event id than one already sent, so order holds across concurrent writers and processes.
 */
export function nextDeliveries(db: Queryable, webhookId: number, limit: number, afterEventId = 0): Promise<QueuedDelivery[]> {
  return nextDeliveriesStatement.rows(db, { webhookId, limit, afterEventId });
}

export async function recordAttempts(db: Queryable, attempts: readonly NewAttempt[]): Promise<void> {
  for (const rows of chunked(attempts)) await attemptInsert(rows.length).run(db, { rows });
}

/*
 * The three below record attempts that started at `attemptedFrom` or later, and leave alone a delivery
 * queued again since (its next_at is then the time of the redelivery, requeueDeliveries): the
 * redelivery asked for is still to be sent, and is.
 */

export async function markDelivered(db: Queryable, ids: readonly number[], at: number, attemptedFrom: number): Promise<void> {
  for (const part of chunked(ids)) await deliveredUpdate(part.length).run(db, { ids: part, at, attemptedFrom });
}

export async function scheduleRetry(db: Queryable, id: number, attempts: number, nextAt: number, attemptedFrom: number): Promise<void> {
  await db.updateTable('webhook_delivery').set({ attempts, next_at: nextAt }).where('id', '=', id).where('next_at', '<', attemptedFrom).execute();
}

export async function markFailed(db: Queryable, id: number, attempts: number, at: number, attemptedFrom: number): Promise<void> {
  await db
    .updateTable('webhook_delivery')
    .set({ state: 'failed', attempts, done_at: at })
    .where('id', '=', id)
    .where('next_at', '<', attemptedFrom)
    .execute();
}

/**
 * Deletes up to `limit` deliveries that finished (delivered, or failed for good) before `before`, oldest
 * first, and their attempts with them (the foreign key cascades); how many. One short statement, so a
 * caller deleting many in turns leaves the store to decisions between them. On PostgreSQL rows another
 * process is deleting are passed over rather than waited for.
 */
export async function pruneDeliveries(db: Queryable, before: number, limit: number): Promise<number> {
  let finished = db
    .selectFrom('webhook_delivery')
    .select('id')
    .where('done_at', '<', before)
    .where('state', '<>', 'pending')
    .orderBy('done_at')
    .limit(limit);
  if (dialectOf(db) === 'postgres') finished = finished.forUpdate().skipLocked();
  const result = await db.deleteFrom('webhook_delivery').where('id', 'in', finished).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** What the delivery log can be asked for: one subscription, one delivery, attempts in a time range. */
export interface AttemptFilter {
  webhookId?: number | undefined;
  deliveryId?: number | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

export function listAttempts(db: Queryable, siteId: number, filter: AttemptFilter, afterId: number, limit: number): Promise<AttemptRow[]> {
  let query = db
    .selectFrom('webhook_attempt')
    .innerJoin('webhook_delivery', 'webhook_delivery.id', 'webhook_attempt.delivery_id')
    .selectAll('webhook_attempt')
    .select(['webhook_delivery.event_id', 'webhook_delivery.state'])
    .where('webhook_attempt.site_id', '=', siteId)
    .where('webhook_attempt.id', '>', afterId);
  if (filter.webhookId !== undefined) query = query.where('webhook_attempt.webhook_id', '=', filter.webhookId);
  if (filter.deliveryId !== undefined) query = query.where('webhook_attempt.delivery_id', '=', filter.deliveryId);
  if (filter.from !== undefined) query = query.where('webhook_attempt.at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('webhook_attempt.at', '<', filter.to);
  return query.orderBy('webhook_attempt.id').limit(limit).execute();
}

/** Of these delivery ids, the ones of the site. */
export async function existingDeliveryIds(db: Queryable, siteId: number, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('webhook_delivery').select('id').where('site_id', '=', siteId).where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * Queues deliveries again, due at once (`at`, now): by id, or a subscription's created in [from, to).
 * Returns how many. A delivery whose attempt is in flight is sent again after it.
 */
export async function requeueDeliveries(
  db: Queryable,
  siteId: number,
  which: { ids: number[] } | { webhookId: number; from: number; to: number },
  at: number,
): Promise<number> {
  let query = db.updateTable('webhook_delivery').set({ state: 'pending', next_at: at, done_at: null }).where('site_id', '=', siteId);
  query =
    'ids' in which
      ? query.where('id', 'in', which.ids)
      : query.where('webhook_id', '=', which.webhookId).where('created_at', '>=', which.from).where('created_at', '<', which.to);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
