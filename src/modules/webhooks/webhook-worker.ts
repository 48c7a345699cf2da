import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { Queryable } from '../../db/queryable.ts';
import { EVENT_CATEGORIES, EVENT_CODES } from '../../event-log/catalogue.ts';
import { appendEvents } from '../../event-log/event-log.ts';
import { groupCommitOf } from '../../event-log/group-commit.ts';
import { signalsOf } from '../../metrics/signals.ts';
import { openSecret, type WebhookKey } from './webhook-secrets.ts';
import { LEASE_MARGIN_MS, type RunAttempt, SendingThread, delivered } from './webhook-sender.ts';
import type { PostResult, TargetPolicy } from './webhook-target.ts';
import * as repo from './webhooks.repository.ts';

/** How the worker paces itself; serve uses DEFAULT_DELIVERY, tests shorten the waits. */
export interface DeliverySettings {
  /** How often an idle worker looks for due deliveries (the floor of a delivery's lag). */
  pollMs: number;
  /** One attempt, connect to last byte. */
  timeoutMs: number;
  /** The wait after the first failed attempt; each further failure doubles it, up to retryCapMs. */
  retryBaseMs: number;
  retryCapMs: number;
  /** A delivery still failing this long after its event gives up, and disables its subscription. */
  giveUpAfterMs: number;
  /** Subscriptions delivered side by side by one process. */
  concurrency: number;
  /**
   * How long a claimed subscription is this worker's before another may take it over: how long the queue
   * of a process that died waits. Renewed before an attempt that might outlast it, so keep it above
   * timeoutMs to spare a write per delivery.
   */
  leaseMs: number;
  /** How long shutdown lets attempts in flight finish before cutting them. */
  stopGraceMs: number;
  /** Delivered and failed deliveries, with their attempts, are deleted this long after they finished. */
  retainMs: number;
  /** How often the worker deletes what is past retainMs, and how many deliveries per statement. */
  pruneEveryMs: number;
  pruneBatch: number;
  /**
   * The longest a run of deliveries waits while decisions queue for the store (decisions come first); then
   * it goes anyway, so a sustained overload slows deliveries but never stops them.
   */
  heldMostMs: number;
}

export const DEFAULT_DELIVERY: DeliverySettings = {
  pollMs: 50,
  timeoutMs: 10_000,
  retryBaseMs: 5_000,
  retryCapMs: 6 * 3_600_000,
  giveUpAfterMs: 3 * 86_400_000,
  concurrency: 8,
  leaseMs: 30_000,
  stopGraceMs: 2_000,
  retainMs: 30 * 86_400_000,
  pruneEveryMs: 60_000,
  pruneBatch: 500,
  heldMostMs: 1_000,
};

/**
 * Decisions per shared commit from which they are queueing for the store (a saturated server: at a pace
 * it keeps up with, a commit carries one to a few), and how recent that commit must be.
 */
const QUEUEING_DECISIONS = 16;
const QUEUEING_WITHIN_MS = 250;

/** Deliveries fetched per read of a subscription's queue, and recorded per commit at most. */
const BATCH = 200;
/** Attempts are recorded at least this often while a subscription's queue keeps moving (and always when it stops). */
const RECORD_MS = 100;
/** And at least every so many attempts, which keeps one commit's statements well inside both stores' limits on parameters. */
const MOST_UNRECORDED = 1_000;
/** A worker keeps a subscription whose queue emptied this long, looking again every pollMs, before letting it go. */
const HOLD_IDLE_MS = 500;
/** The pause between two batches of deletions past retention. */
const PRUNE_PAUSE_MS = 10;

/** Exponential backoff with jitter: between half and all of base × 2^(n-1), capped. */
export function retryDelay(attempts: number, settings: Pick<DeliverySettings, 'retryBaseMs' | 'retryCapMs'>): number {
  const full = Math.min(settings.retryCapMs, settings.retryBaseMs * 2 ** Math.min(attempts - 1, 30));
  return Math.round(full / 2 + Math.random() * (full / 2));
}

/** The body of a delivery: its type, its site, and the event exactly as /events shows it (written by the store). */
export function deliveryBody(delivery: Pick<repo.QueuedDelivery, 'event_code' | 'event_json' | 'site_name'>, siteId: number): string {
  const head = JSON.stringify({ type: `event.${delivery.event_code}`, site: { id: siteId, name: delivery.site_name } });
  return `${head.slice(0, -1)},"data":${delivery.event_json}}`;
}

/**
 * Delivers the outbox: each process runs one. It claims a subscription (a lease, so one worker at a time
 * and in event order), sends its due deliveries one after another, and lets it go at the first failure,
 * whose retry waits for its backoff: a failing receiver costs one attempt per backoff step, never a loop.
 * The store work stays here; the sending is done in runs on a thread of its own (webhook-sender.ts), each
 * run recorded in one commit. Its timers and its thread are unref'd, so it never keeps the process alive.
 */
export class WebhookWorker {
  private readonly owner = randomUUID();
  private readonly running = new Set<Promise<void>>();
  private readonly sender: SendingThread;
  private timer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private pruning: Promise<void> = Promise.resolve();
  private stopped = false;
  private ticking = false;

