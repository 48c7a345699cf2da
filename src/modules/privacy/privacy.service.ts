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

/** "Last, First", as events name a user (src/access/facts.repository.ts). */
const eventName = (first: string, last: string) => [last, first].filter((part) => part !== '').join(', ');

/**
 * Replaces a cardholder's personal data (names, email, phone, id_num, PIN, the panel face's `info` and
 * the owner name on their identifiers) with placeholders in the user record, their credentials and every
 * event naming them (its reason included), in one transaction. test/flows/anonymize.int.test.ts sorts
 * every field of every read of a cardholder, so a new personal field fails it until handled here. Ids,
 * credentials, access levels and counts stay, so history still adds up. The audit trail holds ids only,
 * so it needs no change. Running it again changes nothing further.
 */
export async function anonymizeUser(db: Queryable, siteId: number, userId: number, actor: Actor, now: number): Promise<AnonymizeResult> {
  const placeholder = { first: 'Anonymized', last: `User ${userId}` };
  return writeTransaction(
    db,
    siteId,
    async (trx) => {
      // Read in the writing transaction: the name taken out of the events is the one stored as it runs.
      const names = isStorableId(userId) ? await repo.findCardholderNames(trx, siteId, userId) : undefined;
      if (!names) throw ERRORS.badRequest(`Invalid user_id: ${userId}`);
      await repo.anonymizeUserRecord(trx, siteId, userId, placeholder, now);
      await repo.anonymizeUserCredentials(trx, siteId, userId);
      const events = await repo.anonymizeUserEvents(trx, siteId, userId, {
        from: eventName(names.first_name, names.last_name),
        to: eventName(placeholder.first, placeholder.last),
      });
      return { user_id: userId, anonymized: true as const, events };
    },
    { of: (result) => ({ actor, resource: 'users', action: 'anonymize', recordIds: [userId], detail: { events: result.events } }), at: now },
  );
}
