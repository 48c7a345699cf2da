import { randomInt } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it, vi } from 'vitest';
import { cliOnStore } from '../cli-runner.ts';
import { createSite, prepareFaultStore, seedAccessWorld } from '../faults/fault-store.ts';
import { DIALECTS } from '../harness.ts';
import { startReceiver, until } from '../webhooks/receiver.ts';
import { openStore } from '../../src/db/open.ts';
import { type ChildServer, type ChildStore, Client, startServe } from './child-server.ts';

/**
 * Webhooks across kill -9: real `serve` processes answer access decisions while delivering every event
 * to a real loopback receiver, and one is killed with SIGKILL at random moments and started again. In the
 * end every acknowledged decision's event must have reached the receiver (at least once), each event
 * under one webhook-id however often it came, every delivery signed with the subscription's secret. On
 * PostgreSQL a second process runs throughout, so deliveries the killed one had claimed are taken over.
 *
 * PORTCULLIS_CRASH_KILLS (default 3) sets the kills; the full run is
 * `PORTCULLIS_CRASH_KILLS=20 npx vitest run test/crash/webhook-crash.int.test.ts`.
 */
const KILLS = Number(process.env.PORTCULLIS_CRASH_KILLS ?? 3);
/** Loopback receivers, and a short lease so a dead process's queue is taken over within the test. */
const SERVE_ENV = { PORTCULLIS_WEBHOOK_ALLOW_HTTP: 'true', PORTCULLIS_WEBHOOK_ALLOW_PRIVATE: 'true', PORTCULLIS_WEBHOOK_LEASE_MS: '1500' };

/** Asks at the world's door until told to stop or the server dies; collects the acknowledged events' ids. */
async function decide(client: Client, world: { doorId: number; cardNum: string }, acked: Set<number>, stopped: () => boolean): Promise<void> {
  while (!stopped()) {
    try {
      const answer = await client.call('POST', '/api/v1/device/access', { door_id: world.doorId, card_num: world.cardNum });
      if (answer.status === 200) acked.add(answer.body.data.event_id as number);
    } catch {
      return;
    }
  }
}

/** What the store says of events that never arrived, for the failure message. */
async function undelivered(store: ChildStore, ids: number[]): Promise<string> {
  const handle = openStore({ dataDir: store.dataDir, databaseUrl: store.databaseUrl });
  try {
    const deliveries = await handle.db.selectFrom('webhook_delivery').selectAll().where('event_id', 'in', ids.slice(0, 20)).execute();
    const hooks = await handle.db.selectFrom('webhook').select(['id', 'enabled', 'lease_owner', 'lease_until', 'disabled_reason']).execute();
    return JSON.stringify({ missing: ids.length, deliveries, hooks, now: Date.now() });
  } finally {
    await handle.close();
  }
}

