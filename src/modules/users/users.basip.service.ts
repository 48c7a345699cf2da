import type { Selectable } from 'kysely';
import type { SiteCall } from '../../domain/batch.ts';
import { writeTransaction } from '../../db/change-feed.ts';
import { toFlag } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import type { ApartmentTable } from '../../db/schema.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { ListRequest } from '../../db/list-query.ts';
import { apartmentsOfUsers } from '../apartments/apartments.repository.ts';
import type { IdentifierRow, ProfileRef } from '../credentials/credentials.repository.ts';
import { assignCredential, findIdentifier } from '../credentials/credentials.repository.ts';
import { attachUserTimeProfile, findTimeProfile, timeProfilesOfUsers } from '../time-profiles/time-profiles.repository.ts';
import { type PanelContext, identifiersOfUsers, refusingRaces, scopeOf } from '../credentials/identifiers.service.ts';
import * as repo from './users.repository.ts';
import type { PanelUserColumns, PanelUserRow } from './users.repository.ts';
import { deleteUsers } from './users.service.ts';

/**
 * The panel face's users. A panel user is a Portcullis cardholder: its name is Lockt's first and last
 * name (split on the last space), so a user made on either face is seen on the other; the panel adds
 * `info`, `auth_factors`, `lock_number`, `is_custom_user_access` and `link_id`. Operators are never
 * panel users.
 */

/** A panel write to users: the panel's context, and Lockt's, whose user rules (deletion) it reuses. */
export interface BasipUserContext extends PanelContext, SiteCall {}

/** What a panel write sets on a user; what is absent is not changed. */
export interface PanelUserChanges {
  name?: string | undefined;
  info?: string | undefined;
  /** The kinds of identifier the user may use when access is custom; at least one. */
  authFactors?: string[] | undefined;
  /** 0: both locks, 1: the first, 2: the second. */
  lockNumber?: number | undefined;
  /** Only the auth factors open doors for this user. */
  customAccess?: boolean | undefined;
}

/** A user named by the link_id the client gave it. */
export interface LinkedUserChanges extends PanelUserChanges {
  linkId: string;
}

/** A user written, and whether another user has the same name (the panel warns of it). */
export interface UserWritten {
  id: number;
  nameShared: boolean;
}

/** What a write by link_id did to one user. */
export interface LinkedUserWritten {
  linkId: string;
  created: boolean;
  nameShared: boolean;
}

export interface LinkedUserDeleted {
  linkId: string;
  deleted: boolean;
}

/** A user with what its record shows besides its own row. */
export interface BasipUserView {
  row: PanelUserRow;
  identifiers: IdentifierRow[];
  identifierProfiles: ProfileRef[];
  apartments: Selectable<ApartmentTable>[];
  timeProfiles: { id: number; name: string; rule: string | null; link_id: string | null }[];
}

/** A user's name as the panel shows it: "First Last" (the last name alone when there is no first). */
export function basipUserName(firstName: string, lastName: string): string {
  return `${firstName} ${lastName}`.trim();
}

/** "John Doe" → John, Doe; "Ronaldinho" → last name only; "Anna Maria Smith" → "Anna Maria", Smith. */
export function splitName(name: string): { first_name: string; last_name: string } {
  const trimmed = name.trim();
  const space = trimmed.lastIndexOf(' ');
  if (space < 0) return { first_name: '', last_name: trimmed };
  return { first_name: trimmed.slice(0, space).trim(), last_name: trimmed.slice(space + 1) };
}

/** The columns a panel user body sets; an empty auth_factors list is refused. */
function columnsOf(input: PanelUserChanges): PanelUserColumns {
  if (input.authFactors !== undefined && input.authFactors.length === 0) {
    throw ERRORS.badRequest('auth_factors must contain at least one item');
  }
  return {
    ...(input.name !== undefined ? splitName(input.name) : {}),
    ...(input.info !== undefined ? { info: input.info } : {}),
    ...(input.authFactors !== undefined ? { auth_factors: [...new Set(input.authFactors)].join(',') } : {}),
    ...(input.lockNumber !== undefined ? { lock_number: input.lockNumber } : {}),
    ...(input.customAccess !== undefined ? { is_custom_user_access: toFlag(input.customAccess) } : {}),
  };
}

