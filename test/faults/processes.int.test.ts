import { request } from 'node:https';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/db/open.ts';
import { cliOnStore } from '../cli-runner.ts';
import { type ChildServer, Client, startServe } from '../crash/child-server.ts';
import { DIALECTS } from '../harness.ts';
import { type AccessWorld, type FaultStore, ask, createSite, prepareFaultStore, seedAccessWorld, setUserEnabled } from './fault-store.ts';

/**
 * Several real server processes on one store (SQLite directory or PostgreSQL database): what one process
 * commits, every other answers from at once; long-lived responses end with their caller's authority;
 * the audit trail pages losslessly under writers on three processes; and a SIGTERM drains.
 */
const TRIALS = Number(process.env.PORTCULLIS_FAULT_TRIALS ?? 200);
const GENEROUS_MS = 15_000;
const TEST_MS = 120_000;

/** An SSE stream of a child: what arrived, and when it ended (by the server). */
function openStream(
  port: number,
  headers: Record<string, string>,
): { text: () => string; ended: Promise<number>; opened: Promise<void>; close: () => void } {
  let text = '';
  let close: () => void = () => undefined;
  let opened: () => void = () => undefined;
  const openedPromise = new Promise<void>((resolve) => {
    opened = resolve;
  });
  const ended = new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/events?stream', headers, rejectUnauthorized: false }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`stream answered ${res.statusCode}`));
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (text.includes(': stream open')) opened();
      });
      res.on('end', () => resolve(Date.now()));
      res.on('error', () => resolve(Date.now()));
      res.on('close', () => resolve(Date.now()));
    });
    req.on('error', reject);
    req.end();
    close = () => req.destroy();
  });
  return { text: () => text, ended, opened: openedPromise, close: () => close() };
}

