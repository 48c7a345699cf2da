import { describe, expect, it } from 'vitest';
import { cliOnStore } from '../cli-runner.ts';
import { type ChildServer, Client, startServe } from '../crash/child-server.ts';
import { type AccessWorld, admin, createSite, prepareFaultStore, seedAccessWorld } from '../faults/fault-store.ts';
import { DIALECTS } from '../harness.ts';
import { startReceiver, until } from './receiver.ts';

/**
 * Two real `serve` processes on one PostgreSQL database deliver the same subscriptions: each delivery
 * must be sent by one of them at a time (the receiver records any request that came while another of the
 * same webhook-id was unanswered), every acknowledged event must arrive at every subscription, in event
 * order per subscription. The receiver takes a few milliseconds per answer, so a second send of a
 * delivery in flight would overlap it, and fails some, so that retries are taken over too.
 */
const SUBSCRIPTIONS = 4;
const DECISIONS_PER_CLIENT = 60;
/** A short lease, renewed before every attempt, so takeovers and renewals happen throughout. */
const SERVE_ENV = { PORTCULLIS_WEBHOOK_ALLOW_HTTP: 'true', PORTCULLIS_WEBHOOK_ALLOW_PRIVATE: 'true', PORTCULLIS_WEBHOOK_LEASE_MS: '1500' };

async function decide(client: Client, world: AccessWorld, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const answer = await client.call('POST', '/api/v1/device/access', { door_id: world.doorId, card_num: world.cardNum });
    expect(answer.status).toBe(200);
    ids.push(answer.body.data.event_id as number);
  }
  return ids;
}

/** A subscription's events in the order they arrived, each retry of one delivery counted once. */
function arrivalOrder(bodies: string[]): number[] {
  const order: number[] = [];
  for (const body of bodies) {
    const id = JSON.parse(body).data.id as number;
    if (order.at(-1) !== id) order.push(id);
  }
  return order;
}

describe.runIf(DIALECTS.includes('postgres'))('webhook deliveries from two processes on one PostgreSQL store', () => {
  it('never sends one delivery from both at once; every event arrives at every subscription, in order', async () => {
    // Every 25th request fails once, to be retried after its backoff (by whichever process claims it then).
    const receiver = await startReceiver((_got, index) => ({ status: index % 25 === 7 ? 500 : 200, afterMs: 3 }));
    const store = await prepareFaultStore('postgres');
    const nodes: ChildServer[] = [];
    let watching = true;
    try {
      const { siteId, lockt } = await createSite(store, 'Webhook Two Processes');
      for (let n = 1; n <= SUBSCRIPTIONS; n++) {
        await cliOnStore(store, ['webhook', 'create', '--site', String(siteId), '--url', `${receiver.url}/${n}`, '--allow-http', '--allow-private']);
      }
      nodes.push(await startServe(store, SERVE_ENV), await startServe(store, SERVE_ENV));
      const setup = new Client((nodes[0] as ChildServer).port, lockt);
      const world = await seedAccessWorld(store, lockt, siteId, setup);
      setup.close();

      // Which process holds each subscription's lease, seen while they deliver: both must take part.
      const owners = new Set<string>();
      const watcher = (async () => {
        while (watching) {
          const rows = await admin(store.databaseUrl as string, 'select lease_owner from webhook where lease_owner is not null');
          for (const row of rows) owners.add(String(row.lease_owner));
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();

      const clients = nodes.flatMap((node) => [new Client(node.port, world.device), new Client(node.port, world.device)]);
      const acked = (await Promise.all(clients.map((client) => decide(client, world, DECISIONS_PER_CLIENT)))).flat().sort((a, b) => a - b);
      for (const client of clients) client.close();

      const paths = Array.from({ length: SUBSCRIPTIONS }, (_, i) => `/hook/${i + 1}`);
      const bodiesAt = (path: string) => receiver.received.filter((r) => r.path === path).map((r) => r.body);
      await until(
        'every event at every subscription',
        // A send overlapping another of its delivery ends the wait at once: the assertion below names it.
        () =>
          receiver.overlapping.length > 0 ||
          paths.every((path) => {
            const arrived = new Set(arrivalOrder(bodiesAt(path)));
            return acked.every((id) => arrived.has(id));
          }),
        120_000,
      );
      watching = false;
      await watcher;

      expect(receiver.overlapping).toEqual([]);
      for (const path of paths) {
        const order = arrivalOrder(bodiesAt(path));
        // In event order, each event once (a retry of the same delivery follows it directly).
        expect(order, path).toEqual([...order].sort((a, b) => a - b));
        expect(new Set(order).size, path).toBe(order.length);
        expect(
          order.filter((id) => acked.includes(id)),
          path,
        ).toEqual(acked);
      }
      expect(owners.size).toBeGreaterThanOrEqual(2);
      console.info(`two processes: ${acked.length} decisions, ${receiver.received.length} requests received, ${owners.size} lease owners seen`);
    } finally {
      watching = false;
      for (const node of nodes) await node.kill();
      await store.cleanup();
      await receiver.close();
    }
  }, 300_000);
});
