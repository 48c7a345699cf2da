import type { Actor } from '../../audit/audit-log.ts';
import { writeTransaction } from '../../db/change-feed.ts';
import { MAX_SECONDS } from '../../access/time-profile.ts';
import { MAX_ID, isForeignKeyViolation, isStorableId, isUniqueViolation, toFlag } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { ListRequest } from '../../db/list-query.ts';
import { newCredentialKey } from '../../lib/credential-keys.ts';
import { showValue } from '../../lib/show-value.ts';
import { IDENTIFIER_NUMBER_RULES, type IdentifierType, isIdentifierType } from '../../domain/credential-numbers.ts';
import { apartmentIdByLinkId, findApartment } from '../apartments/apartments.repository.ts';
import { findTimeProfile, timeProfileIdsByLinkId } from '../time-profiles/time-profiles.repository.ts';
import * as repo from './credentials.repository.ts';
import type { IdentifierChanges, IdentifierRow, ProfileRef } from './credentials.repository.ts';

/**
 * Identifiers, the panel face's credentials: a card, ukey, input code, QR code, face or licence plate
 * whose number (`card_num`, unique in the site across every kind and Lockt's cards) a panel reads. Made
 * here, an identifier opens the site's panel locks by itself (`panel_access`), may be limited in time and
 * in passes, and may be held by a user, placed in an apartment and bound to time profiles.
 */

/** Who writes, in which site, when: what every panel-face write needs. */
export interface PanelContext {
  siteId: number;
  actor: Actor;
  now: number;
  /** The operator writing, who is recorded as the maker of the identifiers it creates; null for none. */
  operatorId?: number | null | undefined;
  /** Only the identifiers this operator made are seen and may be changed (scope `own`); null: all of the site's. */
  ownedBy?: number | null | undefined;
}

/** What an operator's account makes of a panel-face context: it makes identifiers, and may see only its own. */
export function operatorScope(operator: { userId: number; identifierScope: 'site' | 'own' }): Pick<PanelContext, 'operatorId' | 'ownedBy'> {
  return { operatorId: operator.userId, ownedBy: operator.identifierScope === 'own' ? operator.userId : null };
}

/** The identifiers a caller sees: those of its site, or of its scope. */
export const scopeOf = (ctx: { siteId: number; ownedBy?: number | null | undefined }): repo.IdentifierScope => ({
  siteId: ctx.siteId,
  ownedBy: ctx.ownedBy ?? null,
});

/** A validity period in Unix seconds: a null bound is open; an absent one was not given. */
export interface ValidPeriod {
  permanent: boolean;
  from?: number | null | undefined;
  to?: number | null | undefined;
}

/** What a write sets on an identifier; what is absent is not changed. */
export interface IdentifierInput {
  ownerName?: string | undefined;
  ownerType?: string | undefined;
  type?: string | undefined;
  number?: string | undefined;
  lock?: string | undefined;
  /** Every validity period the request states (a client may state it twice, in two places); they must agree. */
  periods?: ValidPeriod[] | undefined;
  /** A pass allowance; a null `max` is no limit. */
  passes?: { permanent: boolean; max?: number | null | undefined } | undefined;
}

/** One item of the link_id upsert: an identifier with the link_ids of what it is bound to. */
export interface IdentifierLinkInput extends IdentifierInput {
  linkId: string;
  /** null: in no apartment. */
  apartmentLinkId?: string | null | undefined;
  /** These replace the attached time profiles. */
  timeProfileLinkIds?: string[] | undefined;
  /** What is left of the allowance; -1 is ignored. */
  passesLeft?: number | undefined;
}

/** What a write by link_id did to one identifier, or the rule it broke (the panel's words for them). */
export type LinkOutcome =
  | 'created'
  | 'updated'
  | 'deleted'
  | 'not_found'
  | 'entity_not_found'
  | 'number_taken_by_another_identifier'
  | 'bound_time_profile_doesnt_exist'
  | 'invalid_time_rules_settings'
  | 'wrong_rule';

export interface LinkResult {
  linkId: string;
  outcome: LinkOutcome;
}

