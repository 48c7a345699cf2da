import type { Actor } from '../../audit/audit-log.ts';
import { writeTransaction } from '../../db/change-feed.ts';
import type { Queryable } from '../../db/queryable.ts';
import { fromFlag, isUniqueViolation, toFlag } from '../../db/conventions.ts';
import type { UserRole } from '../../db/schema.ts';
import { ERRORS } from '../../domain/errors.ts';
import { identifyingTextProblem } from '../../domain/text-limits.ts';
import type { Clock } from '../../lib/clock.ts';
import { hashPassword } from '../../lib/passwords.ts';
import { endSessionsOf } from '../operator-sessions/operator-sessions.service.ts';
import * as repo from './users.repository.ts';

/**
 * Operators: the site's application accounts (admin, manager, installer). They live in the user table
 * beside cardholders but hold no cards, log in with a password, and are managed from the command line,
 * never through the Lockt user endpoints.
 */
export const OPERATOR_ROLES = ['admin', 'manager', 'installer'] as const satisfies readonly UserRole[];
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

export const MIN_PASSWORD_LENGTH = 8;

/**
 * Which identifiers the panel face shows an operator: `site`, all of the site's (Lockt cards included);
 * `own`, only those it created, so a client that deletes what it did not create cannot delete others'.
 */
export const IDENTIFIER_SCOPES = ['site', 'own'] as const;

function identifierScope(scope: string): string {
  if (!IDENTIFIER_SCOPES.some((known) => known === scope))
    throw ERRORS.badRequest(`Invalid scope: ${scope} (expected ${IDENTIFIER_SCOPES.join(', ')})`);
  return scope;
}

export interface NewOperator {
  username: string;
  password: string;
  role: string;
  firstName?: string | undefined;
  lastName?: string | undefined;
  /** `site` unless given. */
  scope?: string | undefined;
}

/** An operator as listed: never the password or its hash. */
export interface OperatorInfo {
  id: number;
  site_id: number;
  username: string;
  role: string;
  first_name: string;
  last_name: string;
  enabled: boolean;
  /** Requests a rate-limit window this account may make; null: the server's budget. */
  rate_limit: number | null;
  identifier_scope: string;
}

const usernameKey = (username: string) => username.trim().toLowerCase();

function isOperatorRole(role: string): role is OperatorRole {
  return OPERATOR_ROLES.some((known) => known === role);
}

function info(siteId: number, row: repo.OperatorRow): OperatorInfo {
  return {
    id: row.id,
    site_id: siteId,
    username: row.username ?? '',
    role: row.role,
    first_name: row.first_name,
    last_name: row.last_name,
    enabled: fromFlag(row.enabled),
    rate_limit: row.rate_limit,
    identifier_scope: row.identifier_scope,
  };
}

function checkPassword(password: string): void {
  if (password.trim() === '') throw ERRORS.badRequest('Missing or blank password');
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw ERRORS.badRequest(`Password too short: at least ${MIN_PASSWORD_LENGTH} characters are required`);
  }
}

export async function createOperator(db: Queryable, siteId: number, input: NewOperator, clock: Clock): Promise<OperatorInfo> {
  const { role } = input;
  if (!isOperatorRole(role)) {
    throw ERRORS.badRequest(`Invalid role: ${role} (expected ${OPERATOR_ROLES.join(', ')})`);
  }
  const username = input.username.trim();
  if (username === '') throw ERRORS.badRequest('Missing or blank username');
  // Usernames are uniquely indexed, so limited as identifying text is on the wire.
  const tooLong = identifyingTextProblem('username', username);
  if (tooLong !== undefined) throw ERRORS.badRequest(tooLong);
  checkPassword(input.password);
  const scope = identifierScope(input.scope ?? 'site');
  const key = usernameKey(username);
  const taken = () => ERRORS.badRequest(`Username Already Exists: ${username}`);
  if (await repo.usernameKeyTaken(db, siteId, key)) throw taken();
  const now = clock.now();
  const passwordHash = await hashPassword(input.password);
  try {
    const row = await writeTransaction(db, siteId, (trx) =>
      repo.insertOperator(trx, {
        site_id: siteId,
        role,
        username,
        username_key: key,
        password_hash: passwordHash,
        first_name: input.firstName?.trim() ?? '',
        last_name: input.lastName?.trim() ?? '',
        identifier_scope: scope,
        created_at: now,
        updated_at: now,
      }),
    );
    return info(siteId, row);
  } catch (error) {
    // Another process took the name between the check and the insert.
    if (isUniqueViolation(error)) throw taken();
    throw error;
  }
}

