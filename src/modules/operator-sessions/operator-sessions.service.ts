import { setTimeout as sleep } from 'node:timers/promises';
import type { Actor } from '../../audit/audit-log.ts';
import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { digestMatches, hashPassword, passwordDigest } from '../../lib/passwords.ts';
import { hashSecret, randomToken } from '../../lib/secrets.ts';
import { type Site, siteFromRow } from '../sites/site.ts';
import { findSite } from '../sites/sites.repository.ts';
import * as repo from './operator-sessions.repository.ts';

/** Sessions last two hours, as on BAS-IP panels, with no refresh. */
export const SESSION_MS = 2 * 60 * 60 * 1000;
/** After this many consecutive failures every further attempt is slowed… */
export const SLOW_AFTER = 3;
/** …and after this many the account is locked… */
export const LOCK_AFTER = 10;
/** …for this long. */
export const LOCK_MS = 15 * 60 * 1000;
const MAX_DELAY_MS = 4000;

export type OperatorRole = 'admin' | 'manager' | 'installer';

/** A logged-in operator: who, in which site, with which rights. */
export interface OperatorPrincipal {
  userId: number;
  username: string;
  role: OperatorRole;
  site: Site;
  actor: Actor;
}

// Compared against when the username is unknown, so the answer takes as long as for a known one.
const decoy = hashPassword('portcullis-decoy-password');

/** The delay a login attempt waits after `failures` consecutive failures. */
export function loginDelayMs(failures: number): number {
  return failures < SLOW_AFTER ? 0 : Math.min(MAX_DELAY_MS, 500 * 2 ** (failures - SLOW_AFTER));
}

const wrong = () => ERRORS.badRequest('Wrong login or password');

/**
 * Checks an operator's password, given as one or more candidate MD5 hex digests. Consecutive failures
 * slow every further attempt down and then lock the account for a while; the answer never says whether
 * the username exists or the account is locked. Each attempt is counted before its password is checked
 * (a success clears the count), so guesses sent in parallel cannot get more than LOCK_AFTER checked.
 */
async function verifyOperator(
  db: Queryable,
  username: string,
  digests: readonly string[],
  clock: Clock,
): Promise<repo.OperatorLoginRow> {
  const operator = await repo.findOperatorByUsername(db, username.trim().toLowerCase());
  if (!operator || !operator.password_hash) {
    await digestMatches(digests[0] ?? '', await decoy);
    throw wrong();
  }
  const now = clock.now();
  const attempt = await repo.claimLoginAttempt(db, operator.id, now, LOCK_AFTER, now + LOCK_MS);
  await sleep(loginDelayMs(attempt === undefined ? operator.failed_logins : attempt - 1));
  // Checked even when locked, so that the answer takes as long either way.
  let matches = false;
  for (const digest of digests) matches ||= await digestMatches(digest, operator.password_hash);
  if (attempt === undefined || !matches) throw wrong();
  await repo.clearLoginFailures(db, operator.id);
  return operator;
}

/** Logs an operator in with the MD5 hex of their password (either case), as panel clients send it. */
export async function login(
  db: Queryable,
  username: string,
  digest: string,
  clock: Clock,
): Promise<{ token: string; accountType: OperatorRole }> {
  const operator = await verifyOperator(db, username, [digest], clock);
  const now = clock.now();
  await repo.deleteExpiredSessions(db, now);
  const token = randomToken(40);
  await repo.insertSession(db, { token_hash: hashSecret(token), user_id: operator.id, site_id: operator.site_id, expires_at: now + SESSION_MS, created_at: now });
  return { token, accountType: operator.role as OperatorRole };
}

function principal(userId: number, username: string, role: string, site: Site): OperatorPrincipal {
  return { userId, username, role: role as OperatorRole, site, actor: { kind: 'operator', name: username } };
}

/** The operator a session token belongs to; a missing, unknown or expired token is refused. */
export async function authenticateSession(db: Queryable, token: string, now: number): Promise<OperatorPrincipal> {
  const session = await repo.findSession(db, hashSecret(token), now);
  if (!session) throw ERRORS.unauthorized();
  return principal(session.user_id, session.username ?? '', session.role, siteFromRow(session.site));
}

/**
 * HTTP Basic, as one production panel client sends it: the password in clear, or (some clients) already
 * as its MD5 hex; both readings are tried. No session is made.
 */
export async function authenticateBasic(db: Queryable, username: string, password: string, clock: Clock): Promise<OperatorPrincipal> {
  const digests = [passwordDigest(password), ...(/^[0-9a-f]{32}$/i.test(password) ? [password.toLowerCase()] : [])];
  let operator: repo.OperatorLoginRow;
  try {
    operator = await verifyOperator(db, username, digests, clock);
  } catch {
    throw ERRORS.unauthorized();
  }
  const site = await findSite(db, operator.site_id);
  if (!site) throw ERRORS.unauthorized();
  return principal(operator.id, operator.username ?? '', operator.role, siteFromRow(site));
}

export async function logout(db: Queryable, token: string): Promise<void> {
  await repo.deleteSession(db, hashSecret(token));
}