/** The name a user has after `columns` are written over `current`. */
function nameAfter(columns: PanelUserColumns, current: PanelUserRow | undefined): string {
  return basipUserName(columns.first_name ?? current?.first_name ?? '', columns.last_name ?? current?.last_name ?? '');
}

const notFound = () => ERRORS.notFound('User not found');

async function requireUser(db: Queryable, siteId: number, id: number): Promise<PanelUserRow> {
  const row = await repo.findPanelUser(db, siteId, id);
  if (!row) throw notFound();
  return row;
}

/** The audit record of a write that touched `ids`; none when it touched nothing. */
const audit = <T>(ctx: PanelContext, action: string, ids: (result: T) => number[]) => ({
  of: (result: T) => {
    const recordIds = ids(result);
    return recordIds.length === 0 ? undefined : { actor: ctx.actor, resource: 'users', action, recordIds };
  },
  at: ctx.now,
});

/** Users with their identifiers, apartments and time profiles: four queries whatever their number. */
async function viewsOf(db: Queryable, siteId: number, rows: PanelUserRow[]): Promise<BasipUserView[]> {
  const ids = rows.map((r) => r.id);
  const [held, apartments, profiles] = await Promise.all([
    identifiersOfUsers(db, siteId, ids),
    apartmentsOfUsers(db, siteId, ids),
    timeProfilesOfUsers(db, siteId, ids),
  ]);
  return rows.map((row) => ({
    row,
    identifiers: held.rows.filter((i) => i.user_id === row.id),
    identifierProfiles: held.profiles,
    apartments: apartments.filter((a) => a.user_id === row.id).map(({ user_id: _user, ...apartment }) => apartment),
    timeProfiles: profiles.filter((p) => p.user_id === row.id).map(({ user_id: _user, ...profile }) => profile),
  }));
}

export async function getBasipUser(db: Queryable, siteId: number, id: number): Promise<BasipUserView> {
  const [view] = await viewsOf(db, siteId, [await requireUser(db, siteId, id)]);
  if (!view) throw notFound();
  return view;
}

export async function listBasipUserPage(db: Queryable, siteId: number, list: ListRequest): Promise<{ total: number; views: BasipUserView[] }> {
  const { rows, total } = await repo.listPanelUsers(db, siteId, list);
  return { total, views: await viewsOf(db, siteId, rows) };
}

export async function createBasipUser(db: Queryable, ctx: BasipUserContext, input: PanelUserChanges): Promise<UserWritten> {
  const columns = columnsOf(input);
  return writeTransaction(
    db,
    ctx.siteId,
    async (trx) => {
      const id = await repo.insertPanelUser(trx, ctx.siteId, columns, ctx.now);
      return { id, nameShared: await repo.nameTakenByAnother(trx, ctx.siteId, nameAfter(columns, undefined), id) };
    },
    audit(ctx, 'create', (r) => [r.id]),
  );
}

export async function updateBasipUser(db: Queryable, ctx: BasipUserContext, id: number, input: PanelUserChanges): Promise<UserWritten> {
  const columns = columnsOf(input);
  return writeTransaction(
    db,
    ctx.siteId,
    async (trx) => {
      const current = await requireUser(trx, ctx.siteId, id);
      await repo.updatePanelUser(trx, ctx.siteId, id, columns, ctx.now);
      return { id, nameShared: await repo.nameTakenByAnother(trx, ctx.siteId, nameAfter(columns, current), id) };
    },
    audit(ctx, 'update', () => [id]),
  );
}

/** Deletes a user as Lockt's DELETE /user does: with its cards and identifiers; its fobs stay, unassigned. */
export async function deleteBasipUser(db: Queryable, ctx: BasipUserContext, id: number): Promise<void> {
  await writeTransaction(
    db,
    ctx.siteId,
    async (trx) => {
      await requireUser(trx, ctx.siteId, id);
      await deleteUsers(trx, [id], ctx);
      return [id];
    },
    audit(ctx, 'delete', (ids: number[]) => ids),
  );
}

/** Gives the identifier to the user; it leaves whoever held it before. */
export function attachIdentifierToUser(db: Queryable, ctx: BasipUserContext, userId: number, identifierId: number): Promise<void> {
  return attachToUser(db, ctx, userId, 'attach_identifier', async (trx) => {
    if (!(await findIdentifier(trx, scopeOf(ctx), identifierId))) throw ERRORS.notFound('Identifier not found');
    await assignCredential(trx, ctx.siteId, identifierId, userId);
  });
}

