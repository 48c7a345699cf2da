import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.ts';
import { LOCK_AFTER, SLOW_AFTER, unlockOperator } from '../../src/modules/operator-sessions/operator-sessions.service.ts';
import { createOperator } from '../../src/modules/users/operators.service.ts';
import { DIALECTS, type Harness, createHarness } from '../harness.ts';
import { OPERATOR_PASSWORD, md5 } from './callers.ts';

/**
 * BAS-IP login's slow-down and lock-out (src/modules/operator-sessions), counted per source address and
 * account: guesses sent all at once are all counted and no more than LOCK_AFTER of them are checked; a
 * stranger's guesses lock the stranger's address, never the owner's; a missing account is throttled
 * exactly as a real one; a client repeating one wrong password counts it once; an administrator unlocks.
 * The slow-down sleeps on the app's clock, here a fixed one that a sleep moves on at once, so each
 * attempt's wait is read from how far it moved the clock.
 */
describe.each(DIALECTS)('BAS-IP login throttling on %s', (dialect) => {
  let h: Harness;
  const clock = fixedClock(Date.UTC(2026, 11, 5, 9));
  beforeEach(async () => {
    clock.set(Date.UTC(2026, 11, 5, 9));
    h = await createHarness(dialect, { clock });
    await createOperator(h.store.db, h.site.id, { username: 'admin', password: OPERATOR_PASSWORD, role: 'admin' }, clock);
  });
  afterEach(async () => {
    await h.close();
  });

  const login = (digest: string, remoteAddress = '203.0.113.7', username = 'admin') =>
    h.app.inject({ method: 'GET', url: `/api/v1/login?username=${username}&password=${digest}`, remoteAddress });
  const basic = (password: string, remoteAddress: string) =>
    h.app.inject({
      method: 'GET',
      url: '/api/v1/access/identifier/items',
      remoteAddress,
      headers: { authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` },
    });
  const pairs = () =>
    h.store.db
      .selectFrom('login_throttle')
      .select(['address', 'username_key', 'failures', 'locked_until'])
      .orderBy('address')
      .orderBy('username_key')
      .execute();
  /** How long one login waited on the clock, and its answer. */
  const timedLogin = async (digest: string, remoteAddress?: string, username?: string) => {
    const before = clock.now();
    const response = await login(digest, remoteAddress, username);
    return { waitedMs: clock.now() - before, status: response.statusCode, body: response.json() };
  };
  /** The pair one failure short of the lock, then that failure. */
  const lockOut = async (remoteAddress: string, username = 'admin') => {
    const pair = { address: `ip:${remoteAddress}`, site_scope: 0, username_key: username };
    await h.store.db
      .insertInto('login_throttle')
      .values({ ...pair, failures: LOCK_AFTER - 1, last_wrong: null, locked_until: null, updated_at: clock.now() })
      .execute();
    expect((await login(md5('one guess too many'), remoteAddress, username)).statusCode).toBe(400);
  };

  it('cannot be pushed past the lock-out count by wrong logins sent in parallel', async () => {
    const attempts = await Promise.all(Array.from({ length: 2 * LOCK_AFTER }, (_, i) => login(md5(`guess ${i}`))));
    for (const attempt of attempts) {
      expect(attempt.statusCode).toBe(400);
      expect(attempt.json()).toEqual({ error: 'Wrong login or password' });
    }
    const [pair] = await pairs();
    expect(pair).toMatchObject({ address: 'ip:203.0.113.7', failures: LOCK_AFTER, locked_until: expect.anything() });
    // Locked: the right password is refused in the same words, from that address.
    expect((await login(md5(OPERATOR_PASSWORD))).json()).toEqual({ error: 'Wrong login or password' });
  });

  it('slows each wrong attempt after the third, doubling from 0.5 to 4 s, a missing account exactly as a real one, and a locked address still waits', async () => {
    for (const username of ['admin', 'nobody']) {
      const waits: number[] = [];
      for (let i = 0; i <= LOCK_AFTER; i++) {
        const attempt = await timedLogin(md5(`wrong ${i}`), '198.51.100.66', username);
        expect(attempt).toMatchObject({ status: 400, body: { error: 'Wrong login or password' } });
        waits.push(attempt.waitedMs);
      }
      // The eleventh attempt is past the lock: refused unchecked, after the longest wait.
      expect(waits, username).toEqual([0, 0, 0, 500, 1000, 2000, 4000, 4000, 4000, 4000, 4000]);
    }
    // Another address is not slowed by the first one's failures.
    expect(await timedLogin(md5(OPERATOR_PASSWORD), '192.0.2.10')).toMatchObject({ waitedMs: 0, status: 200 });
  });

  it('locks out the guessing address only: the owner logs in from another address at once', async () => {
    await lockOut('198.51.100.66');
    expect((await login(md5(OPERATOR_PASSWORD), '198.51.100.66')).statusCode).toBe(400);
    expect((await login(md5(OPERATOR_PASSWORD), '192.0.2.10')).statusCode).toBe(200);
    expect((await basic(OPERATOR_PASSWORD, '192.0.2.10')).statusCode).toBe(200);
    expect((await basic(OPERATOR_PASSWORD, '198.51.100.66')).json()).toEqual({ error: 'Log In' });
  });

  it('throttles a missing account exactly as a real one, so the answers cannot tell them apart', async () => {
    await lockOut('198.51.100.66', 'admin');
    await lockOut('198.51.100.66', 'nobody');
    const [real, missing] = await pairs();
    expect(real).toMatchObject({ failures: LOCK_AFTER, locked_until: expect.any(Number) });
    expect({ ...missing, locked_until: 0 }).toEqual({ ...real, username_key: 'nobody', locked_until: 0 });
    expect((await login(md5(OPERATOR_PASSWORD), '198.51.100.66', 'nobody')).json()).toEqual(
      (await login(md5(OPERATOR_PASSWORD), '198.51.100.66')).json(),
    );
  });

  it('counts a repeated wrong password once: a first-time setup trying the panel default cannot lock anyone out', async () => {
    // SmartYard-Server's first run sends admin:123456 as HTTP Basic on every call of its configuration run.
    for (let i = 0; i < 3 * LOCK_AFTER; i++) expect((await basic('123456', '203.0.113.7')).statusCode).toBe(401);
    expect(await pairs()).toEqual([{ address: 'ip:203.0.113.7', username_key: 'admin', failures: 1, locked_until: null }]);
    expect((await basic(OPERATOR_PASSWORD, '203.0.113.7')).statusCode).toBe(200);
    expect(await pairs()).toEqual([]);
  });

  it('lets an administrator unlock an account for every address', async () => {
    await lockOut('198.51.100.66');
    await lockOut('198.51.100.67');
    expect(await unlockOperator(h.store.db, h.site.id, 'ADMIN')).toBe(2);
    expect(await pairs()).toEqual([]);
    expect((await login(md5(OPERATOR_PASSWORD), '198.51.100.66')).statusCode).toBe(200);
  });

  it('still lets the right password in below the lock-out count, and starts counting afresh', async () => {
    for (let i = 0; i < SLOW_AFTER - 1; i++) expect((await login(md5(`wrong ${i}`))).statusCode).toBe(400);
    expect((await pairs())[0]?.failures).toBe(SLOW_AFTER - 1);
    expect((await login(md5(OPERATOR_PASSWORD))).statusCode).toBe(200);
    expect(await pairs()).toEqual([]);
  });
});
