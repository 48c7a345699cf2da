import { parseArgs } from 'node:util';
import type { Dialect } from '../src/db/open.ts';
import type { HotStatement } from '../src/db/prepared.ts';
import type { Queryable } from '../src/db/queryable.ts';
import { EVENT_CATEGORIES, EVENT_CODES } from '../src/event-log/catalogue.ts';
import { type EventRow, eventInsert } from '../src/event-log/event-log.statements.ts';
import { outboxInsert } from '../src/event-log/webhook-outbox.ts';
import { systemClock } from '../src/lib/clock.ts';
import { hashSecret } from '../src/lib/secrets.ts';
import { apiKeyWithSite } from '../src/modules/api-keys/api-keys.statements.ts';
import { deviceByKeyHash, deviceSeen } from '../src/modules/devices/devices.statements.ts';
import { consoleSignIn } from '../src/modules/operator-sessions/operator-sessions.service.ts';
import { operatorSession } from '../src/modules/operator-sessions/operator-sessions.statements.ts';
import { createOperator } from '../src/modules/users/operators.service.ts';
import { userViewById, userViews } from '../src/modules/users/users.service.ts';
import { insertWebhook } from '../src/modules/webhooks/webhooks.repository.ts';
import {
  type NewAttempt,
  attemptInsert,
  claimStatement,
  deliveredUpdate,
  nextDeliveriesStatement,
} from '../src/modules/webhooks/webhooks.statements.ts';
import { median } from './load.ts';
import { type SeededSite, onSeededStores, siteShape } from './seed.ts';

/**
 * `npx tsx bench/hot-statements.ts [--stores sqlite,postgres] [--rounds 10] [--ops 2000] [--users 10000]`:
 * the hot statements (src/db/prepared.ts) in one process, without HTTP, on a seeded site: each as Kysely
 * builds and compiles it on every call (`built`) against the same statement compiled once, and
 * `GET /user?id=`'s reads as they were (three Kysely reads) against now (one hot statement). The two
 * paths alternate round by round in the same run, so the ratio holds on a loaded machine where the µs
 * do not. PostgreSQL needs DATABASE_URL (a server where a database may be created).
 */
const { values: flags } = parseArgs({
  options: {
    stores: { type: 'string', default: 'sqlite,postgres' },
    rounds: { type: 'string', default: '10' },
    ops: { type: 'string', default: '2000' },
    users: { type: 'string', default: '10000' },
  },
});
const ROUNDS = Number(flags.rounds);
const OPS = Number(flags.ops);

/** One operation run both ways, on the same values. */
interface Pair {
  name: string;
  old: (db: Queryable, i: number) => Promise<unknown>;
  now: (db: Queryable, i: number) => Promise<unknown>;
  /** Runs a round's operations (in a transaction that is rolled back, for writes that must not pile up). */
  round?: (db: Queryable, run: (db: Queryable) => Promise<void>) => Promise<void>;
}

/** A statement as Kysely built and compiled it per call, against the same statement compiled once. */
function statementPair<Values, Row>(name: string, statement: HotStatement<Values, Row>, values: (i: number) => Values): Pair {
  return {
    name,
    old: (db, i) => db.executeQuery(statement.built(db, values(i))),
    now: (db, i) => statement.run(db, values(i)),
  };
}

const ROLLED_BACK = new Error('rolled back on purpose');

/** Runs `run` in a transaction and rolls it back, so a round of writes leaves the store as it was. */
async function rolledBack(db: Queryable, run: (db: Queryable) => Promise<void>): Promise<void> {
  await db
    .transaction()
    .execute(async (trx) => {
      await run(trx);
      throw ROLLED_BACK;
    })
    .catch((error: unknown) => {
      if (error !== ROLLED_BACK) throw error;
    });
}

async function timeRound(db: Queryable, pair: Pair, path: 'old' | 'now'): Promise<number> {
  const operation = pair[path];
  let elapsed = 0;
  const run = async (on: Queryable) => {
    const started = performance.now();
    for (let i = 0; i < OPS; i++) await operation(on, i);
    elapsed = performance.now() - started;
  };
  if (pair.round) await pair.round(db, run);
  else await run(db);
  return (elapsed * 1000) / OPS;
}

