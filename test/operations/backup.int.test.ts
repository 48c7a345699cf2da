import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Store, openStore } from '../../src/db/open.ts';
import { cliOnStore, runCli } from '../cli-runner.ts';
import { type ChildServer, Client, startServe } from '../crash/child-server.ts';
import { type FaultStore, admin, prepareFaultStore } from '../faults/fault-store.ts';
import { DIALECTS } from '../harness.ts';
import { until } from '../webhooks/receiver.ts';

/**
 * `portcullis backup` and `restore` against a real `serve` process under write load: every write
 * acknowledged before the backup started is in the restored store, and a restore is refused while a
 * server holds the store.
 */

/**
 * Writes until told to stop, one at a time (a caller's writes may not overlap), noting each acknowledged
 * write's id_num in `acked`: one cardholder per write, so the restored store can be checked write by write.
 */
async function writeUntil(client: Client, prefix: string, acked: string[], stop: () => boolean): Promise<void> {
  for (let n = 0; !stop(); n++) {
    const idNum = `${prefix}-${n}`;
    const user = {
      id: -1,
      id_num: idNum,
      first_name: 'Backup',
      last_name: `Load ${n}`,
      email: `${idNum}@example.com`,
      phone: '5550000000',
      pin: '4321',
    };
    const answer = await client.call('POST', '/api/v1/user', { users: [user] });
    if (answer.status !== 200 || answer.body.data.inserted !== 1) throw new Error(`write ${idNum} refused: ${JSON.stringify(answer.body)}`);
    acked.push(idNum);
  }
}

async function idNumsIn(store: Store, siteId: number): Promise<Set<string>> {
  const rows = await store.db.selectFrom('user').select('id_num').where('site_id', '=', siteId).execute();
  return new Set(rows.map((row) => row.id_num ?? ''));
}

