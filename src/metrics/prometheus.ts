import { sql } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ReasonCode } from '../access/decide.ts';
import { changeFeedOf } from '../db/change-feed.ts';
import type { Queryable } from '../db/queryable.ts';
import { DECISION_SUBCODE, EVENT_CODES } from '../event-log/catalogue.ts';
import { type DevicesOnline, devicesOnlineBySite, doorsAlarmedBySite } from './metrics.repository.ts';
import { type Signals, receiveSignals } from './signals.ts';

/** A connection pool's use right now (PostgreSQL; the embedded store has none). */
export interface PoolUse {
  total: number;
  idle: number;
  waiting: number;
}

/** A device counts as online when it was seen this recently. */
export const ONLINE_WITHIN_MS = 2 * 60_000;
/** A door counts as forced or held open while its alarm is this recent. */
export const ALARM_WITHIN_MS = 5 * 60_000;

const ALARMS: Record<number, string> = { [EVENT_CODES.DOOR_FORCED]: 'forced', [EVENT_CODES.DOOR_HELD_OPEN]: 'held_open' };
const WEBHOOK_RESULTS = ['delivered', 'rejected', 'unreachable'] as const;

/** How a webhook attempt's answer is counted: a 2xx, another status, or none at all. */
function webhookResult(status: number | undefined): (typeof WEBHOOK_RESULTS)[number] {
  if (status === undefined) return 'unreachable';
  return status >= 200 && status < 300 ? 'delivered' : 'rejected';
}

/**
 * The Prometheus metrics of one app: the domain's signals counted as they come, and what the store says
 * read only when scraped (devices online, doors alarmed), by a constant number of aggregate queries.
 * Labels carry a site id, a route pattern, a status, an outcome or a reason: never a user, card, person
 * or key. Every name starts with `portcullis_`; docs/operations.md lists them with the alerts.
 */
export class PortcullisMetrics implements Signals {
  readonly registry = new Registry();
  private readonly stopReceiving: () => void;

