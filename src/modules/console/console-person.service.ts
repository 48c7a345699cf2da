import type { Actor } from '../../audit/audit-log.ts';
import { writeTransaction } from '../../db/change-feed.ts';
import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import { nameKey } from '../../domain/names.ts';
import type { Site } from '../../domain/site.ts';
import type { Clock } from '../../lib/clock.ts';
import { type WithDoors, attachDoors } from '../access-levels/access-levels.service.ts';
import { type IdentifierInput, createIdentifier, deleteIdentifier, operatorScope } from '../credentials/identifiers.service.ts';
import type { OperatorPrincipal } from '../operator-sessions/operator-sessions.service.ts';
import { type AnonymizeResult, anonymizeUser } from '../privacy/privacy.service.ts';
import { type BasipUserContext, type BasipUserView, attachIdentifierToUser, getBasipUser } from '../users/users.basip.service.ts';
import { type AccessWindow, cardholderWindows, findPanelUser, updateCardholders } from '../users/users.repository.ts';
import * as repo from './console-person.repository.ts';

/**
 * A person's page beyond its details and levels: every credential with the panel face's fields (pass
 * limits among them), apartments, time profiles and delegations; and the writes the page makes that the
 * Lockt user write does not: BAS-IP identifiers (the panel face's service), clearing a PIN, anonymizing.
 */

/** What a person's page shows besides `personPage`: the panel face's view of them, and their delegations. */
export interface PersonExtras {
  window: AccessWindow;
  panel: BasipUserView;
  delegations: WithDoors<repo.DelegationRow>[];
  /** What the operator types to anonymize them. */
  confirmation: string;
}

/** What an operator must type to anonymize a person: their full name, or this word when they have none. */
const ANONYMIZE_WORD = 'ANONYMIZE';

const confirmationOf = (first: string, last: string) => `${first} ${last}`.trim() || ANONYMIZE_WORD;

export async function personExtras(db: Queryable, site: Site, id: number): Promise<PersonExtras> {
  const window = await requirePerson(db, site.id, id);
  const panel = await getBasipUser(db, site.id, id);
  const delegations = await attachDoors(db, site.id, await repo.delegationsOf(db, site.id, id));
  return { window, panel, delegations, confirmation: confirmationOf(panel.row.first_name, panel.row.last_name) };
}

/** The panel face's context for an operator's write in the console: the face's scope rules, Lockt's call. */
export function panelContextOf(operator: OperatorPrincipal, clock: Clock): BasipUserContext {
  return { siteId: operator.site.id, actor: operator.actor, now: clock.now(), ...operatorScope(operator), site: operator.site, clock };
}

/** Fails unless `id` is a cardholder of the site: a write for nobody is refused before anything is written. */
export async function requirePerson(db: Queryable, siteId: number, id: number): Promise<AccessWindow> {
  const window = (await cardholderWindows(db, siteId, [id])).get(id);
  if (!window) throw ERRORS.notFound(`No person with id ${id}.`);
  return window;
}

/**
 * A new identifier held by the person, as the panel face makes one: created (its rules and messages),
 * then given to the user. The face does this in two calls, so there are two transactions; should the
 * second fail (the person removed meanwhile), the identifier is deleted again rather than left unheld.
 */
export async function giveIdentifier(db: Queryable, ctx: BasipUserContext, userId: number, input: IdentifierInput): Promise<number> {
  await requirePerson(db, ctx.siteId, userId);
  const id = await createIdentifier(db, ctx, input);
  try {
    await attachIdentifierToUser(db, ctx, userId, id);
  } catch (error) {
    await deleteIdentifier(db, ctx, id);
    throw error;
  }
  return id;
}

/**
 * Clears a person's PIN: the Lockt user write sets one but refuses a blank one, and a cardholder without
 * a PIN (as the panel face makes them) opens nothing by keypad. Audited as the user's change.
 */
export async function clearPin(db: Queryable, site: Site, id: number, actor: Actor, now: number): Promise<void> {
  await writeTransaction(
    db,
    site.id,
    async (trx) => {
      await requirePerson(trx, site.id, id);
      await updateCardholders(trx, site.id, [{ id, changes: { pin_hash: null } }], now);
      return [id];
    },
    { of: (ids) => ({ actor, resource: 'users', action: 'clear_pin', recordIds: ids }), at: now },
  );
}

/**
 * Anonymizes a person (the privacy module's service) once the operator has typed what the page asked
 * for: the person's full name (case and spacing aside), so a slip of the mouse cannot erase anyone.
 */
export async function anonymizePerson(db: Queryable, site: Site, id: number, typed: string, actor: Actor, now: number): Promise<AnonymizeResult> {
  const person = await findPanelUser(db, site.id, id);
  if (!person) throw ERRORS.notFound(`No person with id ${id}.`);
  const confirmation = confirmationOf(person.first_name, person.last_name);
  if (nameKey(typed) !== nameKey(confirmation)) {
    throw ERRORS.badRequest(`To anonymize this person, type ${confirmation} to confirm.`);
  }
  return anonymizeUser(db, site.id, id, actor, now);
}
