import { toBool, toId } from '../../domain/batch-checks.ts';
import type { BatchRecord } from '../../domain/batch.ts';
import type { UserUpdate } from './users.schema.ts';
import type { UserInput } from './users.service.ts';

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
