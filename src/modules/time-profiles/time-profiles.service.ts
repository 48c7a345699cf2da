import { type TimeProfile, type TimeProfileProblem, WEEKDAYS, parseTimeProfile, storedTimeProfile } from '../../access/time-profile.ts';
import { writeTransaction } from '../../db/change-feed.ts';
import { isStorableId, isUniqueViolation, toFlag } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import { nameKey } from '../../domain/names.ts';
import type { ListRequest } from '../../db/list-query.ts';
import { accessLevelUsage } from '../schedules/schedules.repository.ts';
import type { ActorCall } from '../../domain/site.ts';
import * as repo from './time-profiles.repository.ts';

const RESOURCE = 'time_profile';

/** A time profile as sent: its name and the rest of the body, which parseTimeProfile reads. */
export interface TimeProfileInput {
  name?: string | undefined;
  time_options?: unknown;
  repeat_options?: unknown;
}

export const WRONG_UID = 'Wrong Time profile uid';
const nameTaken = (name: string) => ERRORS.badRequest(`Time Profile Name Already Exists: ${name}`);

/** A problem in the panel's words: its "Wrong JSON body" texts for missing and mistyped fields. */
function problemText(problem: TimeProfileProblem): string {
  if (problem.key === 'missing') return `Wrong JSON body: no value for \`${problem.path}\``;
  if (problem.key === 'wrong_type' && problem.path !== '') return `Wrong JSON body: value \`${problem.path}\` was of the wrong type`;
  return problem.message;
}

/** The profile's rule, or a 400 naming every problem. */
function readRule(input: TimeProfileInput): TimeProfile {
  const parsed = parseTimeProfile({ time_options: input.time_options, repeat_options: input.repeat_options });
  if (!parsed.ok) throw ERRORS.badRequest(parsed.problems.map(problemText).join('; '));
  return parsed.profile;
}

function readName(name: string | undefined): string {
  const trimmed = name?.trim() ?? '';
  if (trimmed === '') throw ERRORS.badRequest('Wrong JSON body: no value for `name`');
  return trimmed;
}

const DAY_SECONDS = 86_400;
const timeOfDay = (seconds: number) => new Date((seconds % DAY_SECONDS) * 1000).toISOString().slice(11, 19);

/**
 * What `GET /schedule` (Lockt) shows of a time profile, and what a Lockt access level naming it reads: the
 * weekdays of a purely weekly rule (`day`; `week`; `custom` every day or every week, with looper 1), none
 * for any other rule, and the times of day of `time_options` (all day: 00:00:00–23:59:59). The rule itself
 * is what panels' decisions read.
 */
export function weeklyProjection(profile: TimeProfile): Record<'d0' | 'd1' | 'd2' | 'd3' | 'd4' | 'd5' | 'd6', number> & {
  start_time: string;
  stop_time: string;
} {
  const { time_options: time, repeat_options: repeat } = profile;
  const firstWeekday = (Math.floor(time.date_from / DAY_SECONDS) + 3) % 7;
  const format = repeat.repeat_enable ? repeat.repeat_format : undefined;
  const custom = format?.repeat_type === 'custom' ? format.repeat_custom : undefined;
  let days: number[] = [];
  if (format?.repeat_type === 'day' || (custom?.repeat_point_type === 'day' && custom.repeat_looper === 1)) days = [0, 1, 2, 3, 4, 5, 6];
  else if (format?.repeat_type === 'week') days = [firstWeekday];
  else if (custom?.repeat_point_type === 'week' && custom.repeat_looper === 1) {
    const listed = custom.repeat_options;
    days = Array.isArray(listed) ? listed.map((d) => WEEKDAYS.indexOf(d)) : [firstWeekday];
  }
  const flag = (day: number) => toFlag(days.includes(day));
  return {
    d0: flag(0),
    d1: flag(1),
    d2: flag(2),
    d3: flag(3),
    d4: flag(4),
    d5: flag(5),
    d6: flag(6),
    start_time: time.is_all_day ? '00:00:00' : timeOfDay(time.date_from),
    stop_time: time.is_all_day ? '23:59:59' : timeOfDay(time.date_to),
  };
}

