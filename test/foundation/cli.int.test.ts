import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { openStore } from '../../src/db/open.ts';
import { runCli } from '../cli-runner.ts';
import { seedDoor } from '../factories/access.ts';
import { DIALECTS, requirePgUrl } from '../harness.ts';

/** The flags that point the CLI at a fresh store of the dialect. */
async function freshStoreFlags(
  dialect: string,
): Promise<{ flags: string[]; cleanup: () => Promise<void>; open: () => ReturnType<typeof openStore> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-cli-'));
  if (dialect === 'sqlite') {
    return {
      flags: ['--data', dataDir],
      open: () => openStore({ dataDir }),
      cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const base = requirePgUrl();
  const schema = `cli_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    flags: ['--data', dataDir, '--database-url', url.toString()],
    open: () => openStore({ dataDir, databaseUrl: base, pgSchema: schema }),
    cleanup: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe.each(DIALECTS)('portcullis CLI on %s', (dialect) => {
  let store: Awaited<ReturnType<typeof freshStoreFlags>>;
  beforeEach(async () => {
    store = await freshStoreFlags(dialect);
  });
  afterEach(async () => {
    await store.cleanup();
  });
  const cli = (...args: string[]) => runCli([...args, ...store.flags]);

  it('site create --json prints the site and a working key pair', async () => {
    const result = await cli('site', 'create', '--name', 'Head Office', '--timezone', 'America/New_York', '--json');
    expect(result.code).toBe(0);
    const created = JSON.parse(result.stdout);
    expect(created).toEqual({
      site: { id: expect.any(Number), name: 'Head Office', timezone: 'America/New_York' },
      apiuser: expect.stringMatching(/^[a-z0-9]{32}$/),
      apikey: expect.stringMatching(/^[a-z0-9]{32}$/),
    });
    const db = store.open();
    const app = await buildApp({ db: db.db });
    const ping = await app.inject({ url: '/api/v1/ping', headers: { apiuser: created.apiuser, apikey: created.apikey } });
    expect(ping.statusCode).toBe(200);
    await app.close();
    await db.close();
  });

  it('site list --json lists id, name and zone; site set changes rules', async () => {
    await cli('site', 'create', '--name', 'A');
    await cli('site', 'create', '--name', 'B', '--timezone', 'Europe/Berlin');
    const list = JSON.parse((await cli('site', 'list', '--json')).stdout);
    expect(list).toEqual([
      { id: expect.any(Number), name: 'A', timezone: 'UTC' },
      { id: expect.any(Number), name: 'B', timezone: 'Europe/Berlin' },
    ]);
    const set = await cli('site', 'set', '--site', String(list[1].id), '--unique-pins', 'true', '--json');
    expect(JSON.parse(set.stdout).settings.uniquePins).toBe(true);
  });

  it('key create, list (no secrets), set and revoke', async () => {
    const site = JSON.parse((await cli('site', 'create', '--name', 'Keys', '--json')).stdout);
    const second = JSON.parse((await cli('key', 'create', '--site', String(site.site.id), '--json')).stdout);
    expect(second.apikey).toMatch(/^[a-z0-9]{32}$/);
    const listed = await cli('key', 'list', '--site', String(site.site.id), '--json');
    expect(listed.stdout).not.toContain(site.apikey);
    expect(listed.stdout).not.toContain(second.apikey);
    expect(JSON.parse(listed.stdout)).toHaveLength(2);
    const set = JSON.parse((await cli('key', 'set', '--apiuser', second.apiuser, '--max-batch-size', '500', '--json')).stdout);
    expect(set.max_batch_size).toBe(500);
    const revoked = JSON.parse((await cli('key', 'revoke', '--apiuser', second.apiuser, '--json')).stdout);
    expect(revoked).toMatchObject({ apiuser: second.apiuser, revoked: true, enabled: false });
    const reenable = await cli('key', 'set', '--apiuser', second.apiuser, '--enabled', 'true');
    expect(reenable.code).toBe(1);
    expect(reenable.stderr).toMatch(/revoked and cannot be enabled again/);
  });

  it('maintenance add, list and remove', async () => {
    const site = JSON.parse((await cli('site', 'create', '--name', 'M', '--json')).stdout);
    const id = String(site.site.id);
    const added = await cli(
      'maintenance',
      'add',
      '--site',
      id,
      '--title',
      'Upgrade',
      '--start',
      '2099-01-01 01:00:00',
      '--end',
      '2099-01-01 02:00:00',
      '--notification-only',
      '--json',
    );
    expect(JSON.parse(added.stdout)).toMatchObject({ title: 'Upgrade', notification_only: true, start_date: '2099-01-01 01:00:00' });
    const listed = JSON.parse((await cli('maintenance', 'list', '--site', id, '--json')).stdout);
    expect(listed).toHaveLength(1);
    expect((await cli('maintenance', 'remove', '--site', id, '--id', String(listed[0].id))).code).toBe(0);
    expect(JSON.parse((await cli('maintenance', 'list', '--site', id, '--json')).stdout)).toEqual([]);
    const backwards = await cli('maintenance', 'add', '--site', id, '--title', 'X', '--start', '2099-01-02 00:00:00', '--end', '2099-01-01 00:00:00');
    expect(backwards.code).toBe(1);
    expect(backwards.stderr).toMatch(/must be after its start/);
  });

  it('lockdown create, list, start and clear, through the rules of /lockdown', async () => {
    const site = JSON.parse((await cli('site', 'create', '--name', 'L', '--json')).stdout);
    const id = String(site.site.id);
    const opened = store.open();
    const doors = [await seedDoor(opened.db, site.site.id, 'Front'), await seedDoor(opened.db, site.site.id, 'Back')];
    await opened.close();
    const created = await cli(
      'lockdown',
      'create',
      '--site',
      id,
      '--name',
      'Fire drill',
      '--doors',
      doors.join(','),
      '--priority',
      '10',
      '--mode',
      'egress',
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toBe('Created lockdown plan Fire drill.\n');
    expect((await cli('lockdown', 'create', '--site', id, '--name', 'Whole site', '--auto-revert', '600')).code).toBe(0);
    const started = await cli('lockdown', 'start', '--site', id, '--name', 'fire drill');
    expect(started.stdout).toBe('Started lockdown plan fire drill.\n');
    const listed = JSON.parse((await cli('lockdown', 'list', '--site', id, '--json')).stdout);
    expect(listed).toEqual([
      expect.objectContaining({
        name: 'Fire drill',
        mode: 'egress',
        priority: 10,
        scope: 'doors',
        door_ids: doors,
        active: true,
        active_by: 'portcullis lockdown',
      }),
      expect.objectContaining({ name: 'Whole site', mode: 'lockdown', scope: 'site', auto_revert_seconds: 600, active: false }),
    ]);
    const human = await cli('lockdown', 'list', '--site', id);
    expect(human.stdout).toMatch(/Fire drill\tegress\tpriority 10\tdoors .*\tstarted .* by portcullis lockdown/);
    expect((await cli('lockdown', 'start', '--site', id, '--name', 'Fire drill')).stdout).toBe('Lockdown plan Fire drill was already started.\n');
    expect((await cli('lockdown', 'clear', '--site', id, '--name', 'Fire drill')).stdout).toBe('Cleared lockdown plan Fire drill.\n');
    expect(JSON.parse((await cli('lockdown', 'list', '--site', id, '--json')).stdout)[0].active).toBe(false);
    const checkStore = store.open();
    const trail = await checkStore.db
      .selectFrom('audit')
      .select(['actor_kind', 'actor', 'resource', 'action'])
      .where('site_id', '=', site.site.id)
      .orderBy('id')
      .execute();
    const events = await checkStore.db.selectFrom('event').select('code').where('site_id', '=', site.site.id).orderBy('id').execute();
    await checkStore.close();
    expect(trail.filter((a) => a.resource === 'lockdowns').map((a) => `${a.actor_kind} ${a.actor} ${a.action}`)).toEqual([
      'cli portcullis lockdown write',
      'cli portcullis lockdown write',
      'cli portcullis lockdown process',
      'cli portcullis lockdown process',
    ]);
    expect(events.map((e) => e.code)).toEqual([92, 93]);
    const cases: [string[], number, RegExp][] = [
      [['lockdown', 'start', '--site', id, '--name', 'Nothing'], 1, /Invalid lockdown plan name: Nothing/],
      [['lockdown', 'create', '--site', id, '--name', 'Fire drill'], 1, /Lockdown Plan Name Already Exists: Fire drill/],
      [['lockdown', 'create', '--site', id, '--name', 'X', '--doors', '1,a'], 2, /--doors must be a whole number/],
      [['lockdown', 'create', '--site', id, '--name', 'X', '--mode', 'panic'], 1, /Invalid mode found/],
      [['lockdown', 'list', '--site', '999'], 1, /No site with id 999/],
    ];
    for (const [args, code, message] of cases) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).toBe(code);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('migrate applies nothing on a store that is up to date', async () => {
    const first = JSON.parse((await cli('migrate', '--json')).stdout);
    expect(first.applied).toEqual([]);
  });

  it('fails with a clear message and a non-zero exit on bad arguments', async () => {
    const cases: [string[], number, RegExp][] = [
      [['site', 'create', '--name', 'X', '--timezone', 'Mars/Olympus'], 1, /Unknown IANA time zone: Mars\/Olympus/],
      [['site', 'create', '--name', '   '], 1, /must not be blank/],
      [['key', 'list', '--site', 'abc'], 2, /--site must be a whole number/],
      [['key', 'list', '--site', '999'], 1, /No site with id 999/],
      [['key', 'revoke', '--apiuser', 'nobody'], 1, /No API key with apiuser nobody/],
      [['key', 'set', '--apiuser', 'nobody'], 2, /needs --max-batch-size or --enabled/],
    ];
    for (const [args, code, message] of cases) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).toBe(code);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
  });
});

describe('portcullis CLI usage', () => {
  it('rejects an unknown command with exit code 2', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.code).toBe(2);
  });

  // Settings are checked before anything starts: a value that does not fit names where it came from.
  const BAD_SETTINGS: [string[], Record<string, string>, string][] = [
    [['--port', 'abc'], {}, "--port must be a whole number from 0 to 65535, got 'abc'"],
    [[], { PORTCULLIS_PORT: 'abc' }, "PORTCULLIS_PORT must be a whole number from 0 to 65535, got 'abc'"],
    [[], { PORTCULLIS_PORT: '70000' }, "PORTCULLIS_PORT must be a whole number from 0 to 65535, got '70000'"],
    [['--body-limit', '1.5'], {}, "--body-limit must be a whole number, at least 1 byte, got '1.5'"],
    [['--rate-limit-window', '0'], {}, "--rate-limit-window must be a whole number, at least 1 second, got '0'"],
    [[], { PORTCULLIS_WEBHOOK_ALLOW_HTTP: 'maybe' }, "PORTCULLIS_WEBHOOK_ALLOW_HTTP must be true or false, got 'maybe'"],
    [[], { PORTCULLIS_WEBHOOK_KEY: 'c2hvcnQ=' }, 'PORTCULLIS_WEBHOOK_KEY must be 32 bytes in base64'],
    [[], { PORTCULLIS_WEBHOOK_LEASE_MS: 'soon' }, "PORTCULLIS_WEBHOOK_LEASE_MS must be a whole number, at least 1 millisecond, got 'soon'"],
    [['--log-level', 'loud'], {}, "--log-level must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'"],
    [['--tls-cert', 'cert.pem'], {}, '--tls-cert and --tls-key go together: give both or neither'],
  ];
  it.each(BAD_SETTINGS)('serve %j with %j stops with exit code 2: %s', async (args, env, message) => {
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-cli-'));
    try {
      const result = await runCli(['serve', '--data', dataDir, ...args]);
      expect(result).toEqual({ code: 2, stdout: '', stderr: `portcullis: ${message}\n` });
    } finally {
      vi.unstubAllEnvs();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
