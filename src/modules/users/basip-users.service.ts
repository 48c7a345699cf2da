import type { Selectable } from 'kysely';
import type { SiteCall } from '../../domain/batch.ts';
import { writeTransaction } from '../../db/change-feed.ts';
import { toFlag } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import type { ApartmentTable } from '../../db/schema.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { ListQuery } from '../../http/basip/list-query.ts';
import type { IdentifierRow, ProfileRef } from '../credentials/identifiers.repository.ts';
import * as identifierRepo from '../credentials/identifiers.repository.ts';
import { type PanelContext, identifiersOfUsers, refusingRaces, scopeOf } from '../credentials/identifiers.service.ts';
import * as repo from './users.basip.repository.ts';
import type { BasipUserColumns, BasipUserRow } from './users.basip.repository.ts';
import { deleteUsers } from './users.service.ts';

/**
 * The panel face's users. A panel user is a Portcullis cardholder: its name is Lockt's first and last
 * name (split on the last space), so a user made on either face is seen on the other; the panel adds
 * `info`, `auth_factors`, `lock_number`, `is_custom_user_access` and `link_id`. Operators are never
 * panel users.
 */

/** A panel write to users: the panel's context, and Lockt's, whose user rules (deletion) it reuses. */
export interface BasipUserContext extends PanelContext, SiteCall {}

/** A user as the panel sends it; what is not sent is not changed. */
export interface BasipUserInput {
  name?: string | undefined;
  info?: string | undefined;
  auth_factors?: string[] | undefined;
  lock_number?: number | undefined;
  is_custom_user_access?: boolean | undefined;
}

export interface BasipUserLinkInput extends BasipUserInput {
  link_id: string;
}