/** What a delete by id did to one identifier. */
export interface IdDeleted {
  id: number;
  deleted: boolean;
}

/** A rule an identifier breaks: the message a single write answers with, the word a link result shows. */
class IdentifierProblem extends Error {
  constructor(
    message: string,
    readonly info: LinkOutcome,
  ) {
    super(message);
  }
}

/** The number, trimmed, if it has the form its type takes. */
export function readIdentifierNumber(type: IdentifierType, raw: string): string {
  const number = raw.trim();
  const rule = IDENTIFIER_NUMBER_RULES[type];
  if (!rule.test(number)) {
    throw new IdentifierProblem(`Wrong identifier_number for ${type}: ${showValue(raw)} (expected ${rule.expected})`, 'wrong_rule');
  }
  return number;
}

const numberTaken = (number: string) =>
  new IdentifierProblem(`identifier_number is taken by another identifier: ${showValue(number)}`, 'number_taken_by_another_identifier');

/** A credential is named by its number, as Lockt names cards; a face's number is data, not a name. */
const credentialName = (type: string, number: string) => (type === 'face_id' ? 'Face ID' : number);

const MS = 1000;
/** The pass count a column holds (a 32-bit integer on PostgreSQL). */
const MAX_PASSES = MAX_ID;

/** A bound of the validity period in ms: null is open, anything outside the panel's range is refused. */
function validBound(time: ValidPeriod, bound: 'from' | 'to'): number | null {
  const value = time[bound];
  if (value === undefined) throw new IdentifierProblem(`Wrong JSON body: no value for \`valid.time.${bound}\``, 'invalid_time_rules_settings');
  if (value === null) return null;
  if (value < 0 || value > MAX_SECONDS) {
    throw new IdentifierProblem(`valid.time.${bound} must be Unix seconds from 0 to ${MAX_SECONDS}: ${value}`, 'invalid_time_rules_settings');
  }
  return value * MS;
}

/** The validity period the request states; stated twice, both must say the same thing. */
function validPeriod(periods: ValidPeriod[] | undefined): ValidPeriod | undefined {
  const [first, ...others] = periods ?? [];
  const differs = (other: ValidPeriod) => other.permanent !== first?.permanent || other.from !== first.from || other.to !== first.to;
  if (others.some(differs)) {
    throw new IdentifierProblem('valid.time and valid.passes.time differ; send one validity period', 'invalid_time_rules_settings');
  }
  return first;
}

/**
 * The columns `valid` sets; absent parts are left as they are (on create: permanent). `null` is the
 * panel API's "no limit": an open bound, or no pass limit, as `is_permanent` is.
 */
function validityChanges(input: IdentifierInput, current: IdentifierRow | undefined): IdentifierChanges {
  const changes: IdentifierChanges = {};
  const time = validPeriod(input.periods);
  if (time?.permanent) Object.assign(changes, { access_effective: null, access_expires: null });
  else if (time) {
    const from = validBound(time, 'from');
    const to = validBound(time, 'to');
    if (from !== null && to !== null && from >= to) {
      throw new IdentifierProblem(
        `valid.time.from must be before valid.time.to: ${from / MS} is not before ${to / MS}`,
        'invalid_time_rules_settings',
      );
    }
    Object.assign(changes, { access_effective: from, access_expires: to });
  }
  const passes = input.passes;
  const max = passes?.max;
  if (passes?.permanent || max === null) Object.assign(changes, { max_passes: null, passes_left: null });
  else if (passes) {
    if (max === undefined) throw new IdentifierProblem('Wrong JSON body: no value for `valid.passes.max_passes`', 'wrong_rule');
    if (max < 0 || max > MAX_PASSES) throw new IdentifierProblem(`valid.passes.max_passes must be from 0 to ${MAX_PASSES}: ${max}`, 'wrong_rule');
    // A new allowance starts full; the same allowance sent again keeps what is left of it.
    if (current?.max_passes !== max) Object.assign(changes, { max_passes: max, passes_left: max });
  }
  return changes;
}

/**
 * What writing `input` over `current` (none: a new identifier) changes, after every rule: the number's
 * form for its type, and that no other credential of the site carries it; the validity.
 */
