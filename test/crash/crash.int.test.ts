import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.ts';
import type { Dialect } from '../../src/db/open.ts';
import { openStore } from '../../src/db/open.ts';
import { cliOnStore } from '../cli-runner.ts';
import { DIALECTS, requirePgUrl } from '../harness.ts';
import { type ChildServer, type ChildStore, Client, launch, startServe } from './child-server.ts';
import { Ledger, type Work, drive, readAllEvents, readAllIdNums, seededRandom, violations } from './ledger.ts';

/**
 * Crash safety, end to end: a real `portcullis serve` child process takes a stream of user batches,
 * device event batches and access decisions over HTTPS and is killed with SIGKILL at random moments
 * (mostly under load, sometimes while it is still starting), then started again on the same store. After
 * every restart the store must hold every acknowledged write, no batch in part, no event twice (an
 * answered access decision's event exactly once, as its answer named it), and `/events?id=` paging from 0
 * must list every event once in increasing id order.
 *
 * PORTCULLIS_CRASH_KILLS (default 5) sets the kills per store; the full run is
 * `PORTCULLIS_CRASH_KILLS=20 npx vitest run test/crash`. PORTCULLIS_CRASH_SEED replays a printed seed.
 */
const KILLS = Number(process.env.PORTCULLIS_CRASH_KILLS ?? 5);
const SEED = Number(process.env.PORTCULLIS_CRASH_SEED ?? randomInt(2 ** 31));
/** Load runs this long (ms, at most) before a kill. */
const MAX_LOAD_MS = 1500;

interface PreparedStore extends ChildStore {
  cleanup(): Promise<void>;
}