export function attachTimeProfileToUser(db: Queryable, ctx: BasipUserContext, userId: number, profileId: number): Promise<void> {
  return attachToUser(db, ctx, userId, 'attach_timeprofile', async (trx) => {
    if (!(await findTimeProfile(trx, ctx.siteId, profileId))) throw ERRORS.notFound('Time profile not found');
    await attachUserTimeProfile(trx, ctx.siteId, userId, profileId);
  });
}

/** Attaches something to an existing user in one transaction, audited as `action` on the user. */
async function attachToUser(
  db: Queryable,
  ctx: BasipUserContext,
  userId: number,
  action: string,
  attach: (trx: Queryable) => Promise<void>,
): Promise<void> {
  await refusingRaces(() =>
    writeTransaction(
      db,
      ctx.siteId,
      async (trx) => {
        await requireUser(trx, ctx.siteId, userId);
        await attach(trx);
        return [userId];
      },
      audit(ctx, action, (ids: number[]) => ids),
    ),
  );
}

/**
 * Creates or updates users by link_id: the user with that link_id, or else the first user of that name
 * that no link_id names yet (it takes the link_id), is updated; otherwise one is created. Every item is
 * read before anything is written, so a refused body writes nothing.
 */
export async function upsertUsersByLink(db: Queryable, ctx: BasipUserContext, items: LinkedUserChanges[]): Promise<LinkedUserWritten[]> {
  if (items.length === 0) throw ERRORS.badRequest('List cannot be empty');
  const planned = items.map((item) => ({ linkId: item.linkId.toLowerCase(), columns: columnsOf(item) }));
  const written = await refusingRaces(
    () =>
      writeTransaction(
        db,
        ctx.siteId,
        async (trx) => {
          const results: (LinkedUserWritten & { id: number })[] = [];
          for (const { linkId, columns } of planned) results.push({ linkId, ...(await writeLinkedUser(trx, ctx, linkId, columns)) });
          return results;
        },
        audit(ctx, 'link_upsert', (results: { id: number }[]) => [...new Set(results.map((r) => r.id))]),
      ),
    'A link_id was taken by a concurrent change; send the list again',
  );
  return written.map(({ id: _id, ...result }) => result);
}

/** One item of a link upsert: the user it names (or adopts) updated, or a new one. */
async function writeLinkedUser(trx: Queryable, ctx: BasipUserContext, linkId: string, columns: PanelUserColumns) {
  const byName = columns.last_name === undefined ? undefined : nameAfter(columns, undefined);
  const current =
    (await repo.findUserByLinkId(trx, ctx.siteId, linkId)) ??
    (byName === undefined ? undefined : await repo.findUnlinkedUserByName(trx, ctx.siteId, byName));
  const withLink = { ...columns, link_id: linkId };
  let id: number;
  if (current) {
    id = current.id;
    await repo.updatePanelUser(trx, ctx.siteId, id, withLink, ctx.now);
  } else {
    id = await repo.insertPanelUser(trx, ctx.siteId, withLink, ctx.now);
  }
  return { id, created: current === undefined, nameShared: await repo.nameTakenByAnother(trx, ctx.siteId, nameAfter(columns, current), id) };
}

/** Deletes users by link_id, as deleteBasipUser does; unknown ones are reported not deleted. */
export async function deleteUsersByLink(db: Queryable, ctx: BasipUserContext, linkIds: string[]): Promise<LinkedUserDeleted[]> {
  if (linkIds.length === 0) throw ERRORS.badRequest('List cannot be empty');
  const wanted = linkIds.map((l) => l.toLowerCase());
  const found = await writeTransaction(
    db,
    ctx.siteId,
    async (trx) => {
      const rows = await repo.usersByLinkIds(trx, ctx.siteId, [...new Set(wanted)]);
      if (rows.length > 0)
        await deleteUsers(
          trx,
          rows.map((r) => r.id),
          ctx,
        );
      return new Map(rows.flatMap((r): [string, number][] => (r.link_id === null ? [] : [[r.link_id, r.id]])));
    },
    audit(ctx, 'link_delete', (deleted: Map<string, number>) => [...deleted.values()]),
  );
  return wanted.map((linkId) => ({ linkId, deleted: found.has(linkId) }));
}