describe.each(DIALECTS)('several processes on one %s store', (dialect: Dialect) => {
  let store: FaultStore;
  let nodes: ChildServer[] = [];
  let clients: Client[] = [];

  beforeEach(async () => {
    store = await prepareFaultStore(dialect);
  });
  afterEach(async () => {
    for (const client of clients) client.close();
    await Promise.all(nodes.map((node) => node.kill()));
    clients = [];
    nodes = [];
    await store.cleanup();
  });

  async function cluster(count: number): Promise<{ world: AccessWorld; lockt: Client[]; devices: Client[] }> {
    const { siteId, lockt } = await createSite(store, 'Processes');
    nodes = await Promise.all(Array.from({ length: count }, () => startServe(store)));
    const lockts = nodes.map((node) => new Client(node.port, lockt));
    const world = await seedAccessWorld(store, lockt, siteId, lockts[0] as Client);
    const devices = nodes.map((node) => new Client(node.port, world.device));
    clients.push(...lockts, ...devices);
    return { world, lockt: lockts, devices };
  }

  it(
    `answers no stale decision after another process's write, in ${TRIALS} trials`,
    async () => {
      const { world, lockt, devices } = await cluster(2);
      const [writer, reader] = [lockt[0] as Client, devices[1] as Client];
      let stale = 0;
      let enabled = true;
      for (let trial = 0; trial < TRIALS; trial++) {
        // Each trial asks first, so the reader answers the next question from its index if it can.
        expect((await ask(reader, world)).granted).toBe(enabled);
        enabled = !enabled;
        await setUserEnabled(writer, world, enabled);
        if ((await ask(reader, world)).granted !== enabled) stale++;
      }
      console.info(`${dialect}: ${stale} stale answers from the second process in ${TRIALS} writes by the first (half of them revoking)`);
      expect(stale).toBe(0);
    },
    TEST_MS,
  );

  it(
    'ends an open event stream, and a device long poll, within a second of their revocation by the CLI',
    async () => {
      const { world } = await cluster(1);
      const node = nodes[0] as ChildServer;
      const stream = openStream(node.port, world.lockt);
      await stream.opened;
      const revoked = Date.now();
      await cliOnStore(store, ['key', 'revoke', '--apiuser', world.lockt.apiuser as string]);
      const streamEnded = (await stream.ended) - revoked;

      const poll = new Client(node.port, world.device).call('GET', '/api/v1/device/commands?wait=30');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const devicesListed = await cliOnStore(store, ['device', 'list', '--site', String(world.siteId)]);
      const deviceRevoked = Date.now();
      await cliOnStore(store, ['device', 'revoke', '--device', String(world.deviceId)]);
      const pollAnswer = await poll;
      const pollEnded = Date.now() - deviceRevoked;
      console.info(`${dialect}: the stream ended ${streamEnded} ms after its key was revoked, the long poll ${pollEnded} ms after its device was`);
      expect(devicesListed.length).toBe(1);
      expect(pollAnswer.status).toBe(401);
      expect(streamEnded).toBeLessThan(GENEROUS_MS);
      expect(pollEnded).toBeLessThan(GENEROUS_MS);
    },
    TEST_MS,
  );

  it(
    'refuses a key and a device revoked by the CLI within a second, though the server remembers its callers',
    async () => {
      const { world } = await cluster(1);
      const node = nodes[0] as ChildServer;
      const lockt = new Client(node.port, world.lockt);
      const device = new Client(node.port, world.device);
      clients.push(lockt, device);
      const ping = () => lockt.call('GET', '/api/v1/ping');
      const decide = () => device.call('POST', '/api/v1/device/access', { door_id: world.doorId, card_num: world.cardNum });
      /** Asks until refused, for at most a second after the revocation returned; how long it took, or null. */
      const refusedWithin = async (call: () => Promise<{ status: number }>): Promise<number | null> => {
        const from = Date.now();
        while (Date.now() - from <= 1000) {
          if ((await call()).status === 401) return Date.now() - from;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return null;
      };
      // Answered twice each, so the server has them in memory (src/http/plugins/caller-cache.ts).
      for (let i = 0; i < 2; i++) expect([(await ping()).status, (await decide()).status]).toEqual([200, 200]);
      await cliOnStore(store, ['key', 'revoke', '--apiuser', world.lockt.apiuser as string]);
      const keyRefused = await refusedWithin(ping);
      await cliOnStore(store, ['device', 'revoke', '--device', String(world.deviceId)]);
      const deviceRefused = await refusedWithin(decide);
      console.info(`${dialect}: a revoked key was refused ${keyRefused} ms after the CLI returned, a revoked device ${deviceRefused} ms after`);
      expect(keyRefused).not.toBeNull();
      expect(deviceRefused).not.toBeNull();
    },
    TEST_MS,
  );

  it(
    'pages the audit trail without a loss or a repeat while three processes write',
    async () => {
      const { siteId, lockt } = await createSite(store, 'Audit');
      const keys = [lockt];
      // One after the other: the CLI runs in this process, and its output is captured from process.stdout.
      for (let i = 0; i < 3; i++) {
        const key = await cliOnStore(store, ['key', 'create', '--site', String(siteId)]);
        keys.push({ apiuser: key.apiuser as string, apikey: key.apikey as string });
      }
      nodes = await Promise.all([0, 1, 2].map(() => startServe(store)));
      const writers = nodes.map((node, i) => new Client(node.port, keys[i + 1] as Record<string, string>));
      const poller = new Client((nodes[0] as ChildServer).port, keys[0] as Record<string, string>);
      clients.push(...writers, poller);
      let writing = true;
      let written = 0;
      const writes = writers.map(async (writer, w) => {
        for (let n = 0; writing; n++) {
          const answer = await writer.call('POST', '/api/v1/door', { doors: [{ name: `Door ${w}-${n}` }] });
          expect(answer.status).toBe(200);
          written++;
        }
      });
      const seen: number[] = [];
      let after = 0;
      const page = async () => {
        const answer = await poller.call('GET', `/api/v1/audit?id=${after}`);
        expect(answer.status).toBe(200);
        for (const record of answer.body.data as { id: number }[]) {
          seen.push(record.id);
          after = record.id;
        }
        return (answer.body.data as unknown[]).length;
      };
      const until = Date.now() + 4_000;
      while (Date.now() < until) await page();
      writing = false;
      await Promise.all(writes);
      // Pages asked for after every writer has finished, until one comes back empty.
      while ((await page()) > 0);
      const everything = (await poller.call('GET', '/api/v1/audit')).body.data.map((r: { id: number }) => r.id).reverse();
      console.info(`${dialect}: ${written} audited writes by three processes, ${seen.length} records paged`);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(seen).toEqual(everything);
      expect(seen.length).toBe(written);
    },
    TEST_MS,
  );

  it(
    'drains on SIGTERM: answers what is in flight, ends streams with a retry hint, exits 0; a second SIGTERM exits at once',
    async () => {
      const { world, devices } = await cluster(1);
      const node = nodes[0] as ChildServer;
      const stream = openStream(node.port, world.lockt);
      await stream.opened;
      // Settled as they go: a question the server never read fails while the server stops.
      const inFlight = Promise.allSettled(Array.from({ length: 8 }, () => ask(devices[0] as Client, world)));
      await new Promise((resolve) => setTimeout(resolve, 5));
      const signalled = Date.now();
      const code = await node.stop();
      const took = Date.now() - signalled;
      for (const answer of await inFlight) {
        // A question the server had not yet read may find the connection closed; one it read is answered.
        if (answer.status === 'fulfilled') expect(answer.value).toMatchObject({ status: 200, granted: true });
      }
      await stream.ended;
      console.info(`${dialect}: SIGTERM to exit took ${took} ms`);
      expect(code).toBe(0);
      expect(stream.text()).toMatch(/\nretry: \d+\n\n$/);
      expect(took).toBeLessThan(10_000);

      // A request that never finishes arriving holds the drain; a second SIGTERM does not wait for it.
      const second = await startServe(store);
      nodes.push(second);
      const trickle = request({
        host: '127.0.0.1',
        port: second.port,
        method: 'POST',
        path: '/api/v1/door',
        headers: { ...world.lockt, 'content-type': 'application/json', 'content-length': '100' },
        rejectUnauthorized: false,
      });
      trickle.on('error', () => undefined);
      trickle.write('{"doors":');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const exited = second.exited;
      process.kill(second.pid, 'SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const again = Date.now();
      process.kill(second.pid, 'SIGTERM');
      expect(await exited).toBe(1);
      expect(Date.now() - again).toBeLessThan(GENEROUS_MS);
      trickle.destroy();
    },
    TEST_MS,
  );
});