async function identifierChanges(
  trx: Queryable,
  siteId: number,
  current: IdentifierRow | undefined,
  input: IdentifierInput,
): Promise<IdentifierChanges> {
  const type = input.type ?? current?.identifier_type;
  const raw = input.number ?? current?.card_num ?? undefined;
  if (type === undefined || !isIdentifierType(type)) throw new IdentifierProblem('Wrong JSON body: no value for `identifier_type`', 'wrong_rule');
  if (raw === undefined) throw new IdentifierProblem('Wrong JSON body: no value for `identifier_number`', 'wrong_rule');
  const changes: IdentifierChanges = {};
  if (input.type !== undefined || input.number !== undefined) {
    const number = readIdentifierNumber(type, raw);
    if (number !== current?.card_num) {
      const holder = (await repo.credentialIdsByCardNum(trx, siteId, [number])).get(number);
      if (holder !== undefined && holder !== current?.id) throw numberTaken(number);
      changes.card_num = number;
      // A credential named after its number keeps being so; a named one (a fob) keeps its name.
      if (!current || current.name === current.card_num) changes.name = credentialName(type, number);
    }
    changes.identifier_type = type;
  }
  if (input.ownerName !== undefined) changes.owner_name = input.ownerName.trim();
  if (input.ownerType !== undefined) changes.owner_type = input.ownerType;
  if (input.lock !== undefined) changes.lock = input.lock;
  return { ...changes, ...validityChanges(input, current) };
}

/** The changes that make a new identifier: a create's always carry its type and number (identifierChanges). */
function newChanges(changes: IdentifierChanges): IdentifierChanges & { identifier_type: string; card_num: string } {
  const { identifier_type: type, card_num: number } = changes;
  if (type === undefined) throw new IdentifierProblem('Wrong JSON body: no value for `identifier_type`', 'wrong_rule');
  if (number === undefined || number === null) throw new IdentifierProblem('Wrong JSON body: no value for `identifier_number`', 'wrong_rule');
  return { ...changes, identifier_type: type, card_num: number };
}

/** A new identifier's row. */
function newRow(
  ctx: PanelContext,
  changes: IdentifierChanges & { identifier_type: string; card_num: string },
  linkId: string | null,
): repo.NewIdentifierRow {
  const { siteId, now } = ctx;
  const { identifier_type: type, card_num: number } = changes;
  return {
    site_id: siteId,
    user_id: null,
    name: changes.name ?? credentialName(type, number),
    card_num: number,
    credential_key: newCredentialKey(),
    identifier_type: type,
    owner_type: changes.owner_type ?? 'owner',
    owner_name: changes.owner_name ?? '',
    lock: changes.lock ?? 'all',
    panel_access: toFlag(true),
    max_passes: changes.max_passes ?? null,
    passes_left: changes.passes_left ?? null,
    access_effective: changes.access_effective ?? null,
    access_expires: changes.access_expires ?? null,
    apartment_id: changes.apartment_id ?? null,
    link_id: linkId,
    created_by: ctx.operatorId ?? null,
    created_at: now,
  };
}

/**
 * A rule an identifier breaks becomes the 400 a single write answers with, and so do the store's
 * refusals a concurrent change can cause: a number or link_id taken meanwhile (`taken` says which), a
 * user, apartment or time profile this write refers to deleted meanwhile.
 */
export async function refusingRaces<T>(work: () => Promise<T>, taken = 'A link_id or number was taken by a concurrent change'): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof IdentifierProblem) throw ERRORS.badRequest(error.message);
    if (isUniqueViolation(error)) throw ERRORS.badRequest(taken);
    if (isForeignKeyViolation(error)) throw ERRORS.badRequest('Something this change refers to was deleted by a concurrent change');
    throw error;
  }
}

/** The 400 a number taken by a concurrent write gives. */
const takenMessage = (number: string | undefined) => (number === undefined ? undefined : numberTaken(number).message);

/** The audit record of a write that touched `ids`; none when it touched nothing. */
const audit = (ctx: PanelContext, action: string) => ({
  of: (ids: number[]) => (ids.length === 0 ? undefined : { actor: ctx.actor, resource: 'credentials', action, recordIds: ids }),
  at: ctx.now,
});