async function measure(db: Queryable, site: SeededSite, dialect: Dialect): Promise<void> {
  const { siteId } = site;
  await createOperator(db, siteId, { username: 'bench-admin', password: 'Bench-password-1', role: 'admin' }, systemClock);
  const { token } = await consoleSignIn(db, { username: 'bench-admin', password: 'Bench-password-1', address: 'bench' }, systemClock);
  const tokenHash = hashSecret(token);
  const keyHash = hashSecret(site.deviceKey);
  const device = await deviceByKeyHash.first(db, { keyHash });
  if (!device) throw new Error('The seeded device is missing');
  const span = site.userIds.last - site.userIds.first + 1;
  const userId = (i: number) => site.userIds.first + ((i * 7919) % span);
  const event = (i: number): EventRow => ({
    site_id: siteId,
    code: EVENT_CODES.ACCESS_GRANTED,
    subcode: null,
    category: EVENT_CATEGORIES.ACCESS_GRANTED,
    device_id: null,
    device_name: 'Bench device',
    controller: '',
    door_id: null,
    door_name: `Door ${i}`,
    location_name: '',
    schedule_name: 'Always',
    credential_id: null,
    card_num: String(i),
    user_id: null,
    user_name: 'Bench user',
    detail: '',
    hw_time: i,
    db_time: i,
  });
  // The webhook delivery worker's statements (issue 17): a subscription taking every event, and a commit's
  // worth of events (20) with their pending deliveries, which every round rolls back.
  const webhookId = await insertWebhook(db, {
    site_id: siteId,
    url: 'http://127.0.0.1/hook',
    codes: '',
    categories: '',
    doors: '',
    enabled: 1,
    secret: 'sealed',
    created_at: 0,
    updated_at: 0,
  });
  const commitEvents = (await eventInsert(20).rows(db, { rows: Array.from({ length: 20 }, (_, i) => event(i)), first: 0 })).map((r) => r.id);
  const [firstEvent = 0, lastEvent = 0] = [commitEvents[0], commitEvents.at(-1)];
  // The delivery the recorded attempts are of.
  const { id: deliveryId } = await db
    .insertInto('webhook_delivery')
    .values({ site_id: siteId, webhook_id: webhookId, event_id: firstEvent, state: 'delivered', next_at: 0, created_at: 0 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const withDeliveries = async (on: Queryable, run: (db: Queryable) => Promise<void>) =>
    rolledBack(on, async (trx) => {
      await outboxInsert.run(trx, { first: firstEvent, last: lastEvent });
      await run(trx);
    });
  const attempts = (i: number): NewAttempt[] =>
    Array.from({ length: 64 }, () => ({
      site_id: siteId,
      webhook_id: webhookId,
      delivery_id: deliveryId,
      at: i,
      status: 204,
      latency_ms: 1,
      error: '',
      response_head: '',
    }));
  const pairs: Pair[] = [
    {
      ...statementPair('webhook outbox (a commit of 20 events)', outboxInsert, () => ({ first: firstEvent, last: lastEvent })),
      round: rolledBack,
    },
    { ...statementPair('webhook claim', claimStatement, (i) => ({ owner: 'bench', now: Date.now(), until: Date.now() + i })), round: rolledBack },
    {
      ...statementPair('webhook deliveries read (20 with their events)', nextDeliveriesStatement, () => ({ webhookId, limit: 200, afterEventId: 0 })),
      round: withDeliveries,
    },
    { ...statementPair('webhook attempts recorded (64)', attemptInsert(64), (i) => ({ rows: attempts(i) })), round: rolledBack },
    {
      ...statementPair('webhook deliveries marked delivered (64)', deliveredUpdate(64), (i) => ({
        ids: Array.from({ length: 64 }, (_, n) => n + 1),
        at: i,
        attemptedFrom: i,
      })),
      round: rolledBack,
    },
    statementPair('API key with its site', apiKeyWithSite, () => ({ apiuser: site.apiuser })),
    statementPair('device key with its site', deviceByKeyHash, () => ({ keyHash })),
    statementPair('operator session', operatorSession, (i) => ({ tokenHash, kind: 'console' as const, now: Date.now() + i })),
    { ...statementPair('device seen', deviceSeen, (i) => ({ siteId, deviceId: device.device_id, at: i })), round: rolledBack },
    // One event a statement, as a commit of one decision writes it; `first` as src/db/log-ids.ts numbers them.
    { ...statementPair('event insert (1 row)', eventInsert(1), (i) => ({ rows: [event(i)], first: i })), round: rolledBack },
    {
      name: 'GET /user?id= reads: 3 Kysely → 1 hot',
      old: (on, i) => userViews(on, siteId, { roles: ['cardholder'], id: userId(i) }, 0, 1000),
      now: (on, i) => userViewById(on, siteId, userId(i), 0),
    },
  ];
  console.log(
    `\n${dialect}: ${site.counts.users} users, ${ROUNDS} rounds of ${OPS} operations a path, alternating; µs an operation (median of rounds)`,
  );
  console.log(['statement', 'Kysely per call', 'compiled once', 'ratio'].join(' | '));
  for (const pair of pairs) {
    // A first round of each, not counted: the statements compiled, the store's caches warm.
    await timeRound(db, pair, 'old');
    await timeRound(db, pair, 'now');
    const old: number[] = [];
    const now: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const first = round % 2 === 0 ? 'old' : 'now';
      const a = await timeRound(db, pair, first);
      const b = await timeRound(db, pair, first === 'old' ? 'now' : 'old');
      const [o, n] = first === 'old' ? [a, b] : [b, a];
      old.push(o);
      now.push(n);
      ratios.push(n / o);
    }
    console.log([pair.name, median(old).toFixed(1), median(now).toFixed(1), median(ratios).toFixed(2)].join(' | '));
  }
}

await onSeededStores(flags.stores ?? '', 'hot', siteShape(Number(flags.users), 0), measure);
