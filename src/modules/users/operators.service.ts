import { writeTransaction } from '../../db/change-feed.ts';
import type { Queryable } from '../../db/queryable.ts';
import { isUniqueViolation } from '../../db/conventions.ts';
import type { UserRole } from '../../db/schema.ts';
import { ERRORS } from '../../domain/errors.ts';
import { identifyingTextProblem } from '../../domain/text-limits.ts';
import type { Clock } from '../../lib/clock.ts';
import { hashPassword } from '../../lib/passwords.ts';
import * as repo from './users.repository.ts';

/**
 * Operators: the site's application accounts (admin, manager, installer). They live in the user table
 * beside cardholders but hold no cards, log in with a password, and are managed from the command line,
 * never through the Lockt user endpoints.
 */
export const OPERATOR_ROLES = ['admin', 'manager', 'installer'] as const satisfies readonly UserRole[];
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

export const MIN_PASSWORD_LENGTH = 8;

export interface NewOperator {
  username: string;
  password: string;
  role: string;
  firstName?: string | undefined;
  lastName?: string | undefined;
}

/** An operator as listed: never the password or its hash. */
export interface OperatorInfo {
  id: number;
  site_id: number;
  username: string;
  role: string;
  first_name: string;
  last_name: string;
}

const usernameKey = (username: string) => username.trim().toLowerCase();

function isOperatorRole(role: string): role is OperatorRole {
  return (OPERATOR_ROLES as readonly string[]).includes(role);
}

function info(siteId: number, row: repo.OperatorRow): OperatorInfo {
  return { id: row.id, site_id: siteId, username: row.username ?? '', role: row.role, first_name: row.first_name, last_name: row.last_name };
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
  if (input.password.trim() === '') throw ERRORS.badRequest('Missing or blank password');
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw ERRORS.badRequest(`Password too short: at least ${MIN_PASSWORD_LENGTH} characters are required`);
  }
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