const notFound = () => ERRORS.notFound('Identifier not found');

async function requireIdentifier(db: Queryable, scope: repo.IdentifierScope, id: number): Promise<IdentifierRow> {
  const row = await repo.findIdentifier(db, scope, id);
  if (!row) throw notFound();
  return row;
}

/** An identifier with what it shows besides its own row. */
export interface IdentifierView {
  row: IdentifierRow;
  profiles: ProfileRef[];
}

async function withProfiles(db: Queryable, siteId: number, rows: IdentifierRow[]): Promise<{ rows: IdentifierRow[]; profiles: ProfileRef[] }> {
  return {
    rows,
    profiles: await repo.timeProfilesOfIdentifiers(
      db,
      siteId,
      rows.map((r) => r.id),
    ),
  };
}

export async function getIdentifier(db: Queryable, scope: repo.IdentifierScope, id: number): Promise<IdentifierView> {
  const row = await requireIdentifier(db, scope, id);
  return { row, profiles: await repo.timeProfilesOfIdentifiers(db, scope.siteId, [id]) };
}

export async function listIdentifierPage(db: Queryable, scope: repo.IdentifierScope, list: ListRequest) {
  const { rows, total } = await repo.listIdentifiers(db, scope, list);
  return { total, ...(await withProfiles(db, scope.siteId, rows)) };
}

/** Every identifier these users hold, with their time profiles: two queries. */
export async function identifiersOfUsers(db: Queryable, siteId: number, userIds: number[]) {
  return withProfiles(db, siteId, await repo.identifiersOfUsers(db, siteId, userIds));
}

export async function identifiersByLinkIds(db: Queryable, scope: repo.IdentifierScope, linkIds: string[]) {
  return withProfiles(db, scope.siteId, await repo.identifiersByLinkIds(db, scope, [...new Set(linkIds.map((l) => l.toLowerCase()))]));
}

export async function createIdentifier(db: Queryable, ctx: PanelContext, input: IdentifierInput): Promise<number> {
  return refusingRaces(async () => {
    const [id] = await writeTransaction(
      db,
      ctx.siteId,
      async (trx) => [await repo.insertIdentifier(trx, newRow(ctx, newChanges(await identifierChanges(trx, ctx.siteId, undefined, input)), null))],
      audit(ctx, 'create'),
    );
    if (id === undefined) throw new Error('An identifier was written without an id');
    return id;
  }, takenMessage(input.number?.trim()));
}

export async function updateIdentifier(db: Queryable, ctx: PanelContext, id: number, input: IdentifierInput): Promise<void> {
  await refusingRaces(
    () =>
      writeTransaction(
        db,
        ctx.siteId,
        async (trx) => {
          const current = await requireIdentifier(trx, scopeOf(ctx), id);
          await repo.updateIdentifier(trx, ctx.siteId, id, await identifierChanges(trx, ctx.siteId, current, input));
          return [id];
        },
        audit(ctx, 'update'),
      ),
    takenMessage(input.number?.trim()),
  );
}

export async function deleteIdentifier(db: Queryable, ctx: PanelContext, id: number): Promise<void> {
  await writeTransaction(
    db,
    ctx.siteId,
    async (trx) => {
      await requireIdentifier(trx, scopeOf(ctx), id);
      if ((await repo.deleteCredentials(trx, ctx.siteId, [id])) === 0) throw notFound();
      return [id];
    },
    audit(ctx, 'delete'),
  );
}

/** Deletes the identifiers of the site among `uids`; each is reported deleted or not found. */
export async function deleteIdentifiers(db: Queryable, ctx: PanelContext, ids: number[]): Promise<IdDeleted[]> {
  if (ids.length === 0) throw ERRORS.badRequest('List cannot be empty');
  return writeTransaction(
    db,
    ctx.siteId,
    async (trx) => {
      const known = await repo.existingIdentifierIds(trx, scopeOf(ctx), [...new Set(ids.filter(isStorableId))]);
      if (known.size > 0) await repo.deleteCredentials(trx, ctx.siteId, [...known]);
      return ids.map((id) => ({ id, deleted: known.has(id) }));
    },
    { of: (results) => audit(ctx, 'delete').of([...new Set(results.filter((r) => r.deleted).map((r) => r.id))]), at: ctx.now },
  );
}

