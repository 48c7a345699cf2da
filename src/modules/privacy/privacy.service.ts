import type { Actor } from '../../audit/audit-log.ts';
import { writeTransaction } from '../../db/change-feed.ts';
import { isStorableId } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import * as repo from './privacy.repository.ts';

export interface AnonymizeResult {
  user_id: number;
  anonymized: true;
  /** Events whose user name and card number were replaced. */
  events: number;
}

/**
 * Replaces a cardholder's personal data (names, email, phone, id_num, PIN) with placeholders in the
 * user record and in every event naming them, in one transaction. Ids, credentials, access levels and
 * counts stay, so history still adds up. The audit trail holds ids only, so it needs no change.
 * Running it again changes nothing further.
 */
export async function anonymizeUser(
  db: Queryable,
  siteId: number,
  userId: number,
  actor: Actor,
  now: number,
): Promise<AnonymizeResult> {
  if (!isStorableId(userId) || !(await repo.isCardholder(db, siteId, userId))) {
    throw ERRORS.badRequest(`Invalid user_id: ${userId}`);
  }
  const placeholder = { first: 'Anonymized', last: `User ${userId}` };
  return writeTransaction(
    db,
    siteId,
    async (trx) => {
      await repo.anonymizeUserRecord(trx, siteId, userId, placeholder, now);
      const events = await repo.anonymizeUserEvents(trx, siteId, userId, `${placeholder.last}, ${placeholder.first}`);
      return { user_id: userId, anonymized: true as const, events };
    },
    { of: (result) => ({ actor, resource: 'users', action: 'anonymize', recordIds: [userId], detail: { events: result.events } }), at: now },
  );
}