  constructor(
    private readonly db: Queryable,
    private readonly key: WebhookKey,
    policy: TargetPolicy,
    private readonly settings: DeliverySettings,
    private readonly log: FastifyBaseLogger,
  ) {
    this.sender = new SendingThread({ policy, timeoutMs: settings.timeoutMs });
  }

  start(): void {
    // Started now rather than for the first delivery, which would otherwise wait for it.
    this.sender.start();
    this.schedule(0);
    this.schedulePrune(0);
  }

  /** Stops claiming; waits up to stopGraceMs for attempts in flight, then cuts them (they are sent again later). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.pruneTimer);
    this.sender.stop();
    const grace = new AbortController();
    await Promise.race([
      Promise.allSettled([...this.running]),
      sleep(this.settings.stopGraceMs, undefined, { signal: grace.signal }).catch(() => undefined),
    ]);
    grace.abort();
    this.sender.cut();
    await Promise.allSettled([...this.running, this.pruning]);
    await this.sender.close();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private schedulePrune(ms: number): void {
    if (this.stopped) return;
    this.pruneTimer = setTimeout(() => {
      this.pruning = this.prune().finally(() => this.schedulePrune(this.settings.pruneEveryMs));
    }, ms);
    this.pruneTimer.unref();
  }

  /**
   * Deletes what is past retention, a batch per statement with a pause between batches, so decisions'
   * commits go in between on SQLite's one writer rather than waiting for the whole backlog.
   */
  private async prune(): Promise<void> {
    const before = Date.now() - this.settings.retainMs;
    try {
      while (!this.stopped && (await repo.pruneDeliveries(this.db, before, this.settings.pruneBatch)) === this.settings.pruneBatch) {
        await sleep(PRUNE_PAUSE_MS);
      }
    } catch (error) {
      // The store is away: the next round deletes what this one left.
      this.log.warn({ err: error }, 'webhook worker could not delete old deliveries');
    }
  }

  private async tick(): Promise<void> {
    this.ticking = true;
    try {
      while (!this.stopped && this.running.size < this.settings.concurrency) {
        const hook = await repo.claimWebhook(this.db, this.owner, Date.now(), this.settings.leaseMs);
        if (!hook) break;
        const job: Promise<void> = this.drain(hook)
          .then((sentAny) => {
            // It made progress and let go: look again at once rather than a poll later. Only then, so a
            // queue that cannot move (its head not yet settled) costs one look per poll, not a spin.
            if (sentAny && !this.ticking) this.schedule(0);
          })
          .catch((error: unknown) => this.log.warn({ err: error, webhook: hook.id }, 'webhook delivery interrupted'))
          .finally(() => this.running.delete(job));
        this.running.add(job);
      }
    } catch (error) {
      // The store is away: the next look is the retry, the leases keep anything half-done safe.
      this.log.warn({ err: error }, 'webhook worker could not read the outbox');
    }
    this.ticking = false;
    this.schedule(this.settings.pollMs);
  }

  /** Sends the subscription's due deliveries in order until one fails or none is left; whether it sent any. */
  private async drain(hook: repo.WebhookRow): Promise<boolean> {
    let sentAny = false;
    const now = Date.now();
    let leaseUntil = hook.lease_until ?? now;
    // A run starts only if its first attempt ends inside the lease (renewed when needed), and the thread
    // starts no attempt that could outlast it, so no other worker overlaps an attempt.
    const leaseCovers = async () => {
      if (Date.now() + this.settings.timeoutMs + LEASE_MARGIN_MS < leaseUntil) return true;
      const until = Date.now() + this.settings.leaseMs;
      if (!(await repo.renewWebhook(this.db, hook.id, this.owner, until))) return false;
      leaseUntil = until;
      return true;
    };
    const secrets = [hook.secret, ...(hook.previous_secret && (hook.previous_until ?? 0) > now ? [hook.previous_secret] : [])].map((sealed) =>
      openSecret(this.key, sealed),
    );
    // Attempts delivered but not yet recorded, and the last event they reached: the next read starts
    // after it. One commit per RECORD_MS rather than per run keeps the worker's commits (each a
    // synchronous flush to disk on SQLite, on the thread that answers decisions) from outnumbering the
    // decisions' own when the queue is short and runs follow each other quickly.
    let unrecorded: Sent[] = [];
    let after = 0;
    let recordedAt = Date.now();
    let movedAt = Date.now();
    const flush = async () => {
      const batch = unrecorded;
      unrecorded = [];
      recordedAt = Date.now();
      await this.record(hook, batch);
      // Read from the head again: a delivery queued again meanwhile (a redelivery) is pending there.
      after = 0;
    };
    try {
      while (!this.stopped) {
        const queue = await repo.nextDeliveries(this.db, hook.id, BATCH, after);
        const head = queue[0];
        if (!head) {
          // Keep the lease a while and look again, rather than let go and claim again at once (two more
          // commits) for what the next decisions' commit brings.
          if (!sentAny || Date.now() - movedAt >= HOLD_IDLE_MS) return sentAny;
          if (Date.now() - recordedAt >= RECORD_MS) await flush();
          await sleep(this.settings.pollMs, undefined, { ref: false });
          continue;
        }
        await this.roomForDeliveries();
        if (head.next_at > Date.now() || !(await leaseCovers())) return sentAny;
        const deliveries = queue.map((d) => ({ id: d.id, nextAt: d.next_at, body: deliveryBody(d, hook.site_id) }));
        const { sent, cutShort } = await this.sender.send({ url: hook.url, secrets, deliveries, leaseUntil });
        unrecorded.push(
          ...sent.flatMap((attempt, index) => {
            const delivery = queue[index];
            return delivery ? [{ ...attempt, delivery }] : [];
          }),
        );
        const last = unrecorded.at(-1);
        if (sent.length > 0 && last) {
          sentAny = true;
          movedAt = Date.now();
          after = last.delivery.event_id;
        }
        // Until the queue is empty or waits: what arrived meanwhile goes out now, not at the next look.
        if (!cutShort && (sent.length < queue.length || !last || !delivered(last.result))) return sentAny;
        if (Date.now() - recordedAt >= RECORD_MS || unrecorded.length >= MOST_UNRECORDED) await flush();
      }
      return sentAny;
    } finally {
      // Stop waits for this, so the store is still open here even on shutdown.
      try {
        await flush();
      } finally {
        await repo.releaseWebhook(this.db, hook.id, this.owner);
      }
    }
  }

