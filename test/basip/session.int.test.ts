import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.ts';
import { LOCK_AFTER, SESSION_MS } from '../../src/modules/operator-sessions/operator-sessions.service.ts';
import { createOperator } from '../../src/modules/users/operators.service.ts';
import { DIALECTS, type Harness, createHarness, md5 } from '../harness.ts';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

describe.each(DIALECTS)('BAS-IP login, logout and info on %s', (dialect) => {
  let h: Harness;
  const clock = fixedClock(NOW);
  beforeEach(async () => {
    clock.set(NOW);
    h = await createHarness(dialect, { clock });
    await createOperator(h.store.db, h.site.id, { username: 'Admin', password: 'correct horse', role: 'admin' }, clock);
    await createOperator(h.store.db, h.site.id, { username: 'watcher', password: 'battery staple', role: 'manager' }, clock);
  });
  afterEach(async () => {
    await h.close();
  });

  const login = (username: string, password: string) =>
    h.request('GET', `/api/v1/login?username=${encodeURIComponent(username)}&password=${password}`, { as: null });

  it('answers /api/info without a login, with Portcullis in BAS-IP’s fields', async () => {
    const response = await h.request('GET', '/api/info', { as: null });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      api_version: expect.stringMatching(/^2\./),
      device_name: 'Portcullis',
      firmware_version: expect.any(String),
    });
  });

  it('logs in with the MD5 hex of the password in either case, names the account type, and the token works until logout', async () => {
    const upper = await login('admin', md5('correct horse').toUpperCase());
    expect(upper.status, JSON.stringify(upper.body)).toBe(200);
    expect(upper.body).toEqual({ token: expect.stringMatching(/^[a-z0-9]{40}$/), account_type: 'admin' });
    const lower = await login('watcher', md5('battery staple'));
    expect(lower.body.account_type).toBe('manager');
    const bearer = { authorization: `Bearer ${upper.body.token}` };
    const out = await h.request('POST', '/api/v1/logout', { as: null, headers: bearer });
    expect(out.status).toBe(200);
    const again = await h.request('POST', '/api/v1/logout', { as: null, headers: bearer });
    expect(again.status).toBe(401);
    expect(again.body).toEqual({ error: 'Log In' });
  });

  it('refuses a wrong password or unknown user with the same words, and missing parameters', async () => {
    expect((await login('admin', md5('nope'))).body).toEqual({ error: 'Wrong login or password' });
    expect((await login('nobody', md5('correct horse'))).body).toEqual({ error: 'Wrong login or password' });
    expect((await login('admin', md5('nope'))).status).toBe(400);
    const missing = await h.request('GET', '/api/v1/login?username=admin', { as: null });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: 'Required parameters missed' });
  });

  it('stores no token and no password in clear', async () => {
    const { body } = await login('admin', md5('correct horse'));
    const sessions = await h.store.db.selectFrom('operator_session').selectAll().execute();
    expect(JSON.stringify(sessions)).not.toContain(body.token);
    const users = await h.store.db.selectFrom('user').select(['password_hash']).execute();
    expect(JSON.stringify(users)).not.toContain('correct horse');
    expect(JSON.stringify(users)).not.toContain(md5('correct horse'));
  });

  it('expires a token after two hours', async () => {
    const { body } = await login('admin', md5('correct horse'));
    clock.set(NOW + SESSION_MS);
    const late = await h.request('POST', '/api/v1/logout', { as: null, headers: { authorization: `Bearer ${body.token}` } });
    expect(late.status).toBe(401);
  });

  it('locks an address out of an account after repeated failures, even against the right password, and says nothing of it', async () => {
    const pair = { address: 'ip:127.0.0.1', site_scope: 0, username_key: 'admin' };
    await h.store.db
      .insertInto('login_throttle')
      .values({ ...pair, failures: LOCK_AFTER - 1, last_wrong: null, locked_until: null, updated_at: NOW })
      .execute();
    expect((await login('admin', md5('wrong'))).status).toBe(400);
    const locked = await login('admin', md5('correct horse'));
    expect(locked.body).toEqual({ error: 'Wrong login or password' });
    clock.set(NOW + 16 * 60 * 1000);
    await h.store.db.updateTable('login_throttle').set({ failures: 0 }).execute();
    expect((await login('admin', md5('correct horse'))).status).toBe(200);
    expect(await h.store.db.selectFrom('login_throttle').selectAll().execute()).toEqual([]);
  }, 30_000);

  it('accepts HTTP Basic with the password in clear or as MD5 hex', async () => {
    for (const password of ['correct horse', md5('correct horse')]) {
      const basic = Buffer.from(`admin:${password}`).toString('base64');
      const response = await h.request('POST', '/api/v1/logout', { as: null, headers: { authorization: `Basic ${basic}` } });
      expect(response.status, password).toBe(200);
    }
    const wrong = Buffer.from('admin:nope').toString('base64');
    expect((await h.request('POST', '/api/v1/logout', { as: null, headers: { authorization: `Basic ${wrong}` } })).body).toEqual({ error: 'Log In' });
  });

  it('never creates a default account', async () => {
    const fresh = await h.addSite('Fresh');
    const operators = await h.store.db.selectFrom('user').select('username').where('site_id', '=', fresh.site.id).execute();
    expect(operators).toEqual([]);
    expect((await login('admin', md5('123456'))).status).toBe(400);
  });
});
