import { describe, expect, it } from 'vitest';
import { cliOnStore } from '../cli-runner.ts';
import { createSite, prepareFaultStore, seedAccessWorld } from '../faults/fault-store.ts';
import { DIALECTS } from '../harness.ts';
import { type ChildServer, Client, startServe } from './child-server.ts';

/** The change feed's bound (docs/faults.md): another process hears a commit within it. */
const FEED_BOUND_MS = 1000;
const TEST_MS = 120_000;

/**
 * Lockdowns across real `serve` processes (docs/door-modes.md, "Faults"): a start acknowledged just
 * before a SIGKILL holds after the restart, and a start made through one process (or the CLI) is obeyed
 * by another within the change feed's bound.
 */
describe.each(DIALECTS)('lockdowns across processes on %s', (dialect) => {
  it(
    'keeps a lockdown acknowledged just before a kill -9: after the restart the door still denies',
    async () => {
      const store = await prepareFaultStore(dialect);
      const servers: ChildServer[] = [];
      try {
        const { siteId, lockt } = await createSite(store, 'Lockdown Crash');
        const first = await startServe(store);
        servers.push(first);
        const world = await seedAccessWorld(store, lockt, siteId, new Client(first.port, lockt));
        const decide = (port: number) =>
          new Client(port, world.device).call('POST', '/api/v1/device/access', { door_id: world.doorId, card_num: world.cardNum });
        expect((await decide(first.port)).body.data.granted).toBe(true);
        const api = new Client(first.port, lockt);
        expect((await api.call('POST', '/api/v1/lockdown', { lockdowns: [{ name: 'Fire drill', priority: 10 }] })).status).toBe(200);
        const started = await api.call('POST', '/api/v1/lockdown/start', { lockdowns: [{ name: 'Fire drill' }] });
        expect(started.body).toEqual({ data: { submitted: 1, processed: 1, errors: 0 } });
        await first.kill();

        const second = await startServe(store);
        servers.push(second);
        expect((await decide(second.port)).body.data).toMatchObject({ granted: false, subcode: 118 });
        const plans = (await new Client(second.port, lockt).call('GET', '/api/v1/lockdown')).body.data;
        expect(plans).toEqual([expect.objectContaining({ name: 'Fire drill', active: true })]);
      } finally {
        for (const server of servers) await server.kill();
        await store.cleanup();
      }
    },
    TEST_MS,
  );

  it(
    'has a lockdown started through one process, or the CLI, obeyed by another within the change feed’s bound',
    async () => {
      const store = await prepareFaultStore(dialect);
      const servers: ChildServer[] = [];
      try {
        const { siteId, lockt } = await createSite(store, 'Lockdown Cluster');
        const [a, b] = [await startServe(store), await startServe(store)];
        servers.push(a, b);
        const world = await seedAccessWorld(store, lockt, siteId, new Client(a.port, lockt));
        const onB = new Client(b.port, world.device);
        const decide = () => onB.call('POST', '/api/v1/device/access', { door_id: world.doorId, card_num: world.cardNum });
        /** Asks B until its answer is `granted`, for at most the feed's bound after the start returned; how long it took, or null. */
        const answeredWithin = async (granted: boolean): Promise<number | null> => {
          const from = Date.now();
          while (Date.now() - from <= FEED_BOUND_MS) {
            if ((await decide()).body.data.granted === granted) return Date.now() - from;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          return null;
        };
        // Answered twice, so B's index holds the site (src/access/access-index.ts).
        for (let i = 0; i < 2; i++) expect((await decide()).body.data.granted).toBe(true);
        const api = new Client(a.port, lockt);
        expect((await api.call('POST', '/api/v1/lockdown', { lockdowns: [{ name: 'Lock all' }] })).status).toBe(200);
        expect((await api.call('POST', '/api/v1/lockdown/start', { lockdowns: [{ name: 'Lock all' }] })).status).toBe(200);
        const deniedAfter = await answeredWithin(false);
        await cliOnStore(store, ['lockdown', 'clear', '--site', String(siteId), '--name', 'Lock all']);
        const grantedAfter = await answeredWithin(true);
        console.info(
          `${dialect}: another process denied ${deniedAfter} ms after the start returned, granted ${grantedAfter} ms after the CLI's clear`,
        );
        expect(deniedAfter).not.toBeNull();
        expect(grantedAfter).not.toBeNull();
      } finally {
        for (const server of servers) await server.kill();
        await store.cleanup();
      }
    },
    TEST_MS,
  );
});
