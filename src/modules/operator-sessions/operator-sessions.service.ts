import { createHmac, randomBytes } from 'node:crypto';
import type { Actor } from '../../audit/audit-log.ts';
import type { Queryable } from '../../db/queryable.ts';
import { writeTransaction } from '../../db/change-feed.ts';
import type { SessionKind } from '../../db/schema.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { digestMatches, hashPassword, passwordDigest } from '../../lib/passwords.ts';
import { hashSecret, randomToken } from '../../lib/secrets.ts';
import type { Site } from '../../domain/site.ts';
import { siteFromRow } from '../sites/site.ts';
import { findSite } from '../sites/sites.repository.ts';
import * as repo from './operator-sessions.repository.ts';

/** Sessions last two hours, as on BAS-IP panels, with no refresh. */
export const SESSION_MS = 2 * 60 * 60 * 1000;
/** After this many consecutive failures of one address against one account every further attempt is slowed… */
export const SLOW_AFTER = 3;
/** …and after this many that address is locked out of that account… */
export const LOCK_AFTER = 10;
/** …for this long. */
export const LOCK_MS = 15 * 60 * 1000;
const MAX_DELAY_MS = 4000;

export type OperatorRole = 'admin' | 'manager' | 'installer';

/** A logged-in operator: who, in which site, with which rights and request budget. */
export interface OperatorPrincipal {
  userId: number;
  username: string;
  role: OperatorRole;
  site: Site;
  actor: Actor;
  /** Requests a rate-limit window this account may make; null: the server's budget. */
  rateLimit: number | null;
  /** Which identifiers the panel face shows it: the site's, or only those it created. */
  identifierScope: 'site' | 'own';
}

/** A login as it arrives: the account named (and the site, when the URL named one), from where. */
export interface LoginAttempt {
  username: string;
  /** The password as candidate MD5 hex digests; the first is the one a repeat is recognised by. */
  digests: readonly string[];
  /** The client address as the rate limit counts it. */
  address: string;
  /** The site of the URL's prefix (src/http/basip/site-prefix.ts), if it had one. */
  siteId: number | undefined;
}

// Compared against when the username is unknown, so the answer takes as long as for a known one.
const decoy = hashPassword('portcullis-decoy-password');

// Keys the hash a wrong password is remembered by: known only to this process, so the stored hash of a
// near-miss cannot be attacked offline; a restart only makes the next repeat count once more.
const wrongPasswordKey = randomBytes(32);

/** The delay a login attempt waits after `failures` consecutive failures of its address against its account. */
export function loginDelayMs(failures: number): number {
  return failures < SLOW_AFTER ? 0 : Math.min(MAX_DELAY_MS, 500 * 2 ** (failures - SLOW_AFTER));
}

const wrong = () => ERRORS.badRequest('Wrong login or password');

/** The one operator a login names: in its site, or the only one of that name when it names no site. */
async function namedOperator(db: Queryable, usernameKey: string, siteId: number | undefined): Promise<repo.OperatorLoginRow | undefined> {
  const found = await repo.findOperatorsByUsername(db, usernameKey, siteId);
  return found.length === 1 ? found[0] : undefined;
}

/**
 * Checks an operator's password. Failures are counted per source address and account, whether the
 * account exists or not (so a missing one answers exactly as slowly as a real one): after SLOW_AFTER
 * every further attempt of that address waits, and LOCK_AFTER locks that address out of that account
 * for LOCK_MS. A stranger's guesses therefore slow and lock the stranger, never the owner's own address,
 * and a client repeating one wrong password (a setup trying the panel's default) counts it once. The
 * answer never says whether the username exists or the address is locked. Each attempt is counted
 * before its password is checked (a success clears the count), so parallel guesses cannot get more than
 * LOCK_AFTER checked.
 */
