import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChangeFeed, watchPostgres } from '../../src/db/change-feed.ts';
import { CHANGE_FEED_APPLICATION } from '../../src/db/open.ts';
import { type ChildServer, Client, startServe } from '../crash/child-server.ts';
import { DIALECTS } from '../harness.ts';
import {
  type AccessWorld,
  type FaultStore,
  admin,
  ask,
  createSite,
  distribution,
  prepareFaultStore,
  seedAccessWorld,
  setUserEnabled,
  terminateBackends,
  timeUntil,
} from './fault-store.ts';
import { proxyInFront } from './tcp-proxy.ts';

/**
 * Faults of a PostgreSQL deployment, with real server processes on a database of their own: connections
 * ended by the server (pg_terminate_backend, idle_session_timeout), the change feed's LISTEN connection
 * lost, and the store taken away altogether. Every node must stay up, deny what it cannot prove, and come
 * back by itself. PORTCULLIS_FAULT_ROUNDS (default 3) sets how often each fault is repeated.
 */
const ROUNDS = Number(process.env.PORTCULLIS_FAULT_ROUNDS ?? 3);
/** How long a test waits for something that should have happened long before, before it fails. */
const GENEROUS_MS = 15_000;
const TEST_MS = 60_000 + ROUNDS * 30_000;

/** A node's first answer after another node's write: whether it still granted, and how long it took. */
interface NodeAnswer {
  granted: boolean;
  ms: number;
}

/**
 * Disables the world's user through `writer` and, once that has answered, asks every node once. A node
 * that answers from facts older than the write grants: counted, not timed, so a busy machine cannot fail
 * or pass it by the clock.
 */
async function askEveryNodeAfterDisabling(writer: Client, devices: Client[], world: AccessWorld): Promise<NodeAnswer[]> {
  await setUserEnabled(writer, world, false);
  const answers: NodeAnswer[] = [];
  for (const device of devices) {
    const asked = Date.now();
    const answer = await ask(device, world);
    expect(answer.status).toBe(200);
    answers.push({ granted: answer.granted, ms: Date.now() - asked });
  }
  return answers;
}

const report = (answers: NodeAnswer[]) =>
  `${answers.filter((a) => a.granted).length} of ${answers.length} still granted; answered in ${distribution(answers.map((a) => a.ms))}`;

