import { type KeyObject, createHmac, createSecretKey } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { DeliveryConnections, type PostResult, type Target, type TargetPolicy, postDelivery, targetOf } from './webhook-target.ts';

/** A run of one subscription's deliveries, in event order, for the sending thread. */
export interface RunRequest {
  url: string;
  /** The subscription's signing secrets (`whsec_…`), each of which signs every attempt. */
  secrets: string[];
  deliveries: { id: number; nextAt: number; body: string }[];
  /** When the worker's lease on the subscription runs out (LEASE_MARGIN_MS). */
  leaseUntil: number;
}

export interface RunAttempt {
  /** When the attempt was signed (its webhook-timestamp) and when it ended, epoch ms. */
  at: number;
  endedAt: number;
  result: PostResult;
}

export interface RunOutcome {
  /**
   * The attempts made: the nth is that of the run's nth delivery, all delivered but perhaps the last. An
   * attempt cut by shutdown is left out.
   */
  sent: RunAttempt[];
  /** Stopped by its time or its lease with due deliveries left: the worker goes on with another run. */
  cutShort: boolean;
}

/** What the thread is given once: how to send. */
export interface SendSettings {
  policy: TargetPolicy;
  timeoutMs: number;
}

/**
 * What an attempt must leave of the lease: one that could end later starts only as a run's first (just
 * renewed, which covers a whole attempt unless the lease is set shorter than the timeout).
 */
export const LEASE_MARGIN_MS = 1_000;
/** A run ends once it has lasted this long, so its attempts are recorded soon and a process that dies resends little. */
const RUN_MS = 100;

export const delivered = (result: PostResult) => result.status !== undefined && result.status >= 200 && result.status < 300;

/** The prefix of a Standard Webhooks secret; what follows it is the key, in base64. */
const SECRET_PREFIX = 'whsec_';

/**
 * Signs deliveries as Standard Webhooks has it (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`,
 * one per secret, space-separated) with node:crypto's HMAC rather than the `standardwebhooks` package's
 * pure-JavaScript SHA-256: about 13 µs less per delivery, taken from decisions on the same CPUs
 * (docs/webhooks.md). webhook-signature.test.ts holds every signature to the package's `Webhook.verify`.
 */
export class DeliverySigner {
  private readonly keys: KeyObject[];

  constructor(secrets: readonly string[]) {
    this.keys = secrets.map((secret) =>
      createSecretKey(Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64')),
    );
  }

  /** The webhook-signature header of a delivery sent at `seconds` (its webhook-timestamp). */
  sign(id: string, seconds: number, body: string): string {
    return this.keys.map((key) => `v1,${createHmac('sha256', key).update(`${id}.${seconds}.`).update(body).digest('base64')}`).join(' ');
  }
}

/**
 * Sends runs of deliveries: one after another within a run (each waits for the previous answer, which
 * keeps a subscription's order), stopping at the first failure. Runs of different subscriptions go side
 * by side. It lives in the sending thread; the store work around it stays with the worker.
 */
export class RunSender {
  private stopped = false;
  private readonly connections: DeliveryConnections;

  constructor(private readonly settings: SendSettings) {
    this.connections = new DeliveryConnections(settings.policy);
  }

  async send(request: RunRequest): Promise<RunOutcome> {
    const signer = new DeliverySigner(request.secrets);
    const sent: RunAttempt[] = [];
    const target = targetOf(request.url, this.settings.policy);
    const runEnds = Date.now() + RUN_MS;
    for (const [index, delivery] of request.deliveries.entries()) {
      const now = Date.now();
      if (delivery.nextAt > now || this.stopped) break;
      const leaseLeft = request.leaseUntil - now;
      if (index > 0 && (now >= runEnds || leaseLeft <= this.settings.timeoutMs + LEASE_MARGIN_MS)) return { sent, cutShort: true };
      // The worker renews the lease for a run's first attempt, but the run may have waited (for the thread
      // to start, or behind a busy machine): a lease that ran out meanwhile may be another worker's now.
      if (leaseLeft <= LEASE_MARGIN_MS) break;
      const attempt = await this.attempt(target, delivery, signer);
      // Cut by shutdown: not the receiver's fault, and the delivery stays due for whoever runs next.
      if (!attempt) break;
      sent.push(attempt);
      if (!delivered(attempt.result)) break;
    }
    return { sent, cutShort: false };
  }