describe.each(DIALECTS)('webhook deliveries across kill -9 on %s', (dialect) => {
  it(
    `deliver every acknowledged event at least once, under one webhook-id, across ${KILLS} SIGKILLs`,
    async () => {
      const receiver = await startReceiver();
      const store = await prepareFaultStore(dialect);
      const nodes: ChildServer[] = [];
      try {
        const { siteId, lockt } = await createSite(store, 'Webhook Crash');
        const { secret } = await cliOnStore(store, [
          'webhook',
          'create',
          '--site',
          String(siteId),
          '--url',
          receiver.url,
          '--allow-http',
          '--allow-private',
        ]);
        nodes.push(await startServe(store, SERVE_ENV));
        if (dialect === 'postgres') nodes.push(await startServe(store, SERVE_ENV));
        const setup = new Client((nodes[0] as ChildServer).port, lockt);
        const world = await seedAccessWorld(store, lockt, siteId, setup);
        setup.close();
        const acked = new Set<number>();

        for (let kill = 1; kill <= KILLS; kill++) {
          let stopped = false;
          const clients = nodes.flatMap((node) => [new Client(node.port, world.device), new Client(node.port, world.device)]);
          const drivers = clients.map((client) => decide(client, world, acked, () => stopped));
          await new Promise((resolve) => setTimeout(resolve, 100 + randomInt(700)));
          await (nodes[0] as ChildServer).kill();
          stopped = true;
          await Promise.all(drivers);
          for (const client of clients) client.close();
          nodes[0] = await startServe(store, SERVE_ENV);
        }

        const deliveredIds = () => new Set(receiver.received.map((r) => JSON.parse(r.body).data.id as number));
        // The receiver answers from this process: each look parses the bodies once, so it never starves it.
        const missing = () => {
          const delivered = deliveredIds();
          return [...acked].filter((id) => !delivered.has(id));
        };
        await until('every acknowledged event delivered', () => missing().length === 0, 120_000).catch(async (error: Error) => {
          throw new Error(`${error.message}: ${await undelivered(store, missing())}`);
        });
        const idsOfEvent = new Map<number, Set<string>>();
        const verifier = new Webhook(secret);
        // Each checked as at its arrival: the library refuses a timestamp 5 minutes from now, and a full run takes longer.
        vi.useFakeTimers({ toFake: ['Date'] });
        try {
          for (const got of receiver.received) {
            vi.setSystemTime(got.at);
            const payload = verifier.verify(got.body, {
              'webhook-id': got.id,
              'webhook-timestamp': got.timestamp,
              'webhook-signature': got.signature,
            }) as { data: { id: number } };
            idsOfEvent.set(payload.data.id, (idsOfEvent.get(payload.data.id) ?? new Set()).add(got.id));
          }
        } finally {
          vi.useRealTimers();
        }
        expect([...idsOfEvent.values()].filter((ids) => ids.size !== 1)).toEqual([]);
        const duplicates = receiver.received.length - idsOfEvent.size;
        console.info(
          `webhook crash test on ${dialect}: ${KILLS} kills, ${acked.size} acknowledged decisions, ${receiver.received.length} deliveries received, ${duplicates} duplicates`,
        );
        expect(acked.size).toBeGreaterThan(0);
      } finally {
        for (const node of nodes) await node.kill();
        await store.cleanup();
        await receiver.close();
      }
    },
    120_000 + KILLS * 25_000,
  );

  it('stops the worker on SIGTERM with an attempt in flight: exits 0, and the next process sends it again', async () => {
    let hang = true;
    const receiver = await startReceiver(() => (hang ? 'hang' : 200));
    const store = await prepareFaultStore(dialect);
    const nodes: ChildServer[] = [];
    try {
      const { siteId, lockt } = await createSite(store, 'Webhook Shutdown');
      await cliOnStore(store, ['webhook', 'create', '--site', String(siteId), '--url', receiver.url, '--allow-http', '--allow-private']);
      nodes.push(await startServe(store, SERVE_ENV));
      const setup = new Client((nodes[0] as ChildServer).port, lockt);
      const world = await seedAccessWorld(store, lockt, siteId, setup);
      setup.close();
      const client = new Client((nodes[0] as ChildServer).port, world.device);
      const answer = await client.call('POST', '/api/v1/device/access', { door_id: world.doorId, card_num: world.cardNum });
      client.close();
      await until('the attempt in flight', () => receiver.received.length === 1);
      expect(await (nodes[0] as ChildServer).stop()).toBe(0);
      hang = false;
      nodes[0] = await startServe(store, SERVE_ENV);
      const [first, again] = await until('sent again', () => receiver.received.length >= 2 && receiver.received);
      expect(again?.id).toBe(first?.id);
      expect(JSON.parse(again?.body ?? '{}').data.id).toBe(answer.body.data.event_id);
    } finally {
      for (const node of nodes) await node.kill();
      await store.cleanup();
      await receiver.close();
    }
  }, 90_000);
});