/** A user with what its record shows besides its own row. */
export interface BasipUserView {
  row: BasipUserRow;
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
function columnsOf(input: BasipUserInput): BasipUserColumns {
  if (input.auth_factors !== undefined && input.auth_factors.length === 0) {
    throw ERRORS.badRequest('auth_factors must contain at least one item');
  }
  return {
    ...(input.name !== undefined ? splitName(input.name) : {}),
    ...(input.info !== undefined ? { info: input.info } : {}),
    ...(input.auth_factors !== undefined ? { auth_factors: [...new Set(input.auth_factors)].join(',') } : {}),
    ...(input.lock_number !== undefined ? { lock_number: input.lock_number } : {}),
    ...(input.is_custom_user_access !== undefined ? { is_custom_user_access: toFlag(input.is_custom_user_access) } : {}),
  };
}

/** The name a user has after `columns` are written over `current`. */
function nameAfter(columns: BasipUserColumns, current: BasipUserRow | undefined): string {
  return basipUserName(columns.first_name ?? current?.first_name ?? '', columns.last_name ?? current?.last_name ?? '');
}

const notFound = () => ERRORS.notFound('User not found');

async function requireUser(db: Queryable, siteId: number, id: number): Promise<BasipUserRow> {
  const row = await repo.findBasipUser(db, siteId, id);
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
async function viewsOf(db: Queryable, siteId: number, rows: BasipUserRow[]): Promise<BasipUserView[]> {
  const ids = rows.map((r) => r.id);
  const [held, apartments, profiles] = await Promise.all([
    identifiersOfUsers(db, siteId, ids),
    repo.apartmentsOfUsers(db, siteId, ids),
    repo.timeProfilesOfUsers(db, siteId, ids),
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
  return view as BasipUserView;
}

export async function listBasipUserPage(db: Queryable, siteId: number, list: ListQuery): Promise<{ total: number; views: BasipUserView[] }> {
  const { rows, total } = await repo.listBasipUsers(db, siteId, list);
  return { total, views: await viewsOf(db, siteId, rows) };
}

export async function createBasipUser(db: Queryable, ctx: BasipUserContext, input: BasipUserInput): Promise<{ item_uid: number; has_dublicates: boolean }> {
  const columns = columnsOf(input);
  return writeTransaction(
    db,
    ctx.siteId,
    async (trx) => {
      const id = await repo.insertBasipUser(trx, ctx.siteId, columns, ctx.now);
      return { item_uid: id, has_dublicates: await repo.nameTakenByAnother(trx, ctx.siteId, nameAfter(columns, undefined), id) };
    },
    audit(ctx, 'create', (r) => [r.item_uid]),
  );
}

export async function updateBasipUser(db: Queryable, ctx: BasipUserContext, id: number, input: BasipUserInput): Promise<{ has_dublicates: boolean }> {
  const columns = columnsOf(input);
  const { has_dublicates } = await writeTransaction(
    db,
    ctx.siteId,
    async (trx) => {
      const current = await requireUser(trx, ctx.siteId, id);
      await repo.updateBasipUser(trx, ctx.siteId, id, columns, ctx.now);
      return { has_dublicates: await repo.nameTakenByAnother(trx, ctx.siteId, nameAfter(columns, current), id) };
    },
    audit(ctx, 'update', () => [id]),
  );
  return { has_dublicates };
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
export async function attachIdentifierToUser(db: Queryable, ctx: BasipUserContext, userId: number, identifierId: number): Promise<void> {
  await refusingRaces(() =>
    writeTransaction(
      db,
      ctx.siteId,
      async (trx) => {
        await requireUser(trx, ctx.siteId, userId);
        if (!(await identifierRepo.findIdentifier(trx, scopeOf(ctx), identifierId))) throw ERRORS.notFound('Identifier not found');
        await repo.assignCredential(trx, ctx.siteId, identifierId, userId);
        return [userId];
      },
      audit(ctx, 'attach_identifier', (ids: number[]) => ids),
    ),
  );
}

export async function attachTimeProfileToUser(db: Queryable, ctx: BasipUserContext, userId: number, profileId: number): Promise<void> {
  await refusingRaces(() =>
    writeTransaction(
      db,
      ctx.siteId,
      async (trx) => {
        await requireUser(trx, ctx.siteId, userId);
        if (!(await identifierRepo.timeProfileExists(trx, ctx.siteId, profileId))) throw ERRORS.notFound('Time profile not found');
        await repo.attachUserTimeProfile(trx, ctx.siteId, userId, profileId);
        return [userId];
      },
      audit(ctx, 'attach_timeprofile', (ids: number[]) => ids),
    ),
  );
}

type UserLinkResult = { link_id: string; success: boolean; extended_info: 'created' | 'updated'; has_dublicates: boolean };

/**
 * Creates or updates users by link_id: the user with that link_id, or else the first user of that name
 * that no link_id names yet (it takes the link_id), is updated; otherwise one is created. Every item is
 * read before anything is written, so a refused body writes nothing.
 */
export async function upsertUsersByLink(db: Queryable, ctx: BasipUserContext, items: BasipUserLinkInput[]): Promise<{ result: UserLinkResult[] }> {
  if (items.length === 0) throw ERRORS.badRequest('List cannot be empty');
  const planned = items.map((item) => ({ linkId: item.link_id.toLowerCase(), columns: columnsOf(item) }));
  const written = await refusingRaces(
    () =>
      writeTransaction(
        db,
        ctx.siteId,
        async (trx) => {
          const results: (UserLinkResult & { id: number })[] = [];
          for (const { linkId, columns } of planned) {
            const byName = columns.last_name === undefined ? undefined : nameAfter(columns, undefined);
            const current =
              (await repo.findUserByLinkId(trx, ctx.siteId, linkId)) ??
              (byName === undefined ? undefined : await repo.findUnlinkedUserByName(trx, ctx.siteId, byName));
            const withLink = { ...columns, link_id: linkId };
            let id: number;
            if (current) {
              id = current.id;
              await repo.updateBasipUser(trx, ctx.siteId, id, withLink, ctx.now);
            } else {
              id = await repo.insertBasipUser(trx, ctx.siteId, withLink, ctx.now);
            }
            const hasDublicates = await repo.nameTakenByAnother(trx, ctx.siteId, nameAfter(columns, current), id);
            results.push({ id, link_id: linkId, success: true, extended_info: current ? 'updated' : 'created', has_dublicates: hasDublicates });
          }
          return results;
        },
        audit(ctx, 'link_upsert', (results: { id: number }[]) => [...new Set(results.map((r) => r.id))]),
      ),
    'A link_id was taken by a concurrent change; send the list again',
  );
  return { result: written.map(({ id: _id, ...result }) => result) };
}

/** Deletes users by link_id, as deleteBasipUser does; unknown ones are reported `not_found`. */
export async function deleteUsersByLink(
  db: Queryable,
  ctx: BasipUserContext,
  linkIds: string[],
): Promise<{ result: { link_id: string; success: boolean; extended_info: 'deleted' | 'not_found' }[] }> {
  if (linkIds.length === 0) throw ERRORS.badRequest('List cannot be empty');
  const wanted = linkIds.map((l) => l.toLowerCase());
  const found = await writeTransaction(
    db,
    ctx.siteId,
    async (trx) => {
      const rows = await repo.usersByLinkIds(trx, ctx.siteId, [...new Set(wanted)]);
      if (rows.length > 0) await deleteUsers(trx, rows.map((r) => r.id), ctx);
      return new Map(rows.map((r) => [r.link_id as string, r.id]));
    },
    audit(ctx, 'link_delete', (deleted: Map<string, number>) => [...deleted.values()]),
  );
  return {
    result: wanted.map((linkId) =>
      found.has(linkId) ? { link_id: linkId, success: true, extended_info: 'deleted' } : { link_id: linkId, success: false, extended_info: 'not_found' },
    ),
  };
}
