import type { Queryable } from '../../db/queryable.ts';
import type { SiteRow } from '../../db/schema.ts';

export interface OperatorLoginRow {
  id: number;
  site_id: number;
  role: string;
  username: string | null;
  password_hash: string | null;
  failed_logins: number;
  locked_until: number | null;
}

/** An operator by username, in any site: the panel face logs in without naming one. */
export function findOperatorByUsername(db: Queryable, usernameKey: string): Promise<OperatorLoginRow | undefined> {
  return db
    .selectFrom('user')
    .select(['id', 'site_id', 'role', 'username', 'password_hash', 'failed_logins', 'locked_until'])
    .where('username_key', '=', usernameKey)
    .where('role', '!=', 'cardholder')
    .executeTakeFirst();
}

/**
 * Counts a login attempt as a failure before its password is checked, in one conditional statement, so
 * that attempts sent in parallel each get their own number and none is lost: the one that reaches
 * `lockAfter` locks the account until `lockedUntil`, and while it is locked no attempt is counted.
 * Resolves to this attempt's number, or undefined when the account is locked.
 */
export async function claimLoginAttempt(
  db: Queryable,
  userId: number,
  now: number,
  lockAfter: number,
  lockedUntil: number,
): Promise<number | undefined> {
  const row = await db
    .updateTable('user')
    .set((eb) => ({
      failed_logins: eb('failed_logins', '+', 1),
      // ELSE keeps the column's own value (none, or a lock already over), which also gives the CASE its type.
      locked_until: eb.case().when('failed_logins', '>=', lockAfter - 1).then(lockedUntil).else(eb.ref('locked_until')).end(),
    }))
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .returning('failed_logins')
    .executeTakeFirst();
  return row?.failed_logins;
}

export async function clearLoginFailures(db: Queryable, userId: number): Promise<void> {
  await db.updateTable('user').set({ failed_logins: 0, locked_until: null }).where('id', '=', userId).execute();
}

export async function insertSession(
  db: Queryable,
  row: { token_hash: string; user_id: number; site_id: number; expires_at: number; created_at: number },
): Promise<void> {
  await db.insertInto('operator_session').values(row).execute();
}

/** A live session with its operator and site, in one round trip. */
export async function findSession(
  db: Queryable,
  tokenHash: string,
  now: number,
): Promise<{ user_id: number; username: string | null; role: string; site: SiteRow } | undefined> {
  const row = await db
    .selectFrom('operator_session as s')
    .innerJoin('user as u', 'u.id', 's.user_id')
    .innerJoin('site', 'site.id', 's.site_id')
    .selectAll('site')
    .select(['u.id as user_id', 'u.username as username', 'u.role as role'])
    .where('s.token_hash', '=', tokenHash)
    .where('s.expires_at', '>', now)
    .executeTakeFirst();
  if (!row) return undefined;
  const { user_id, username, role, ...site } = row;
  return { user_id, username, role, site };
}

export async function deleteSession(db: Queryable, tokenHash: string): Promise<void> {
  await db.deleteFrom('operator_session').where('token_hash', '=', tokenHash).execute();
}

/** Sessions past their expiry, dropped when someone logs in so the table does not grow without end. */
export async function deleteExpiredSessions(db: Queryable, now: number): Promise<void> {
  await db.deleteFrom('operator_session').where('expires_at', '<=', now).execute();
}