describe.each(DIALECTS)('backup and restore on %s', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('a backup taken under write load holds every write acknowledged before it began, and restores', async () => {
    const store = await prepareFaultStore(dialect);
    cleanups.push(() => store.cleanup());
    const scratch = mkdtempSync(join(tmpdir(), 'portcullis-backup-'));
    cleanups.push(async () => rmSync(scratch, { recursive: true, force: true }));
    const file = join(scratch, dialect === 'sqlite' ? 'site.sqlite' : 'site.dump');

    const site = await cliOnStore(store, ['site', 'create', '--name', 'Backed Up Site']);
    const keys = [{ apiuser: site.apiuser as string, apikey: site.apikey as string }];
    for (let i = 0; i < 2; i++) {
      const key = await cliOnStore(store, ['key', 'create', '--site', String(site.site.id)]);
      keys.push({ apiuser: key.apiuser, apikey: key.apikey });
    }
    let server: ChildServer | undefined = await startServe(store);
    cleanups.push(async () => void (await server?.kill()));
    const clients = keys.map((key) => new Client((server as ChildServer).port, key));
    cleanups.push(async () => {
      for (const client of clients) client.close();
    });

    let stopped = false;
    const acked: string[] = [];
    const writers = Promise.all(clients.map((client, i) => writeUntil(client, `w${i}`, acked, () => stopped)));
    // Some writes acknowledged before the backup, and the load still running through it.
    await Promise.race([writers, until('30 writes acknowledged', () => acked.length >= 30)]);
    // What was acknowledged before the backup began: a copy of the list, not a time (an ack in the same
    // millisecond as the start would fall on the wrong side of it).
    const before = [...acked];
    const made = await cliOnStore(store, ['backup', '--to', file]);
    stopped = true;
    await writers;
    expect(made.file).toBe(file);
    expect(existsSync(`${file}.partial`)).toBe(false);

    // The store a server holds is not replaced under it.
    const refused = await runCli([
      'restore',
      '--from',
      file,
      '--data',
      store.dataDir,
      ...(store.databaseUrl ? ['--database-url', store.databaseUrl] : []),
    ]);
    expect(refused.code, refused.stdout).toBe(1);
    expect(refused.stderr).toMatch(/server.* (is running|are connected)/);
    // Nor is a backup file overwritten.
    await expect(cliOnStore(store, ['backup', '--to', file])).rejects.toThrow(/already exists/);

    expect(await server.stop()).toBe(0);
    server = undefined;

    const target = await restoreTarget(store);
    cleanups.push(() => target.cleanup());
    const restored = await cliOnStore(target, ['restore', '--from', file]);
    expect(restored).toMatchObject({ file: expect.any(String) });
    const opened = openStore({ dataDir: target.dataDir, databaseUrl: target.databaseUrl });
    cleanups.push(() => opened.close());
    const inBackup = await idNumsIn(opened, site.site.id);

    expect(before.length).toBeGreaterThanOrEqual(30);
    expect(before.filter((idNum) => !inBackup.has(idNum))).toEqual([]);
    // Nothing in it but what the writers sent.
    expect([...inBackup].filter((idNum) => !/^w\d+-\d+$/.test(idNum))).toEqual([]);
  }, 180_000);

  it.runIf(dialect === 'postgres')('says exactly what to run when pg_dump is not installed', async () => {
    const store = await prepareFaultStore(dialect);
    cleanups.push(() => store.cleanup());
    const file = join(store.dataDir, 'never.dump');
    const path = process.env.PATH;
    // No directory on the search path holds the client tools.
    process.env.PATH = join(store.dataDir, 'no-tools');
    let result: Awaited<ReturnType<typeof runCli>>;
    try {
      result = await runCli(['backup', '--to', file, '--data', store.dataDir, '--database-url', store.databaseUrl as string]);
    } finally {
      process.env.PATH = path;
    }
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('pg_dump and pg_restore');
    expect(result.stderr).toContain(`pg_dump --format=custom --file '${file}' "$DATABASE_URL"`);
    expect(result.stderr).toContain('pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error');
    expect(existsSync(file)).toBe(false);
  });

  it.runIf(dialect === 'sqlite')(
    'refuses a file that is not a Portcullis store, and keeps the store it replaces',
    async () => {
      const store = await prepareFaultStore(dialect);
      cleanups.push(() => store.cleanup());
      const scratch = mkdtempSync(join(tmpdir(), 'portcullis-backup-'));
      cleanups.push(async () => rmSync(scratch, { recursive: true, force: true }));
      await cliOnStore(store, ['site', 'create', '--name', 'Kept Site']);
      const file = join(scratch, 'kept.sqlite');
      await cliOnStore(store, ['backup', '--to', file]);

      const notAStore = await runCli(['restore', '--from', join(store.dataDir, 'serve.lock'), '--data', store.dataDir]);
      expect(notAStore.code).toBe(1);
      expect(notAStore.stderr).toMatch(/not a Portcullis store|not a readable SQLite database|No such file/);
      const restored = await cliOnStore(store, ['restore', '--from', file]);
      expect(restored.replaced).toMatch(/portcullis\.sqlite\.replaced-/);
      expect(existsSync(restored.replaced)).toBe(true);
      // A server starts on the restored store and sees its site.
      const server = await startServe(store);
      cleanups.push(async () => void (await server.kill()));
      const sites = await cliOnStore(store, ['site', 'list']);
      expect(JSON.stringify(sites)).toContain('Kept Site');
    },
    120_000,
  );
});

/** Where a backup is restored: a new data directory, or a new, empty PostgreSQL database. */
async function restoreTarget(source: FaultStore): Promise<{ dataDir: string; databaseUrl?: string; cleanup(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-restored-'));
  const removeDir = async () => rmSync(dataDir, { recursive: true, force: true });
  if (!source.databaseUrl || !source.adminUrl) return { dataDir, cleanup: removeDir };
  const database = `${source.database}_restored`;
  await admin(source.adminUrl, `CREATE DATABASE ${database}`);
  const url = new URL(source.adminUrl);
  url.pathname = `/${database}`;
  return {
    dataDir,
    databaseUrl: url.toString(),
    cleanup: async () => {
      await admin(source.adminUrl as string, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await removeDir();
    },
  };
}