  private readonly requests = new Histogram({
    name: 'portcullis_http_request_duration_seconds',
    help: 'Time to answer a request, by method, route pattern (not the URL) and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly decisions = new Counter({
    name: 'portcullis_decisions_total',
    help: 'Access decisions answered, by outcome and reason (store_unavailable: denied because the store could not be reached).',
    labelNames: ['outcome', 'reason'] as const,
    registers: [this.registry],
  });
  private readonly commitSize = new Histogram({
    name: 'portcullis_group_commit_size',
    help: 'Decision events per shared commit.',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [this.registry],
  });
  private readonly commitLatency = new Histogram({
    name: 'portcullis_group_commit_duration_seconds',
    help: 'Time of one shared commit of decision events, begin to durable.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  private readonly rebuilds = new Histogram({
    name: 'portcullis_access_index_rebuild_duration_seconds',
    help: "Time to read a site's facts whole into the access index (the count is the number of rebuilds).",
    buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly reconnects = new Counter({
    name: 'portcullis_change_feed_reconnects_total',
    help: "Times the change feed's LISTEN connection was lost or could not be made, and was tried again.",
    registers: [this.registry],
  });
  private readonly webhookAttempts = new Counter({
    name: 'portcullis_webhook_deliveries_total',
    help: 'Webhook delivery attempts, by result: delivered (2xx), rejected (another status), unreachable (no answer).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  private readonly webhookLag = new Histogram({
    name: 'portcullis_webhook_delivery_lag_seconds',
    help: 'Time from an event being queued for a webhook to an attempt to deliver it.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    registers: [this.registry],
  });

  constructor(db: Queryable, pool?: () => PoolUse) {
    collectDefaultMetrics({ register: this.registry, prefix: 'portcullis_' });
    // Every reason from the start, so a rate over the first denial of a kind sees it rise from zero.
    for (const reason of Object.keys(DECISION_SUBCODE)) this.decisions.labels(outcomeOf(reason), reason).inc(0);
    for (const result of WEBHOOK_RESULTS) this.webhookAttempts.labels(result).inc(0);
    this.scrapeTimeGauges(db, pool);
    this.stopReceiving = receiveSignals(db, this);
  }

  /** Stops hearing the store's signals (the app is closing). */
  close(): void {
    this.stopReceiving();
  }

  request(method: string, route: string, status: number, seconds: number): void {
    this.requests.observe({ method, route, status }, seconds);
  }

  decided(reason: ReasonCode): void {
    this.decisions.inc({ outcome: outcomeOf(reason), reason });
  }

  groupCommitted(size: number, seconds: number): void {
    this.commitSize.observe(size);
    this.commitLatency.observe(seconds);
  }

  indexRebuilt(seconds: number): void {
    this.rebuilds.observe(seconds);
  }

  changeFeedReconnecting(): void {
    this.reconnects.inc();
  }

  webhookAttempted(status: number | undefined, lagSeconds: number): void {
    this.webhookAttempts.labels(webhookResult(status)).inc();
    this.webhookLag.observe(lagSeconds);
  }

  /** Gauges read when scraped: the pool, the feed's state, and two aggregate queries of the store. */
  private scrapeTimeGauges(db: Queryable, pool: (() => PoolUse) | undefined): void {
    const registers = [this.registry];
    // Registered first, so read before this scrape's own queries take connections from the pool.
    if (pool) poolGauges(registers, pool);
    storeStateGauges(registers, db);
    deviceAndDoorGauges(registers, db);
  }
}

/** The PostgreSQL pool's connections in use and idle, and the queries waiting for one. */
function poolGauges(registers: Registry[], pool: () => PoolUse): void {
  new Gauge({
    name: 'portcullis_store_pool_connections',
    help: "The PostgreSQL pool's connections, by state (in_use, idle).",
    labelNames: ['state'] as const,
    registers,
    collect() {
      const use = pool();
      this.labels('in_use').set(use.total - use.idle);
      this.labels('idle').set(use.idle);
    },
  });
  new Gauge({
    name: 'portcullis_store_pool_waiting',
    help: 'Queries waiting for a PostgreSQL connection.',
    registers,
    collect() {
      this.set(pool().waiting);
    },
  });
}

/** Whether the change feed is connected and the store answers. */
function storeStateGauges(registers: Registry[], db: Queryable): void {
  new Gauge({
    name: 'portcullis_change_feed_connected',
    help: 'Whether the change feed hears every commit (1) or not (0): while 0, decisions read the store and /ready says why.',
    registers,
    collect() {
      this.set(changeFeedOf(db).connected ? 1 : 0);
    },
  });
  new Gauge({
    name: 'portcullis_store_up',
    help: 'Whether the store answered a query at scrape time (1) or not (0).',
    registers,
    async collect() {
      this.set(
        await sql`select 1`.execute(db).then(
          () => 1,
          () => 0,
        ),
      );
    },
  });
}

/** Devices and devices online per site, and doors alarmed, from aggregate queries at scrape time. */
function deviceAndDoorGauges(registers: Registry[], db: Queryable): void {
  // Both device gauges come from one query per scrape: the registry collects every metric at once.
  let reading: Promise<DevicesOnline[] | undefined> | undefined;
  const devicesNow = () =>
    (reading ??= devicesOnlineBySite(db, Date.now() - ONLINE_WITHIN_MS)
      // portcullis_store_up says so; no figure is better than a wrong zero.
      .catch(() => undefined)
      .finally(() => {
        reading = undefined;
      }));
  const deviceGauge = (name: string, help: string, count: (row: DevicesOnline) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['site_id'] as const,
      registers,
      async collect() {
        this.reset();
        for (const row of (await devicesNow()) ?? []) this.labels(String(row.site_id)).set(count(row));
      },
    });
  deviceGauge('portcullis_devices', 'Devices not revoked, per site.', (row) => row.devices);
  deviceGauge('portcullis_devices_online', `Devices seen in the last ${ONLINE_WITHIN_MS / 60_000} minutes, per site.`, (row) => row.online);
  new Gauge({
    name: 'portcullis_doors_alarmed',
    help: `Doors with a forced or held-open alarm in the last ${ALARM_WITHIN_MS / 60_000} minutes, per site and alarm.`,
    labelNames: ['site_id', 'alarm'] as const,
    registers,
    async collect() {
      this.reset();
      try {
        for (const row of await doorsAlarmedBySite(db, Date.now() - ALARM_WITHIN_MS)) {
          this.labels(String(row.site_id), ALARMS[row.code] ?? String(row.code)).set(row.doors);
        }
      } catch {
        // portcullis_store_up says so; no figure is better than a wrong zero.
      }
    },
  });
}

function outcomeOf(reason: string): 'granted' | 'denied' {
  return reason === 'granted' ? 'granted' : 'denied';
}