/** Gives a pass-limited identifier its whole allowance again. */
export async function resetIdentifierPasses(db: Queryable, ctx: PanelContext, id: number): Promise<void> {
  await writeTransaction(
    db,
    ctx.siteId,
    async (trx) => {
      await requireIdentifier(trx, scopeOf(ctx), id);
      await repo.resetPasses(trx, ctx.siteId, id);
      return [id];
    },
    audit(ctx, 'passes_reset'),
  );
}

/** The number a QR identifier encodes; other kinds have no QR code. */
export async function qrNumber(db: Queryable, scope: repo.IdentifierScope, id: number): Promise<string> {
  const row = await requireIdentifier(db, scope, id);
  if (row.identifier_type !== 'qr') throw ERRORS.badRequest(`Identifier ${id} is not a qr identifier: it is ${row.identifier_type}`);
  return row.card_num ?? '';
}

async function requireTimeProfile(db: Queryable, siteId: number, id: number): Promise<void> {
  if (!(await findTimeProfile(db, siteId, id))) throw ERRORS.notFound('Time profile not found');
}

export async function setIdentifierTimeProfile(db: Queryable, ctx: PanelContext, id: number, profileId: number, attached: boolean): Promise<void> {
  await refusingRaces(() =>
    writeTransaction(
      db,
      ctx.siteId,
      async (trx) => {
        await requireIdentifier(trx, scopeOf(ctx), id);
        await requireTimeProfile(trx, ctx.siteId, profileId);
        if (attached) await repo.attachTimeProfile(trx, ctx.siteId, id, profileId);
        else await repo.detachTimeProfile(trx, ctx.siteId, id, profileId);
        return [id];
      },
      audit(ctx, attached ? 'attach_timeprofile' : 'detach_timeprofile'),
    ),
  );
}

/** Places the identifier in an apartment (null: in none). */
export async function setIdentifierApartment(db: Queryable, ctx: PanelContext, id: number, apartmentId: number | null): Promise<void> {
  await refusingRaces(() =>
    writeTransaction(
      db,
      ctx.siteId,
      async (trx) => {
        if (apartmentId !== null && !(await findApartment(trx, ctx.siteId, apartmentId))) throw ERRORS.notFound('Apartment not found');
        await requireIdentifier(trx, scopeOf(ctx), id);
        await repo.updateIdentifier(trx, ctx.siteId, id, { apartment_id: apartmentId });
        return [id];
      },
      audit(ctx, apartmentId === null ? 'unbind_apartment' : 'bind_apartment'),
    ),
  );
}

/** What a link item binds the identifier to, resolved from link_ids; unknown ones are a problem. */
async function linkedChanges(
  trx: Queryable,
  siteId: number,
  item: IdentifierLinkInput,
): Promise<{ apartment: IdentifierChanges; profiles?: number[] }> {
  const apartment: IdentifierChanges = {};
  if (item.apartmentLinkId === null) apartment.apartment_id = null;
  else if (item.apartmentLinkId !== undefined) {
    const id = await apartmentIdByLinkId(trx, siteId, item.apartmentLinkId.toLowerCase());
    if (id === undefined) throw new IdentifierProblem(`No apartment has link_id ${item.apartmentLinkId}`, 'entity_not_found');
    apartment.apartment_id = id;
  }
  if (!item.timeProfileLinkIds) return { apartment };
  const wanted = [...new Set(item.timeProfileLinkIds.map((l) => l.toLowerCase()))];
  const found = await timeProfileIdsByLinkId(trx, siteId, wanted);
  if (found.size < wanted.length) throw new IdentifierProblem('A bound time profile does not exist', 'bound_time_profile_doesnt_exist');
  return { apartment, profiles: [...found.values()] };
}