  /** Starts no further attempt; those in flight go on. */
  stop(): void {
    this.stopped = true;
  }

  /** Cuts the attempts in flight (they are sent again later) and drops the kept connections. */
  cut(): void {
    this.stopped = true;
    this.connections.close();
  }

  /** One signed POST (a failed attempt, with no connection, to a URL the policy refuses); undefined when shutdown cut it. */
  private async attempt(
    target: Target | string,
    delivery: RunRequest['deliveries'][number],
    signer: DeliverySigner,
  ): Promise<RunAttempt | undefined> {
    const id = `msg_${delivery.id}`;
    const at = Date.now();
    const seconds = Math.floor(at / 1000);
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(seconds), 'webhook-signature': signer.sign(id, seconds, delivery.body) };
    const result =
      typeof target === 'string'
        ? { latencyMs: 0, error: target, responseHead: '' }
        : await postDelivery(target, headers, delivery.body, {
            timeoutMs: this.settings.timeoutMs,
            connections: this.connections,
          });
    return this.connections.closed ? undefined : { at, endedAt: Date.now(), result };
  }
}

/** Messages to the sending thread. */
export type ToThread = { kind: 'run'; run: number; request: RunRequest } | { kind: 'stop' } | { kind: 'cut' };
/** Its answers: one per run. */
export interface FromThread {
  run: number;
  outcome: RunOutcome;
}

/**
 * The worker's side of the sending thread. Sending runs on a thread of its own because a subscription's
 * deliveries go one round trip at a time: on the main thread each round trip waited for a turn of the
 * event loop, behind decisions and, on SQLite, their synchronous commits, which capped a subscription at
 * a few hundred deliveries a second. The thread never keeps the process alive.
 */
export class SendingThread {
  private thread: Worker | undefined;
  private readonly pending = new Map<number, { resolve: (outcome: RunOutcome) => void; reject: (error: unknown) => void }>();
  private nextRun = 0;

  constructor(private readonly settings: SendSettings) {}

  start(): void {
    this.thread ??= this.spawn();
  }

  send(request: RunRequest): Promise<RunOutcome> {
    // A thread that died is replaced here, by the next run.
    const thread = this.thread ?? this.spawn();
    const run = this.nextRun++;
    return new Promise((resolve, reject) => {
      this.pending.set(run, { resolve, reject });
      thread.postMessage({ kind: 'run', run, request } satisfies ToThread);
    });
  }

  stop(): void {
    this.thread?.postMessage({ kind: 'stop' } satisfies ToThread);
  }

  cut(): void {
    this.thread?.postMessage({ kind: 'cut' } satisfies ToThread);
  }

  /** Ends the thread; call once no run is pending. */
  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    await thread?.terminate();
  }

  private spawn(): Worker {
    // A thread does not inherit the TypeScript loader its parent registered: this file registers it first.
    const thread = new Worker(new URL('./webhook-sender-boot.js', import.meta.url), { workerData: this.settings });
    thread.unref();
    thread.on('message', ({ run, outcome }: FromThread) => {
      this.pending.get(run)?.resolve(outcome);
      this.pending.delete(run);
    });
    const lost = (error: unknown) => {
      // The runs in flight were not recorded, so they are sent again (at least once); a new thread serves the next run.
      if (this.thread === thread) this.thread = undefined;
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
    };
    thread.on('error', lost);
    thread.on('exit', (code) => lost(new Error(`the webhook sending thread exited with code ${code}`)));
    this.thread = thread;
    return thread;
  }
}
