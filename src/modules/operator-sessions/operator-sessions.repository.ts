import type { Queryable } from '../../db/queryable.ts';
import type { Columns, NewRow, SessionKind, SiteRow, UserRole } from '../../db/schema.ts';
import { operatorSession } from './operator-sessions.statements.ts';

/** Every role but a cardholder's: what the queries below select (they leave cardholders out). */
export type OperatorRoleColumn = Exclude<UserRole, 'cardholder'>;

export type OperatorLoginRow = Columns<'user', 'id' | 'site_id' | 'username' | 'password_hash' | 'rate_limit' | 'identifier_scope'> & {
  role: OperatorRoleColumn;
};

/**
 * The enabled operators with this username: in the site the login named, or in every site when it named
 * none (the caller then needs exactly one).
 */
export function findOperatorsByUsername(db: Queryable, usernameKey: string, siteId: number | undefined): Promise<OperatorLoginRow[]> {
  let query = db
    .selectFrom('user')
    .select(['id', 'site_id', 'role', 'username', 'password_hash', 'rate_limit', 'identifier_scope'])
    .where('username_key', '=', usernameKey)
    .where('role', '!=', 'cardholder')
    .where('enabled', '=', 1)
    .$narrowType<{ role: OperatorRoleColumn }>();
  if (siteId !== undefined) query = query.where('site_id', '=', siteId);
  return query.limit(2).execute();
}

/** One source address trying one account (which may not exist). */
export interface ThrottleKey {
  address: string;
  siteScope: number;
  usernameKey: string;
}

/**
 * Counts a login attempt as a failure before its password is checked, in one statement, so that
 * attempts sent in parallel each get their own number and none is lost. A repeat of the last wrong
 * password (`wrong`, a keyed hash) is not a new guess and is not counted. The attempt that reaches
 * `lockAfter` locks the pair until `lockedUntil`; while it is locked nothing is counted and this resolves
 * to undefined, else to the pair's failures including this attempt.
 */
export async function claimLoginAttempt(
  db: Queryable,
  key: ThrottleKey,
  wrong: string,
  now: number,
  lockAfter: number,
  lockedUntil: number,
): Promise<number | undefined> {
  const row = await db
    .insertInto('login_throttle')
    .values({
      address: key.address,
      site_scope: key.siteScope,
      username_key: key.usernameKey,
      failures: 1,
      last_wrong: wrong,
      locked_until: null,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .columns(['address', 'site_scope', 'username_key'])
        .doUpdateSet((eb) => {
          const lockOver = eb('login_throttle.locked_until', 'is not', null);
          // Never null, so NOT of it is never null either (a pair seeded without a last password still counts).
          const repeat = eb(eb.fn.coalesce('login_throttle.last_wrong', eb.val('')), '=', eb.ref('excluded.last_wrong'));
          const next = eb('login_throttle.failures', '+', 1);
          return {
            // A lock that is over starts a fresh count.
            failures: eb.case().when(lockOver).then(1).when(repeat).then(eb.ref('login_throttle.failures')).else(next).end(),
            locked_until: eb
              .case()
              .when(eb.and([eb.not(lockOver), eb.not(repeat), eb('login_throttle.failures', '>=', lockAfter - 1)]))
              .then(lockedUntil)
              .else(null)
              .end(),
            last_wrong: eb.ref('excluded.last_wrong'),
            updated_at: now,
          };
        })
        .where((eb) => eb.or([eb('login_throttle.locked_until', 'is', null), eb('login_throttle.locked_until', '<=', now)])),
    )
    .returning('failures')
    .executeTakeFirst();
  return row?.failures;
}

/** The failures counted so far for a pair (0: none), for the delay of an attempt while it is locked. */
export async function loginFailures(db: Queryable, key: ThrottleKey): Promise<number> {
  const row = await db
    .selectFrom('login_throttle')
    .select('failures')
    .where('address', '=', key.address)
    .where('site_scope', '=', key.siteScope)
    .where('username_key', '=', key.usernameKey)
    .executeTakeFirst();
  return row?.failures ?? 0;
}

/** A success forgets the pair's failures. */
export async function clearLoginFailures(db: Queryable, key: ThrottleKey): Promise<void> {
  await db
    .deleteFrom('login_throttle')
    .where('address', '=', key.address)
    .where('site_scope', '=', key.siteScope)
    .where('username_key', '=', key.usernameKey)
    .execute();
}

/** An administrator's unlock: every address's failures against the account, whichever way it was named. */
export async function clearAccountFailures(db: Queryable, siteId: number, usernameKey: string): Promise<number> {
  const rows = await db
    .deleteFrom('login_throttle')
    .where('site_scope', 'in', [0, siteId])
    .where('username_key', '=', usernameKey)
    .returning('address')
    .execute();
  return rows.length;
}

/** Pairs with no failure for `since` and no lock running: forgotten, so guesses at random names do not pile up. */
export async function deleteStaleFailures(db: Queryable, since: number, now: number): Promise<void> {
  await db
    .deleteFrom('login_throttle')
    .where('updated_at', '<', since)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .execute();
}

export async function insertSession(
  db: Queryable,
  row: NewRow<'operator_session', 'token_hash' | 'user_id' | 'site_id' | 'expires_at' | 'created_at' | 'kind'>,
): Promise<void> {
  await db.insertInto('operator_session').values(row).execute();
}

/** A live session of this kind with its operator and site, in one round trip. */
export async function findSession(
  db: Queryable,
  tokenHash: string,
  kind: SessionKind,
  now: number,
): Promise<
  | {
      user_id: number;
      username: string | null;
      role: OperatorRoleColumn;
      rate_limit: number | null;
      identifier_scope: string;
      session_expires_at: number;
      session_created_at: number;
      site: SiteRow;
    }
  | undefined
> {
  const row = await operatorSession.first(db, { tokenHash, kind, now });
  if (!row) return undefined;
  const { user_id, username, role, rate_limit, identifier_scope, session_expires_at, session_created_at, ...site } = row;
  return { user_id, username, role, rate_limit, identifier_scope, session_expires_at, session_created_at, site };
}

/** Moves a session's expiry (a console session's, which slides with use). */
export async function extendSession(db: Queryable, tokenHash: string, expiresAt: number): Promise<void> {
  await db.updateTable('operator_session').set({ expires_at: expiresAt }).where('token_hash', '=', tokenHash).execute();
}

export async function siteOfSession(db: Queryable, tokenHash: string): Promise<number | undefined> {
  const row = await db.selectFrom('operator_session').select('site_id').where('token_hash', '=', tokenHash).executeTakeFirst();
  return row?.site_id;
}

export async function deleteSession(db: Queryable, tokenHash: string): Promise<void> {
  await db.deleteFrom('operator_session').where('token_hash', '=', tokenHash).execute();
}

/** Sessions past their expiry, dropped when someone logs in so the table does not grow without end. */
export async function deleteExpiredSessions(db: Queryable, now: number): Promise<void> {
  await db.deleteFrom('operator_session').where('expires_at', '<=', now).execute();
}

/** Ends every session of an operator; returns how many there were. */
export async function deleteSessionsOf(db: Queryable, userId: number): Promise<number> {
  const rows = await db.deleteFrom('operator_session').where('user_id', '=', userId).returning('token_hash').execute();
  return rows.length;
}