/** What is left of the allowance, within it; ignored when passes are unlimited. */
function passesLeftChange(item: IdentifierLinkInput, current: IdentifierRow | undefined, changes: IdentifierChanges): IdentifierChanges {
  const left = item.passesLeft;
  const max = changes.max_passes !== undefined ? changes.max_passes : (current?.max_passes ?? null);
  if (left === undefined || max === null || left === -1) return {};
  if (left < 0 || left > max) throw new IdentifierProblem(`additional.passes_left must be 0 to ${max}: ${left}`, 'wrong_rule');
  return { passes_left: left };
}

/** Writes one link item: the identifier with its link_id updated, or a new one; a broken rule is its outcome. */
async function writeLinkItem(trx: Queryable, ctx: PanelContext, item: IdentifierLinkInput, written: number[]): Promise<LinkResult> {
  const linkId = item.linkId.toLowerCase();
  const [current] = await repo.identifiersByLinkIds(trx, scopeOf(ctx), [linkId]);
  try {
    // Outside the account's scope a link_id is someone else's: never taken over, never duplicated.
    if (
      !current &&
      scopeOf(ctx).ownedBy !== null &&
      (await repo.identifiersByLinkIds(trx, { siteId: ctx.siteId, ownedBy: null }, [linkId])).length > 0
    ) {
      throw new IdentifierProblem(`link_id ${linkId} belongs to an identifier outside this account's scope`, 'entity_not_found');
    }
    const changes = await identifierChanges(trx, ctx.siteId, current, item);
    const linked = await linkedChanges(trx, ctx.siteId, item);
    const all = { ...changes, ...passesLeftChange(item, current, changes), ...linked.apartment };
    let id: number;
    if (current) {
      id = current.id;
      await repo.updateIdentifier(trx, ctx.siteId, id, all);
    } else {
      id = await repo.insertIdentifier(trx, newRow(ctx, newChanges(all), linkId));
    }
    if (linked.profiles) await repo.replaceTimeProfiles(trx, ctx.siteId, id, linked.profiles);
    written.push(id);
    return { linkId, outcome: current ? 'updated' : 'created' };
  } catch (error) {
    if (!(error instanceof IdentifierProblem)) throw error;
    return { linkId, outcome: error.info };
  }
}

/**
 * Creates or updates identifiers by link_id, each item on its own: one that breaks a rule is reported
 * with the panel's word for it and the others are still written, all in one transaction.
 */
export async function upsertIdentifiersByLink(db: Queryable, ctx: PanelContext, items: IdentifierLinkInput[]): Promise<LinkResult[]> {
  if (items.length === 0) throw ERRORS.badRequest('List cannot be empty');
  const written: number[] = [];
  return refusingRaces(() =>
    writeTransaction(
      db,
      ctx.siteId,
      async (trx) => {
        const results: LinkResult[] = [];
        for (const item of items) results.push(await writeLinkItem(trx, ctx, item, written));
        return results;
      },
      { of: () => audit(ctx, 'link_upsert').of(written), at: ctx.now },
    ),
  );
}

/** Deletes identifiers by link_id; unknown ones are reported `not_found`. */
export async function deleteIdentifiersByLink(db: Queryable, ctx: PanelContext, linkIds: string[]): Promise<LinkResult[]> {
  if (linkIds.length === 0) throw ERRORS.badRequest('List cannot be empty');
  const wanted = linkIds.map((l) => l.toLowerCase());
  const { results } = await writeTransaction(
    db,
    ctx.siteId,
    async (trx) => {
      const rows = await repo.identifiersByLinkIds(trx, scopeOf(ctx), [...new Set(wanted)]);
      const found = new Map(rows.flatMap((r): [string, number][] => (r.link_id === null ? [] : [[r.link_id, r.id]])));
      const ids = [...found.values()];
      if (ids.length > 0) await repo.deleteCredentials(trx, ctx.siteId, ids);
      return { ids, results: wanted.map((linkId): LinkResult => ({ linkId, outcome: found.has(linkId) ? 'deleted' : 'not_found' })) };
    },
    { of: ({ ids }) => audit(ctx, 'link_delete').of(ids), at: ctx.now },
  );
  return results;
}
