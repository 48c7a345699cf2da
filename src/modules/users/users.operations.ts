import { toBool, toId } from '../../domain/batch-checks.ts';
import { type BatchRecord, batchOperation } from '../../domain/batch.ts';
import { UserCreate, UserUpdate } from './users.schema.ts';
import { type UserInput, checkUserChanges, writeUserChanges } from './users.service.ts';

/** The user writes, shared by the Lockt routes (POST and PUT /user) and the operator console. */

/** A user record of POST or PUT in the domain's terms. */
export function parseUser(record: BatchRecord<typeof UserUpdate>): UserInput {
  const levels = record.accesslevels;
  return {
    id: toId(record.id),
    idNum: record.id_num,
    firstName: record.first_name,
    lastName: record.last_name,
    email: record.email,
    phone: record.phone,
    pin: record.pin,
    cardNum: record.card_num,
    accessEffective: record.access_effective,
    accessExpires: record.access_expires,
    enabled: toBool(record.enabled),
    // The schema admits an array of {id} or `{}`, which the spec calls "an empty object" and means none.
    accessLevels:
      levels === undefined ? undefined : Array.isArray(levels) ? levels.map((level) => toId(level.id)).filter((id) => id !== undefined) : [],
  };
}

export const createUsers = batchOperation({
  node: 'users',
  record: UserCreate,
  options: ['update_existing', 'validate_fails_batch', 'replace_privileges'],
  parse: parseUser,
  check: checkUserChanges('post'),
  write: writeUserChanges,
});

export const updateUsers = batchOperation({
  node: 'users',
  record: UserUpdate,
  options: ['validate_fails_batch', 'replace_privileges'],
  maxRecords: 1,
  parse: parseUser,
  check: checkUserChanges('put'),
  write: writeUserChanges,
});