  /**
   * Waits while decisions queue for the store (decisions first: a delivery's reads and records take the
   * same thread and store), for heldMostMs at most, so that deliveries still move under a sustained overload.
   */
  private async roomForDeliveries(): Promise<void> {
    const heldFrom = Date.now();
    const commits = groupCommitOf(this.db);
    while (
      !this.stopped &&
      commits.recentCommitSize(Date.now(), QUEUEING_WITHIN_MS) >= QUEUEING_DECISIONS &&
      Date.now() - heldFrom < this.settings.heldMostMs
    ) {
      await sleep(this.settings.pollMs, undefined, { ref: false });
    }
  }

  /**
   * Records a run of attempts in one transaction: all delivered but perhaps the last, which failed and
   * is retried later, given up, or disables its subscription. One commit per run rather than per
   * delivery keeps the worker off the store's write path; a process that dies before it commits sends
   * the run again (at least once, under the same webhook-ids).
   */
  private async record(hook: repo.WebhookRow, sent: readonly Sent[]): Promise<void> {
    if (sent.length === 0) return;
    const finished = Date.now();
    for (const { delivery, endedAt, result } of sent) signalsOf(this.db).webhookAttempted(result.status, (endedAt - delivery.created_at) / 1000);
    await this.db.transaction().execute(async (trx) => {
      await repo.recordAttempts(
        trx,
        sent.map(({ delivery, at, result }) => ({
          site_id: hook.site_id,
          webhook_id: hook.id,
          delivery_id: delivery.id,
          at,
          status: result.status ?? null,
          latency_ms: result.latencyMs,
          error: result.error,
          response_head: result.responseHead,
        })),
      );
      const ok = sent.filter((s) => delivered(s.result)).map((s) => s.delivery.id);
      await repo.markDelivered(trx, ok, finished, Math.min(...sent.map((s) => s.at)));
      const failed = sent.find((s) => !delivered(s.result));
      if (!failed) return;
      const attempts = failed.delivery.attempts + 1;
      const giveUp = finished - failed.delivery.created_at >= this.settings.giveUpAfterMs;
      if (giveUp) await repo.markFailed(trx, failed.delivery.id, attempts, finished, failed.at);
      else await repo.scheduleRetry(trx, failed.delivery.id, attempts, finished + retryDelay(attempts, this.settings), failed.at);
      const reason = disableReason(failed.result, giveUp, this.settings.giveUpAfterMs);
      if (reason) await disableWebhook(trx, hook, reason, finished);
    });
  }
}

/** An attempt made and not yet recorded. */
interface Sent extends RunAttempt {
  delivery: repo.QueuedDelivery;
}

/** Why a failed attempt disables its subscription: a 410 Gone at once, any failure once it has gone on too long. */
function disableReason(result: PostResult, gaveUp: boolean, giveUpAfterMs: number): string | undefined {
  if (result.status === 410) return 'the receiver answered 410 Gone';
  if (gaveUp) return `deliveries failed for ${Math.round(giveUpAfterMs / 3_600_000)} hours`;
  return undefined;
}

/** Disables a subscription and records why in the site's event log (which other subscriptions then deliver). */
async function disableWebhook(trx: Queryable, hook: repo.WebhookRow, reason: string, at: number): Promise<void> {
  await repo.updateWebhook(trx, hook.site_id, hook.id, { enabled: 0, disabled_reason: reason, updated_at: at });
  await appendEvents(trx, [
    {
      siteId: hook.site_id,
      code: EVENT_CODES.WEBHOOK_DISABLED,
      category: EVENT_CATEGORIES.SYSTEM,
      detail: `Webhook ${hook.id} (${hook.url}) disabled: ${reason}`,
      hwTime: at,
      dbTime: at,
    },
  ]);
}