export async function listOperators(db: Queryable, siteId: number): Promise<OperatorInfo[]> {
  return (await repo.listOperators(db, siteId, OPERATOR_ROLES)).map((row) => info(siteId, row));
}

/** What an operator account can be made to do: each change but `enable` and `rate-limit` ends its sessions. */
export type OperatorChange =
  | { kind: 'disable' }
  | { kind: 'enable' }
  | { kind: 'logout' }
  | { kind: 'remove' }
  | { kind: 'set-role'; role: string }
  | { kind: 'set-password'; password: string }
  | { kind: 'set-rate-limit'; rateLimit: number | null }
  | { kind: 'set-scope'; scope: string };

/** Changes that leave the account's sessions alone: nothing they allow was taken away. */
const KEEPS_SESSIONS: ReadonlySet<OperatorChange['kind']> = new Set(['enable', 'set-rate-limit']);

/** The largest per-account budget: a 32-bit column. */
const MAX_RATE_LIMIT = 2_147_483_647;

async function operatorChanges(change: OperatorChange): Promise<repo.OperatorChanges> {
  switch (change.kind) {
    case 'disable':
      return { enabled: toFlag(false) };
    case 'enable':
      return { enabled: toFlag(true) };
    case 'set-role':
      if (!isOperatorRole(change.role)) throw ERRORS.badRequest(`Invalid role: ${change.role} (expected ${OPERATOR_ROLES.join(', ')})`);
      return { role: change.role };
    case 'set-password':
      checkPassword(change.password);
      return { password_hash: await hashPassword(change.password) };
    case 'set-rate-limit':
      if (change.rateLimit !== null && !(Number.isSafeInteger(change.rateLimit) && change.rateLimit >= 1 && change.rateLimit <= MAX_RATE_LIMIT)) {
        throw ERRORS.badRequest(`Invalid rate limit: ${change.rateLimit} (expected 1 to ${MAX_RATE_LIMIT} requests a window)`);
      }
      return { rate_limit: change.rateLimit };
    case 'set-scope':
      return { identifier_scope: identifierScope(change.scope) };
    case 'logout':
    case 'remove':
      return {};
  }
}

/**
 * Manages an operator account of the site, found by username: disable, enable, remove, change its role,
 * password or request budget, or log it out. Whatever takes a right away ends every session of the
 * account in the same transaction, so its tokens stop working at once; HTTP Basic is checked against the
 * account on every request and stops with it. Returns the account as it now is and the sessions ended.
 */
export async function changeOperator(
  db: Queryable,
  siteId: number,
  username: string,
  change: OperatorChange,
  actor: Actor,
  clock: Clock,
): Promise<{ operator: OperatorInfo; sessionsEnded: number }> {
  const found = await repo.findOperator(db, siteId, usernameKey(username), OPERATOR_ROLES);
  if (!found) throw ERRORS.notFound(`Operator not found: ${username.trim()}`);
  const changes = await operatorChanges(change);
  const now = clock.now();
  const sessionsEnded = await writeTransaction(
    db,
    siteId,
    async (trx) => {
      const ended = KEEPS_SESSIONS.has(change.kind) ? 0 : await endSessionsOf(trx, found.id);
      if (change.kind === 'remove') await repo.deleteOperator(trx, siteId, found.id);
      else if (Object.keys(changes).length > 0) await repo.updateOperator(trx, siteId, found.id, changes, now);
      return ended;
    },
    { of: () => ({ actor, resource: 'operator', action: change.kind, recordIds: [found.id] }), at: now },
  );
  const { password_hash: _hash, ...shown } = changes;
  return { operator: info(siteId, { ...found, ...shown }), sessionsEnded };
}