/** An empty store: a new SQLite directory, or a new, migrated PostgreSQL schema the child reaches through its URL. */
async function prepareStore(dialect: Dialect): Promise<PreparedStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-crash-'));
  const removeDir = async () => rmSync(dataDir, { recursive: true, force: true });
  if (dialect === 'sqlite') return { dataDir, cleanup: removeDir };
  const pgUrl = requirePgUrl();
  const schema = `crash_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const store = openStore({ dataDir, databaseUrl: pgUrl, pgSchema: schema });
  await migrateToLatest(store.db);
  await store.close();
  return {
    dataDir,
    databaseUrl: `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`,
    cleanup: async () => {
      const cleanup = new pg.Client({ connectionString: pgUrl });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
      await cleanup.end();
      await removeDir();
    },
  };
}

/** How many user batches, event batches, decisions and granted decisions have been acknowledged so far. */
function ackedByKind(ledger: Ledger): number[] {
  const granted = ledger.decisions.filter((d) => d.answer?.body.data.granted === true);
  return [ledger.userBatches, ledger.eventBatches, ledger.decisions, granted].map((writes) => writes.filter((w) => w.outcome === 'acked').length);
}

describe.each(DIALECTS)('crash safety of portcullis serve on %s', (dialect) => {
  it(
    `keeps every acknowledged write, and no batch in part, across ${KILLS} SIGKILLs`,
    async () => {
      const seed = SEED + (dialect === 'postgres' ? 1 : 0);
      console.info(`crash test on ${dialect}: seed ${seed}, ${KILLS} kills (PORTCULLIS_CRASH_SEED=${seed} replays it)`);
      const pick = seededRandom(seed);
      const store = await prepareStore(dialect);
      let server: ChildServer | undefined;
      const stats = { startupKills: 0, loadKills: 0 };
      try {
        // One caller per worker: Portcullis refuses a caller's second write while its first still runs.
        const site = await cliOnStore(store, ['site', 'create', '--name', 'Crash Site']);
        const siteId = String(site.site.id);
        const lockt = { apiuser: site.apiuser as string, apikey: site.apikey as string };
        const writerKeys: Record<string, string>[] = [];
        for (let i = 0; i < 3; i++) {
          const key = await cliOnStore(store, ['key', 'create', '--site', siteId]);
          writerKeys.push({ apiuser: key.apiuser, apikey: key.apikey });
        }
        const devices: { name: string; auth: Record<string, string> }[] = [];
        for (let i = 0; i < 4; i++) {
          const name = `Crash Reader ${i}`;
          const device = await cliOnStore(store, ['device', 'create', '--site', siteId, '--name', name]);
          devices.push({ name, auth: { authorization: `Bearer ${device.device_key as string}` } });
        }

        server = await startServe(store);
        let client = new Client(server.port, lockt);
        const door = await client.call('POST', '/api/v1/door', { doors: [{ name: 'Crash Door' }] });
        expect(door.status, JSON.stringify(door.body)).toBe(200);
        const doorId = (await client.call('GET', '/api/v1/door')).body.data[0].id as number;
        const always = { name: 'Always', d0: 1, d1: 1, d2: 1, d3: 1, d4: 1, d5: 1, d6: 1, start: '00:00:00', stop: '23:59:59' };
        expect((await client.call('POST', '/api/v1/schedule', { schedules: [always] })).status).toBe(200);
        const scheduleId = (await client.call('GET', '/api/v1/schedule')).body.data[0].id as number;
        const level = await client.call('POST', '/api/v1/accesslevel', {
          accesslevels: [{ name: 'Crash Door', doors: [{ id: doorId, schedule_id: scheduleId }] }],
        });
        expect(level.status, JSON.stringify(level.body)).toBe(200);
        const ledger = new Ledger(`r${seed}`, (await client.call('GET', '/api/v1/accesslevel')).body.data[0].id as number);

        const check = async (when: string) => {
          const found = violations(ledger, await readAllIdNums(client), await readAllEvents(client));
          expect(found, `${when} (seed ${seed})`).toEqual([]);
        };

        for (let kill = 1; kill <= KILLS; kill++) {
          // Under load: every worker writes until its connection dies with the server.
          let stopped = false;
          const port = server.port;
          const writers = [
            ...writerKeys.map((key) => ({ client: new Client(port, key), work: { kind: 'users' } as Work })),
            ...devices.map(({ name, auth }, i) => ({
              client: new Client(port, auth),
              work: (i < 2 ? { kind: 'events' } : { kind: 'access', device: name }) as Work,
            })),
          ];
          const ackedBefore = ackedByKind(ledger);
          const workers = writers.map(({ client: writer, work }) => drive(writer, ledger, work, doorId, pick, () => stopped));
          await new Promise((resolve) => setTimeout(resolve, 50 + pick(MAX_LOAD_MS)));
          // On a machine short of CPU a round's first answers can come after its random moment: the kill then
          // waits (20 s at most) for one acknowledged write of each kind and one granted decision, so every
          // round kills all of them under load.
          const waitUntil = Date.now() + 20_000;
          while (Date.now() < waitUntil && ackedByKind(ledger).some((acked, kind) => acked === ackedBefore[kind])) {
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          await server.kill();
          stopped = true;
          await Promise.all(workers);
          for (const { client: writer } of writers) writer.close();
          client.close();
          stats.loadKills++;

          // Now and then a kill while the next start is still opening and migrating the store.
          if (pick(4) === 0 && kill < KILLS) {
            const { server: starting } = launch(store, 0);
            await new Promise((resolve) => setTimeout(resolve, pick(2500)));
            await starting.kill();
            stats.startupKills++;
            kill++;
          }

          server = await startServe(store);
          client = new Client(server.port, lockt);
          await check(`after kill ${kill}`);
        }

        const [users = 0, events = 0, decisions = 0, grants = 0] = ackedByKind(ledger);
        const acked = { users, events, decisions, grants };
        const writes = [...ledger.userBatches, ...ledger.eventBatches, ...ledger.decisions];
        const cutOff = writes.filter((w) => w.outcome === 'unknown').length;
        const refused = writes.filter((w) => w.outcome === 'refused').length;
        console.info(
          `crash test on ${dialect}: ${stats.loadKills} kills under load, ${stats.startupKills} during start-up; ` +
            `acknowledged ${acked.users} user batches, ${acked.events} event batches, ${acked.decisions} decisions (${acked.grants} granted); ` +
            `${cutOff} writes cut off by a kill, ${refused} refused with 429`,
        );
        expect(acked.users).toBeGreaterThan(0);
        expect(acked.events).toBeGreaterThan(0);
        expect(acked.decisions).toBeGreaterThan(0);
        expect(acked.grants).toBeGreaterThan(0);

        client.close();
        const code = await server.stop();
        server = undefined;
        expect(code).toBe(0);
        if (dialect === 'sqlite') {
          const database = new SQLite(join(store.dataDir, 'portcullis.sqlite'), { readonly: true });
          try {
            expect(database.pragma('integrity_check', { simple: true })).toBe('ok');
          } finally {
            database.close();
          }
        }
      } finally {
        await server?.kill();
        await store.cleanup();
      }
    },
    60_000 + KILLS * 35_000,
  );
});
