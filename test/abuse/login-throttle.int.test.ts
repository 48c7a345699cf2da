import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/lib/clock.ts';
import { LOCK_AFTER } from '../../src/modules/operator-sessions/operator-sessions.service.ts';
import { createOperator } from '../../src/modules/users/operators.service.ts';
import { DIALECTS, type Harness, createHarness } from '../harness.ts';
import { OPERATOR_PASSWORD, md5 } from './callers.ts';

/**
 * BAS-IP login's slow-down and lock-out (src/modules/operator-sessions) against guesses sent all at once:
 * every attempt must be counted, and no more than LOCK_AFTER of them may ever be checked.
 */
describe.each(DIALECTS)('BAS-IP login under parallel guessing on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
    await createOperator(h.store.db, h.site.id, { username: 'admin', password: OPERATOR_PASSWORD, role: 'admin' }, systemClock);
  });
  afterEach(async () => {
    await h.close();
  });

  const login = (digest: string) => h.request('GET', `/api/v1/login?username=admin&password=${digest}`, { as: null });
  const failures = () =>
    h.store.db.selectFrom('user').select(['failed_logins', 'locked_until']).where('username_key', '=', 'admin').executeTakeFirstOrThrow();

  it('cannot be pushed past the lock-out count by wrong logins sent in parallel', async () => {
    const attempts = await Promise.all(Array.from({ length: 2 * LOCK_AFTER }, (_, i) => login(md5(`guess ${i}`))));
    for (const attempt of attempts) {
      expect(attempt.status).toBe(400);
      expect(attempt.body).toEqual({ error: 'Wrong login or password' });
    }
    const after = await failures();
    expect(after.failed_logins).toBe(LOCK_AFTER);
    expect(after.locked_until).not.toBeNull();
    // Locked: the right password is refused in the same words.
    expect((await login(md5(OPERATOR_PASSWORD))).body).toEqual({ error: 'Wrong login or password' });
  }, 60_000);

  it('still lets the right password in below the lock-out count, and starts counting afresh', async () => {
    expect((await login(md5('wrong'))).status).toBe(400);
    expect((await failures()).failed_logins).toBe(1);
    expect((await login(md5(OPERATOR_PASSWORD))).status).toBe(200);
    expect(await failures()).toEqual({ failed_logins: 0, locked_until: null });
  });
});