/** A name no other schedule of the site holds (time profiles and Lockt schedules share names). */
async function checkName(trx: Queryable, siteId: number, name: string, self?: number): Promise<void> {
  const owner = await repo.nameKeyOwner(trx, siteId, nameKey(name));
  if (owner !== undefined && owner !== self) throw nameTaken(name);
}

/** Creates a time profile: a schedule carrying the rule. */
export async function createTimeProfile(db: Queryable, { site, actor, now }: ActorCall, input: TimeProfileInput): Promise<number> {
  const name = readName(input.name);
  const rule = readRule(input);
  try {
    return await writeTransaction(
      db,
      site.id,
      async (trx) => {
        await checkName(trx, site.id, name);
        return repo.insertTimeProfile(trx, {
          site_id: site.id,
          name,
          name_key: nameKey(name),
          ...weeklyProjection(rule),
          rule: JSON.stringify(rule),
          created_at: now,
        });
      },
      { of: (id) => ({ actor, resource: RESOURCE, action: 'write', recordIds: [id], detail: { inserted: 1 } }), at: now },
    );
  } catch (error) {
    // A concurrent write took the name between the check and the insert.
    if (isUniqueViolation(error)) throw nameTaken(name);
    throw error;
  }
}

export async function getTimeProfile(db: Queryable, siteId: number, uid: number): Promise<repo.TimeProfileRow> {
  const row = isStorableId(uid) ? await repo.findTimeProfile(db, siteId, uid) : undefined;
  // Well formed (the route checked) but naming no time profile of the site: 404, as for users and identifiers.
  if (!row) throw ERRORS.notFound('Time profile not found');
  return row;
}

export async function listTimeProfiles(db: Queryable, siteId: number, list: ListRequest): Promise<{ rows: repo.TimeProfileRow[]; total: number }> {
  const [rows, total] = await Promise.all([repo.listTimeProfiles(db, siteId, list), repo.countTimeProfiles(db, siteId, list)]);
  return { rows, total };
}

/**
 * Changes what is sent: a new name, and `time_options` and `repeat_options` each replacing the stored one
 * whole; the resulting rule is checked as on create.
 */
export async function updateTimeProfile(db: Queryable, { site, actor, now }: ActorCall, uid: number, input: TimeProfileInput): Promise<void> {
  const name = input.name === undefined ? undefined : readName(input.name);
  try {
    await writeTransaction(
      db,
      site.id,
      async (trx) => {
        const stored = await getTimeProfile(trx, site.id, uid);
        const current = storedTimeProfile(stored.rule);
        const rule = readRule({
          time_options: input.time_options ?? current.time_options,
          repeat_options: input.repeat_options ?? current.repeat_options,
        });
        const changes: repo.TimeProfileChanges = { ...weeklyProjection(rule), rule: JSON.stringify(rule) };
        if (name !== undefined) {
          await checkName(trx, site.id, name, uid);
          changes.name = name;
          changes.name_key = nameKey(name);
        }
        await repo.updateTimeProfile(trx, site.id, uid, changes);
        return uid;
      },
      { of: (id) => ({ actor, resource: RESOURCE, action: 'write', recordIds: [id], detail: { updated: 1 } }), at: now },
    );
  } catch (error) {
    if (isUniqueViolation(error) && name !== undefined) throw nameTaken(name);
    throw error;
  }
}

/**
 * Deletes a time profile and, with it, its attachments to identifiers and users. One a Lockt access level
 * opens a door on is refused, as `DELETE /schedule` refuses it: the level would be left without hours.
 */
export async function deleteTimeProfile(db: Queryable, { site, actor, now }: ActorCall, uid: number): Promise<void> {
  await writeTransaction(
    db,
    site.id,
    async (trx) => {
      const stored = await getTimeProfile(trx, site.id, uid);
      const use = (await accessLevelUsage(trx, site.id, [uid])).get(uid);
      if (use) throw ERRORS.badRequest(`Time profile ${stored.name} (uid ${uid}) is used by access level ${use.level}`);
      await repo.deleteTimeProfile(trx, site.id, uid);
      return uid;
    },
    { of: (id) => ({ actor, resource: RESOURCE, action: 'delete', recordIds: [id], detail: { deleted: 1 } }), at: now },
  );
}