async function verifyOperator(db: Queryable, attempt: LoginAttempt, clock: Clock): Promise<repo.OperatorLoginRow> {
  const usernameKey = attempt.username.trim().toLowerCase();
  const key: repo.ThrottleKey = { address: attempt.address, siteScope: attempt.siteId ?? 0, usernameKey };
  const operator = await namedOperator(db, usernameKey, attempt.siteId);
  const now = clock.now();
  const remembered = createHmac('sha256', wrongPasswordKey)
    .update(`${key.siteScope}:${usernameKey}:${(attempt.digests[0] ?? '').toLowerCase()}`)
    .digest('hex');
  const failures = await repo.claimLoginAttempt(db, key, remembered, now, LOCK_AFTER, now + LOCK_MS);
  await clock.sleep(loginDelayMs((failures ?? (await repo.loginFailures(db, key))) - 1));
  // Checked even when locked or unknown, so that the answer takes as long either way.
  const stored = operator?.password_hash ?? (await decoy);
  let matches = false;
  for (const digest of attempt.digests) matches ||= await digestMatches(digest, stored);
  if (failures === undefined || !matches || !operator?.password_hash) {
    await repo.deleteStaleFailures(db, now - LOCK_MS, now);
    throw wrong();
  }
  await repo.clearLoginFailures(db, key);
  return operator;
}

/** An administrator's unlock of an operator account: every address's failures against it are forgotten. */
export async function unlockOperator(db: Queryable, siteId: number, username: string): Promise<number> {
  return repo.clearAccountFailures(db, siteId, username.trim().toLowerCase());
}

/** Logs an operator in with the MD5 hex of their password (either case), as panel clients send it. */
export async function login(
  db: Queryable,
  attempt: Omit<LoginAttempt, 'digests'> & { digest: string },
  clock: Clock,
): Promise<{ token: string; accountType: OperatorRole }> {
  const operator = await verifyOperator(db, { ...attempt, digests: [attempt.digest] }, clock);
  const token = await startSession(db, operator, 'panel', SESSION_MS, clock.now());
  return { token, accountType: operator.role };
}

async function startSession(db: Queryable, operator: repo.OperatorLoginRow, kind: SessionKind, lifetimeMs: number, now: number): Promise<string> {
  await repo.deleteExpiredSessions(db, now);
  const token = randomToken(40);
  await repo.insertSession(db, {
    token_hash: hashSecret(token),
    user_id: operator.id,
    site_id: operator.site_id,
    expires_at: now + lifetimeMs,
    created_at: now,
    kind,
  });
  return token;
}

function principal(
  row: { id: number; username: string | null; role: OperatorRole; rate_limit: number | null; identifier_scope: string },
  site: Site,
): OperatorPrincipal {
  const username = row.username ?? '';
  return {
    userId: row.id,
    username,
    role: row.role,
    site,
    actor: { kind: 'operator', name: username },
    rateLimit: row.rate_limit,
    identifierScope: row.identifier_scope === 'own' ? 'own' : 'site',
  };
}

/**
 * The operator a panel session token belongs to, and when the session ends; a missing, unknown or
 * expired token is refused.
 */
export async function authenticateSession(db: Queryable, token: string, now: number): Promise<{ operator: OperatorPrincipal; expiresAt: number }> {
  const session = await repo.findSession(db, hashSecret(token), 'panel', now);
  if (!session) throw ERRORS.unauthorized();
  const { user_id: id, site, session_expires_at: expiresAt, session_created_at: _created, ...account } = session;
  return { operator: principal({ id, ...account }, siteFromRow(site)), expiresAt };
}

/** A console session ends after this long unused… */
export const CONSOLE_IDLE_MS = 30 * 60 * 1000;
/** …and after this long whatever its use, so a stolen cookie kept busy does not last for ever. */
export const CONSOLE_MAX_MS = 12 * 60 * 60 * 1000;
/** The expiry is moved forward at most this often, so a busy console does not write on every request. */
const CONSOLE_SLIDE_STEP_MS = 60 * 1000;

/**
 * Signs an operator in to the console with the password in clear (the form's), through the same check
 * and login throttle as the panel face's login; the session is the console's kind, ending when idle.
 */