describe.runIf(DIALECTS.includes('postgres'))('faults on PostgreSQL', () => {
  let store: FaultStore;
  let nodes: ChildServer[] = [];
  let clients: Client[] = [];
  /** Nodes that exited on their own; only afterEach kills them. */
  let exitedNodes = 0;

  beforeEach(async () => {
    store = await prepareFaultStore('postgres');
  });
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') for (const node of nodes) console.info(`node on port ${node.port} printed:\n${node.output()}`);
    for (const client of clients) client.close();
    await Promise.all(nodes.map((node) => node.kill()));
    clients = [];
    nodes = [];
    exitedNodes = 0;
    await store.cleanup();
  });

  /** `count` nodes on the store and a world seeded through the first; one client per node with the world's key and one with its device. */
  async function cluster(count: number, target: FaultStore = store): Promise<{ world: AccessWorld; lockt: Client[]; devices: Client[] }> {
    const { siteId, lockt } = await createSite(target, 'Faults');
    nodes = await Promise.all(Array.from({ length: count }, () => startServe(target)));
    for (const node of nodes) {
      void node.exited.then(() => {
        if (nodes.includes(node)) exitedNodes++;
      });
    }
    const lockts = nodes.map((node) => new Client(node.port, lockt));
    const world = await seedAccessWorld(target, lockt, siteId, lockts[0] as Client);
    const devices = nodes.map((node) => new Client(node.port, world.device));
    clients.push(...lockts, ...devices);
    return { world, lockt: lockts, devices };
  }

  /** Every node still runs, and none printed an unhandled error. */
  const alive = () => exitedNodes === 0 && nodes.every((node) => !/Unhandled/.test(node.output()));

  it(
    'survives every backend of its database being ended, idle and under load, and serves again by itself',
    async () => {
      const { world, devices } = await cluster(3);
      const refusals: number[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        // Idle: every pooled connection and every LISTEN connection is ended while nothing runs. Nothing
        // was in flight, so nothing fails: a statement sent on a connection found dead goes to a new one.
        expect(await terminateBackends(store, 'all')).toBeGreaterThan(0);
        for (const device of devices) expect(await ask(device, world)).toEqual({ status: 200, granted: true, subcode: 100 });
        // Under load: decisions four at a time on every node while the backends are ended.
        let stop = false;
        const statuses: number[] = [];
        const load = devices.map(async (device) => {
          await Promise.all(
            Array.from({ length: 4 }, async () => {
              while (!stop) {
                const answer = await ask(device, world);
                statuses.push(answer.status);
                if (answer.status !== 200) {
                  // Fail closed, in the decision's own shape: never a grant, never a 500.
                  expect(answer).toEqual({ status: 503, granted: false, subcode: 130 });
                }
              }
            }),
          );
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        await terminateBackends(store, 'all');
        await new Promise((resolve) => setTimeout(resolve, 500));
        stop = true;
        await Promise.all(load);
        const refused = statuses.filter((status) => status !== 200).length;
        refusals.push(refused);
        // At most the questions in flight when the connections went (4 per node), each once.
        expect(refused).toBeLessThanOrEqual(4 * nodes.length);
        for (const device of devices) expect((await ask(device, world)).status).toBe(200);
      }
      console.info(
        `backends ended ${ROUNDS} times idle and ${ROUNDS} times under load on 3 nodes; decisions refused 503 per round under load: ${refusals.join(', ')}`,
      );
      expect(alive()).toBe(true);
    },
    TEST_MS,
  );

  it(
    'denies on every node within a second of a change on another, after losing its LISTEN connection',
    async () => {
      const { world, lockt, devices } = await cluster(3);
      const answers: NodeAnswer[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        // Every node has answered from its index before the feed goes.
        for (const device of devices) expect(await ask(device, world)).toMatchObject({ status: 200, granted: true });
        // Every feed is back from the previous round (ready says so) before all three are ended again.
        for (const client of lockt)
          await timeUntil('a node is ready', async () => (await client.call('GET', '/api/v1/ready')).status === 200, GENEROUS_MS);
        expect(await terminateBackends(store, 'change_feed')).toBe(3);
        answers.push(...(await askEveryNodeAfterDisabling(lockt[0] as Client, devices, world)));
        await setUserEnabled(lockt[0] as Client, world, true);
        for (const device of devices) await timeUntil('a node grants the enabled user', async () => (await ask(device, world)).granted, GENEROUS_MS);
      }
      console.info(`after the LISTEN connections were ended, each node's first answer about a user disabled on node 1: ${report(answers)}`);
      expect(alive()).toBe(true);
      expect(answers.filter((a) => a.granted)).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'stays right when the database ends idle sessions by itself (idle_session_timeout)',
    async () => {
      await admin(store.adminUrl as string, `ALTER DATABASE ${store.database} SET idle_session_timeout = '1500ms'`);
      const { world, lockt, devices } = await cluster(3);
      const answers: NodeAnswer[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        // Long enough for every idle connection, pooled or listening, to have been ended at least once.
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        for (const device of devices) await timeUntil('a node grants', async () => (await ask(device, world)).granted, GENEROUS_MS);
        answers.push(...(await askEveryNodeAfterDisabling(lockt[0] as Client, devices, world)));
        await setUserEnabled(lockt[0] as Client, world, true);
      }
      console.info(`with idle_session_timeout 1.5 s, each node's first answer about a user disabled on node 1: ${report(answers)}`);
      expect(answers.filter((a) => a.granted)).toEqual([]);
      expect(alive()).toBe(true);
    },
    TEST_MS,
  );

  it(
    'denies with store_unavailable and refuses writes with 503 while the store is gone, and serves again when it is back',
    async () => {
      const { proxy, url } = await proxyInFront(store.databaseUrl as string);
      const viaProxy: FaultStore = { ...store, databaseUrl: url };
      try {
        const { world, lockt, devices } = await cluster(2, viaProxy);
        const [device, writer] = [devices[0] as Client, lockt[0] as Client];
        expect(await ask(device, world)).toMatchObject({ status: 200, granted: true });
        expect((await writer.call('GET', '/api/v1/ready')).status).toBe(200);

        await proxy.cut();
        // Fail closed at once: the index the node holds is not trusted without its change feed.
        const denied = await device.call('POST', '/api/v1/device/access', { door_id: world.doorId, card_num: world.cardNum });
        expect(denied.status).toBe(503);
        expect(denied.body.data).toMatchObject({ granted: false, code: 49, subcode: 130, subcode_text: 'Store Unavailable', event_id: null });
        const write = await writer.call('POST', '/api/v1/door', { doors: [{ name: 'Never Written' }] });
        expect(write.status).toBe(503);
        expect(write.body).toEqual({ data: { error: 'The store is unavailable; nothing was changed. Retry shortly.' } });
        const ready = await writer.call('GET', '/api/v1/ready');
        expect(ready.status).toBe(503);
        expect(ready.body.data.error).toMatch(/^Not ready: (store unavailable|store did not answer|change feed disconnected)/);
        expect(await writer.call('GET', '/api/v1/health')).toMatchObject({ status: 200, body: { data: { status: 'ok' } } });
        // The panel face says it in its own envelope.
        const login = await writer.call('GET', '/api/v1/login?username=admin&password=e10adc3949ba59abbe56e057f20f883e');
        expect(login.status).toBe(503);
        expect(login.body).toEqual({ error: 'The store is unavailable; nothing was changed. Retry shortly.' });

        await proxy.open();
        for (const node of devices)
          await timeUntil('a node grants again once the store is back', async () => (await ask(node, world)).granted, GENEROUS_MS);
        await timeUntil('the node is ready again', async () => (await writer.call('GET', '/api/v1/ready')).status === 200, GENEROUS_MS);
        const doors = (await writer.call('GET', '/api/v1/door')).body.data.map((d: { name: string }) => d.name);
        expect(doors).toEqual(['Fault Door']);
        expect(alive()).toBe(true);
      } finally {
        await proxy.cut();
      }
    },
    TEST_MS,
  );

  it(
    'distrusts a LISTEN connection that falls silent within a second, and reconnects once the network is back',
    async () => {
      const { proxy, url } = await proxyInFront(store.databaseUrl as string);
      const feed = new ChangeFeed();
      const problems: string[] = [];
      const stop = watchPostgres(
        async () => {
          const client = new pg.Client({ connectionString: url, application_name: CHANGE_FEED_APPLICATION });
          await client.connect();
          return client;
        },
        feed,
        (what) => problems.push(what),
      );
      try {
        await timeUntil('the feed connects', async () => feed.connected, GENEROUS_MS);
        proxy.freeze();
        const distrusted = await timeUntil('the feed is distrusted', async () => !feed.connected, GENEROUS_MS);
        console.info(`a silent LISTEN connection was distrusted ${distrusted} ms after the network froze`);
        // Unanswered pings make it drop the connection and try again; once the relay works, it is back.
        await timeUntil('the watcher gives up the silent connection', async () => problems.length > 0, GENEROUS_MS);
        await proxy.cut();
        await proxy.open();
        await timeUntil('the feed reconnects', async () => feed.connected, GENEROUS_MS);
      } finally {
        await proxy.cut();
        await stop();
      }
    },
    TEST_MS,
  );
});
