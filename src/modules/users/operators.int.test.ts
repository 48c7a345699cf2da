import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newUser } from '../../../test/factories/people.ts';
import { DIALECTS, openTestStore } from '../../../test/harness.ts';
import { buildApp } from '../../app.ts';
import { main } from '../../cli.ts';
import { systemClock } from '../../lib/clock.ts';
import { digestMatches, passwordDigest } from '../../lib/passwords.ts';
import type { TypedApp } from '../module.ts';
import { createSite } from '../sites/sites.service.ts';

type TestStore = Awaited<ReturnType<typeof openTestStore>>;

/** Runs the CLI in-process against the test's store and captures what it prints. */
async function cli(store: TestStore, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  try {
    return { code: await main([...args, ...storeFlags(store)]), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

/** The same SQLite file, or the same PostgreSQL schema (through the connection's search_path). */
function storeFlags(store: TestStore): string[] {
  if (!store.databaseUrl) return ['--data', store.dataDir, '--database-url', ''];
  const url = new URL(store.databaseUrl);
  url.searchParams.set('options', `-c search_path=${store.pgSchema}`);
  return ['--database-url', url.toString()];
}

describe.each(DIALECTS)('portcullis operator on %s', (dialect) => {
  let store: TestStore;
  let app: TypedApp;
  let siteId: number;
  let credentials: { apiuser: string; apikey: string };

  beforeEach(async () => {
    store = await openTestStore(dialect);
    const created = await createSite(store.db, { name: 'Site' }, systemClock);
    siteId = created.site.id;
    credentials = { apiuser: created.apiuser, apikey: created.apikey };
    app = await buildApp({ db: store.db });
  });
  afterEach(async () => {
    await app.close();
    await store.close();
  });

  const request = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) => {
    const response = await app.inject({
      method,
      url,
      headers: { ...credentials, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    return { status: response.statusCode, body: response.json() };
  };
  const create = (username: string, role: string, password = 'correct horse', extra: string[] = []) =>
    cli(store, ['operator', 'create', '--site', String(siteId), '--username', username, '--password', password, '--role', role, '--json', ...extra]);

  it('creates operators, prints them without the password, and lists them', async () => {
    const admin = await create('Alice', 'admin', 'correct horse', ['--first-name', 'Alice', '--last-name', 'Admin']);
    expect(admin).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(admin.out)).toEqual({
      id: expect.any(Number),
      site_id: siteId,
      username: 'Alice',
      role: 'admin',
      first_name: 'Alice',
      last_name: 'Admin',
      enabled: true,
      rate_limit: null,
      identifier_scope: 'site',
    });
    expect(admin.out).not.toContain('correct horse');
    expect((await create('bob', 'manager')).code).toBe(0);
    expect((await create('ivy', 'installer')).code).toBe(0);

    const listed = await cli(store, ['operator', 'list', '--site', String(siteId), '--json']);
    expect(JSON.parse(listed.out).map((o: { username: string; role: string }) => [o.username, o.role])).toEqual([
      ['Alice', 'admin'],
      ['bob', 'manager'],
      ['ivy', 'installer'],
    ]);
    const human = await cli(store, ['operator', 'list', '--site', String(siteId)]);
    expect(human.out).toMatch(/^\d+\tAlice\tadmin\tAlice Admin\n\d+\tbob\tmanager\n\d+\tivy\tinstaller\n$/);
  });

  it('keeps only a salted scrypt hash of the password’s MD5 digest, which a BAS-IP digest login can check', async () => {
    await create('alice', 'admin', 'S3cret-pass');
    const { password_hash: stored } = await store.db.selectFrom('user').select('password_hash').executeTakeFirstOrThrow();
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(stored).not.toContain('S3cret-pass');
    expect(stored).not.toContain(passwordDigest('S3cret-pass'));
    expect(await digestMatches(passwordDigest('S3cret-pass'), stored as string)).toBe(true);
    expect(await digestMatches(passwordDigest('S3cret-pass').toUpperCase(), stored as string)).toBe(true);
    expect(await digestMatches(passwordDigest('s3cret-pass'), stored as string)).toBe(false);
    await create('bob', 'admin', 'S3cret-pass');
    const hashes = await store.db.selectFrom('user').select('password_hash').execute();
    expect(new Set(hashes.map((r) => r.password_hash)).size).toBe(2);
  });

  it('refuses a short or blank password, a blank, taken or too long username, an unknown role or site', async () => {
    await create('alice', 'admin');
    for (const [args, message] of [
      [['--username', 'bob', '--password', 'short', '--role', 'admin'], 'Password too short: at least 8 characters are required'],
      [['--username', 'bob', '--password', '        ', '--role', 'admin'], 'Missing or blank password'],
      [['--username', '  ', '--password', 'long enough', '--role', 'admin'], 'Missing or blank username'],
      [['--username', ' ALICE ', '--password', 'long enough', '--role', 'admin'], 'Username Already Exists: ALICE'],
      [
        ['--username', 'b'.repeat(256), '--password', 'long enough', '--role', 'admin'],
        `Invalid username length found (at most 255 characters): ${'b'.repeat(77)}...`,
      ],
      [['--username', 'bob', '--password', 'long enough', '--role', 'cardholder'], 'Invalid role: cardholder (expected admin, manager, installer)'],
    ] as const) {
      const result = await cli(store, ['operator', 'create', '--site', String(siteId), ...args]);
      expect(result.code, message).toBe(1);
      expect(result.err, message).toBe(`portcullis: ${message}\n`);
    }
    const noSite = await cli(store, ['operator', 'list', '--site', '999999']);
    expect(noSite).toMatchObject({ code: 1, err: 'portcullis: No site with id 999999.\n' });
    const usage = await cli(store, ['operator', 'create', '--site', String(siteId), '--username', 'x']);
    expect(usage.code).toBe(2);
  });

  it('shows admins and managers under ?privileged and installers under ?installers, never in the user list', async () => {
    await request('POST', '/api/v1/user', { users: [newUser({ id_num: 'CARD' })] });
    const admin = JSON.parse((await create('alice', 'admin', 'correct horse', ['--first-name', 'Alice'])).out);
    const manager = JSON.parse((await create('bob', 'manager')).out);
    const installer = JSON.parse((await create('ivy', 'installer')).out);

    const privileged = await request('GET', '/api/v1/user?privileged');
    expect(privileged.status).toBe(200);
    expect(privileged.body.data).toEqual([
      {
        id: admin.id,
        id_num: '',
        first_name: 'Alice',
        last_name: '',
        card_num: '',
        credential_key: '',
        email: '',
        phone: '',
        pin: '',
        access_effective: '',
        access_expires: '',
        enabled: true,
        accesslevels: [],
        username: 'alice',
        role: 'admin',
      },
      expect.objectContaining({ id: manager.id, username: 'bob', role: 'manager' }),
    ]);
    const installers = await request('GET', '/api/v1/users?installers');
    expect(installers.body.data).toEqual([expect.objectContaining({ id: installer.id, username: 'ivy', role: 'installer' })]);
    const users = await request('GET', '/api/v1/user');
    expect(users.body.data.map((u: { id_num: string }) => u.id_num)).toEqual(['CARD']);
    expect((await request('GET', '/api/v1/user?missingcreds')).body.data).toHaveLength(1);
    expect((await request('GET', `/api/v1/user?id=${admin.id}`)).body.data).toEqual([]);
  });

  it('keeps operators out of reach of POST, PUT and DELETE /user', async () => {
    const admin = JSON.parse((await create('alice', 'admin')).out);
    const post = await request('POST', '/api/v1/user', { users: [newUser({ id: admin.id })], options: { update_existing: true } });
    expect(post.body.errors).toEqual([{ error: [`Invalid User id: ${admin.id}`], input_data: expect.anything() }]);
    const put = await request('PUT', '/api/v1/user', { users: [{ id: admin.id, first_name: 'Mallory' }] });
    expect(put.body.errors[0].error).toEqual([`Invalid User id: ${admin.id}`]);
    const del = await request('DELETE', '/api/v1/user', { users: [{ id: admin.id }] });
    expect(del.body.errors[0].error).toEqual([`Invalid User id: ${admin.id}`]);
    const listed = await cli(store, ['operator', 'list', '--site', String(siteId), '--json']);
    expect(JSON.parse(listed.out)).toEqual([expect.objectContaining({ id: admin.id, first_name: '' })]);
  });

  describe('managing an account (issue 14, item 6): each change takes effect on the next request', () => {
    const md5 = (text: string) => passwordDigest(text);
    const manage = (command: string, username: string, extra: string[] = []) =>
      cli(store, ['operator', command, '--site', String(siteId), '--username', username, '--json', ...extra]);
    const login = async (username: string, password: string) => {
      const response = await app.inject({ method: 'GET', url: `/api/v1/login?username=${username}&password=${md5(password)}` });
      return { status: response.statusCode, body: response.json() };
    };
    /** A read and a write through the panel face, with a session token or HTTP Basic. */
    const panel = async (method: 'GET' | 'POST', authorization: string) => {
      const url = method === 'GET' ? '/api/v1/access/identifier/items' : '/api/v1/access/identifier';
      const response = await app.inject({
        method,
        url,
        headers: { authorization, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
        ...(method === 'POST' ? { payload: JSON.stringify({ identifier_type: 'card', identifier_number: String(Date.now() % 1e9) }) } : {}),
      });
      return response.statusCode;
    };
    const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    const tokenOf = async (username: string, password: string) => `Bearer ${(await login(username, password)).body.token as string}`;

    beforeEach(async () => {
      expect((await create('alice', 'admin')).code).toBe(0);
    });

    it('disable ends the sessions and refuses every login until enable', async () => {
      const token = await tokenOf('alice', 'correct horse');
      const disabled = await manage('disable', 'ALICE');
      expect(disabled.code, disabled.err).toBe(0);
      expect(JSON.parse(disabled.out)).toEqual({ operator: expect.objectContaining({ username: 'alice', enabled: false }), sessionsEnded: 1 });
      expect(await panel('GET', token)).toBe(401);
      expect(await panel('GET', basic('alice', 'correct horse'))).toBe(401);
      expect((await login('alice', 'correct horse')).body).toEqual({ error: 'Wrong login or password' });
      expect((await cli(store, ['operator', 'list', '--site', String(siteId)])).out).toContain('alice\tadmin (disabled)');
      expect((await manage('enable', 'alice')).code).toBe(0);
      expect(await panel('GET', await tokenOf('alice', 'correct horse'))).toBe(200);
    });

    it('set-role ends the sessions; a demoted admin logs in as a manager and may only read', async () => {
      const token = await tokenOf('alice', 'correct horse');
      expect(await panel('POST', token)).toBe(200);
      expect(JSON.parse((await manage('set-role', 'alice', ['--role', 'manager'])).out).sessionsEnded).toBe(1);
      expect(await panel('GET', token)).toBe(401);
      const again = await login('alice', 'correct horse');
      expect(again.body.account_type).toBe('manager');
      expect(await panel('POST', `Bearer ${again.body.token as string}`)).toBe(403);
      expect(await panel('POST', basic('alice', 'correct horse'))).toBe(403);
    });

    it('set-password ends the sessions and the old password stops working', async () => {
      const token = await tokenOf('alice', 'correct horse');
      expect((await manage('set-password', 'alice', ['--password', 'new and long'])).code).toBe(0);
      expect(await panel('GET', token)).toBe(401);
      expect(await panel('GET', basic('alice', 'correct horse'))).toBe(401);
      expect(await panel('GET', basic('alice', 'new and long'))).toBe(200);
    });

    it('logout ends every session but leaves the account', async () => {
      const first = await tokenOf('alice', 'correct horse');
      const second = await tokenOf('alice', 'correct horse');
      expect(JSON.parse((await manage('logout', 'alice')).out).sessionsEnded).toBe(2);
      expect([await panel('GET', first), await panel('GET', second)]).toEqual([401, 401]);
      expect((await login('alice', 'correct horse')).status).toBe(200);
    });

    it('remove deletes the account and its sessions', async () => {
      const token = await tokenOf('alice', 'correct horse');
      expect((await manage('remove', 'alice')).code).toBe(0);
      expect(await panel('GET', token)).toBe(401);
      expect(JSON.parse((await cli(store, ['operator', 'list', '--site', String(siteId), '--json'])).out)).toEqual([]);
      expect((await login('alice', 'correct horse')).status).toBe(400);
    });

    it('set-scope narrows what the panel face shows the account to its own identifiers, and ends its sessions', async () => {
      const token = await tokenOf('alice', 'correct horse');
      const scoped = JSON.parse((await manage('set-scope', 'alice', ['--scope', 'own'])).out);
      expect(scoped).toEqual({ operator: expect.objectContaining({ identifier_scope: 'own' }), sessionsEnded: 1 });
      expect(await panel('GET', token)).toBe(401);
      const own = await cli(store, [
        'operator',
        'create',
        '--site',
        String(siteId),
        '--username',
        'sync',
        '--password',
        'long enough',
        '--role',
        'admin',
        '--scope',
        'own',
        '--json',
      ]);
      expect(JSON.parse(own.out).identifier_scope).toBe('own');
    });

    it('set-rate-limit gives the account its own budget, 0 the server default again', async () => {
      expect(JSON.parse((await manage('set-rate-limit', 'alice', ['--requests', '5000'])).out).operator.rate_limit).toBe(5000);
      expect(JSON.parse((await manage('set-rate-limit', 'alice', ['--requests', '0'])).out).operator.rate_limit).toBeNull();
    });

    it('unlock forgets failed logins against the account from every address', async () => {
      const failure = {
        site_scope: siteId,
        username_key: 'alice',
        failures: 10,
        last_wrong: null,
        locked_until: Date.now() + 60_000,
        updated_at: Date.now(),
      };
      await store.db
        .insertInto('login_throttle')
        .values([
          { ...failure, address: 'ip:198.51.100.1' },
          { ...failure, address: 'ip:198.51.100.2', site_scope: 0 },
        ])
        .execute();
      const unlocked = await cli(store, ['operator', 'unlock', '--site', String(siteId), '--username', 'Alice']);
      expect(unlocked).toMatchObject({ code: 0, out: `Unlocked Alice in site ${siteId} (2 addresses cleared).\n` });
      expect(await store.db.selectFrom('login_throttle').selectAll().execute()).toEqual([]);
    });

    it('refuses an unknown account, a bad role, a short password and a bad budget, changing nothing', async () => {
      for (const [command, username, extra, message] of [
        ['disable', 'zed', [], 'Operator not found: zed'],
        ['set-role', 'alice', ['--role', 'cardholder'], 'Invalid role: cardholder (expected admin, manager, installer)'],
        ['set-scope', 'alice', ['--scope', 'mine'], 'Invalid scope: mine (expected site, own)'],
        ['set-password', 'alice', ['--password', 'short'], 'Password too short: at least 8 characters are required'],
        ['set-rate-limit', 'alice', ['--requests', '99999999999'], 'Invalid rate limit: 99999999999 (expected 1 to 2147483647 requests a window)'],
      ] as const) {
        const result = await manage(command, username, [...extra]);
        expect([result.code, result.err], message).toEqual([1, `portcullis: ${message}\n`]);
      }
      expect((await manage('set-rate-limit', 'alice', ['--requests', 'lots'])).code).toBe(2);
      expect(JSON.parse((await cli(store, ['operator', 'list', '--site', String(siteId), '--json'])).out)).toEqual([
        expect.objectContaining({ username: 'alice', role: 'admin', enabled: true, rate_limit: null, identifier_scope: 'site' }),
      ]);
      expect((await login('alice', 'correct horse')).status).toBe(200);
    });
  });
});