export async function consoleSignIn(
  db: Queryable,
  attempt: Omit<LoginAttempt, 'digests' | 'siteId'> & { password: string },
  clock: Clock,
): Promise<{ token: string; role: OperatorRole; username: string }> {
  const named = consoleLoginName(attempt.username);
  const operator = await verifyOperator(db, { ...attempt, ...named, digests: [passwordDigest(attempt.password)] }, clock);
  const token = await startSession(db, operator, 'console', CONSOLE_IDLE_MS, clock.now());
  return { token, role: operator.role as OperatorRole, username: named.username };
}

/**
 * `<site id>/<username>`: the site a console sign-in names, as the BAS-IP face's `/site/<id>` prefix names
 * it. Nine digits at most: every such id fits an integer column, so none reaches PostgreSQL out of range.
 */
const SITE_QUALIFIED = /^([1-9][0-9]{0,8})\/(.+)$/;

/**
 * The account a console sign-in names. Usernames are unique per site only: one that several sites hold
 * is signed in to as `<site id>/<username>` (the site id of the BAS-IP URL prefix, src/http/basip/site-prefix.ts);
 * a bare username must be the only one of its name, as a panel login without the prefix.
 */
export function consoleLoginName(text: string): { username: string; siteId: number | undefined } {
  const trimmed = text.trim();
  const qualified = SITE_QUALIFIED.exec(trimmed);
  return qualified ? { username: (qualified[2] ?? '').trim(), siteId: Number(qualified[1]) } : { username: trimmed, siteId: undefined };
}

/**
 * The operator of a console cookie. Unused for CONSOLE_IDLE_MS, or older than CONSOLE_MAX_MS, it is
 * refused; each use moves its idle expiry forward.
 */
export async function authenticateConsole(db: Queryable, token: string, now: number): Promise<OperatorPrincipal> {
  const tokenHash = hashSecret(token);
  const session = await repo.findSession(db, tokenHash, 'console', now);
  if (!session || now >= session.session_created_at + CONSOLE_MAX_MS) throw ERRORS.unauthorized('Sign in to the console.');
  const { user_id: id, site, session_expires_at: expiresAt, session_created_at: createdAt, ...account } = session;
  const next = Math.min(now + CONSOLE_IDLE_MS, createdAt + CONSOLE_MAX_MS);
  if (next - expiresAt >= CONSOLE_SLIDE_STEP_MS) await repo.extendSession(db, tokenHash, next);
  return principal({ id, ...account }, siteFromRow(site));
}

/** Whether a console session still holds (a live feed ends within a second of it ending). */
export async function consoleSessionHolds(db: Queryable, token: string, now: number): Promise<boolean> {
  const session = await repo.findSession(db, hashSecret(token), 'console', now);
  return session !== undefined && now < session.session_created_at + CONSOLE_MAX_MS;
}

/**
 * HTTP Basic, as one production panel client sends it: the password in clear, or (some clients) already
 * as its MD5 hex; both readings are tried. No session is made.
 */
export async function authenticateBasic(
  db: Queryable,
  attempt: Omit<LoginAttempt, 'digests'> & { password: string },
  clock: Clock,
): Promise<OperatorPrincipal> {
  const { password } = attempt;
  const digests = [passwordDigest(password), ...(/^[0-9a-f]{32}$/i.test(password) ? [password.toLowerCase()] : [])];
  let operator: repo.OperatorLoginRow;
  try {
    operator = await verifyOperator(db, { ...attempt, digests }, clock);
  } catch {
    throw ERRORS.unauthorized();
  }
  const site = await findSite(db, operator.site_id);
  if (!site) throw ERRORS.unauthorized();
  return principal(operator, siteFromRow(site));
}

/** Ends every session of an operator (its role, password or standing changed); returns how many. */
export function endSessionsOf(db: Queryable, userId: number): Promise<number> {
  return repo.deleteSessionsOf(db, userId);
}

/** Ends the session of this token, as a write of its site, so that no process remembers the token after. */
export async function logout(db: Queryable, token: string): Promise<void> {
  const tokenHash = hashSecret(token);
  const siteId = await repo.siteOfSession(db, tokenHash);
  if (siteId === undefined) return;
  await writeTransaction(db, siteId, (trx) => repo.deleteSession(trx, tokenHash));
}
