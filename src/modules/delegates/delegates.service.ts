import type { Actor } from '../../audit/audit-log.ts';
import { writeTransaction } from '../../db/change-feed.ts';
import { randomBytes } from 'node:crypto';
import { storableIds } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { repeatedInBatch } from '../../domain/batch-checks.ts';
import { nameKey } from '../../domain/names.ts';
import type { RecordCheck, SiteCall, WriteCounts } from '../../domain/batch.ts';
import { parseWireTime } from '../../lib/site-time.ts';
import * as levels from '../access-levels/access-levels.repository.ts';
import { type WithDoors, attachDoors } from '../access-levels/access-levels.service.ts';
import * as repo from './delegates.repository.ts';

/** One delegation as sent; fields that failed their schema are absent. */
export interface NewDelegation {
  fromUserId?: number | undefined;
  toUserId?: number | undefined;
  accessEffective?: string | undefined;
  accessExpires?: string | undefined;
  doorIds?: number[] | undefined;
}

/** A delegation that passed every rule. */
export interface DelegationPlan {
  fromUserId: number;
  toUserId: number;
  effective: number;
  expires: number;
  doorIds: number[];
}

export interface PurgeSummary {
  submitted: number;
  deleted: number;
  errors: number;
}

/** One page of the site's delegate levels, with their doors. */
export async function listDelegateLevels(db: Queryable, siteId: number, afterId: number, limit: number): Promise<WithDoors<repo.DelegateLevelRow>[]> {
  return attachDoors(db, siteId, await repo.listDelegateLevels(db, siteId, afterId, limit));
}

/** A time the schema has already found non-blank; undefined when absent or not a time. */
function readTime(value: string | undefined, zone: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parseWireTime(value, zone);
  return parsed.ok && parsed.value !== null ? parsed.value : undefined;
}

/**
 * Giver and receiver are two different cardholders of the site; the window is well formed and not over;
 * each door is held by the giver through a level of their own (never through a delegation to them),
 * and named once. Two queries for the whole batch.
 */
export async function checkNewDelegations(
  trx: Queryable,
  inputs: NewDelegation[],
  { site, clock }: SiteCall,
): Promise<RecordCheck<DelegationPlan>[]> {
  const userIds = storableIds([...new Set(inputs.flatMap((i) => [i.fromUserId, i.toUserId]))]);
  const givers = storableIds([...new Set(inputs.map((i) => i.fromUserId))]);
  const doorIds = storableIds([...new Set(inputs.flatMap((i) => i.doorIds ?? []))]);
  const [cardholders, held] = await Promise.all([repo.cardholderIds(trx, site.id, userIds), repo.delegableDoors(trx, site.id, givers, doorIds)]);
  const heldBy = new Map<number, Set<number>>();
  for (const { user_id, door_id } of held) heldBy.set(user_id, (heldBy.get(user_id) ?? new Set()).add(door_id));
  const now = clock.now();

  return inputs.map((input) => {
    const messages: string[] = [];
    const { fromUserId: from, toUserId: to } = input;
    const giverKnown = from !== undefined && cardholders.has(from);
    if (from !== undefined && !giverKnown) messages.push(`Invalid from_user_id: ${from}`);
    if (to !== undefined) {
      if (!cardholders.has(to)) messages.push(`Invalid to_user_id: ${to}`);
      else if (to === from) messages.push(`Invalid to_user_id: ${to}, must differ from from_user_id`);
    }

    const doors = input.doorIds ?? [];
    const repeated = repeatedInBatch(doors, String);
    doors.forEach((doorId, index) => {
      if (repeated[index]) messages.push(`Duplicate door id ${doorId} in delegation`);
      // An unknown giver's doors are not reported one by one: the giver's own message says it all.
      else if (giverKnown && !heldBy.get(from)?.has(doorId)) messages.push(`Door id ${doorId} is not available to delegate`);
    });

    const effective = readTime(input.accessEffective, site.timezone);
    const expires = readTime(input.accessExpires, site.timezone);
    if (input.accessEffective !== undefined && effective === undefined) {
      messages.push(`Invalid access_effective date found: ${input.accessEffective}`);
    }
    if (input.accessExpires !== undefined && expires === undefined) {
      messages.push(`Invalid access_expires date found: ${input.accessExpires}`);
    }
    if (effective !== undefined && expires !== undefined && effective >= expires) {
      messages.push(`Invalid access_effective date: ${input.accessEffective}, must be before access_expires`);
    }
    if (expires !== undefined && expires < now) {
      messages.push(`Invalid access_expires date: ${input.accessExpires}, cannot be in past`);
    }

    // A field that failed its schema is absent here and already has its message from the batch runner.
    if (
      messages.length > 0 ||
      from === undefined ||
      to === undefined ||
      effective === undefined ||
      expires === undefined ||
      input.doorIds === undefined
    ) {
      return { messages };
    }
    return { plan: { fromUserId: from, toUserId: to, effective, expires, doorIds: doors } };
  });
}

/**
 * Each delegation becomes a level of its own, named `delegate_` and 32 random hex digits as the
 * vendor's are, opening its doors throughout its window (no schedule), given to the receiver.
 */
export async function createDelegations(trx: Queryable, plans: DelegationPlan[], { site, clock }: SiteCall): Promise<WriteCounts> {
  const now = clock.now();
  for (const plan of plans) {
    const name = `delegate_${randomBytes(16).toString('hex')}`;
    const key = nameKey(name);
    const ids = await levels.insertAccessLevels(trx, [
      {
        site_id: site.id,
        name,
        name_key: key,
        is_delegate: 1,
        delegated_by_user_id: plan.fromUserId,
        access_effective: plan.effective,
        access_expires: plan.expires,
        created_at: now,
      },
    ]);
    const levelId = ids.get(key);
    if (levelId === undefined) throw new Error(`inserted delegate level ${name} was not returned`);
    await levels.insertLevelDoors(
      trx,
      plan.doorIds.map((doorId) => ({ site_id: site.id, access_level_id: levelId, door_id: doorId, schedule_id: null })),
    );
    await levels.assignAccessLevel(trx, site.id, levelId, [plan.toUserId]);
  }
  return { processed: plans.length };
}

/** `?purge`: deletes every delegate level whose window has closed; `submitted` counts the levels considered. */
export async function purgeExpiredDelegations(db: Queryable, { site, clock }: SiteCall, actor: Actor): Promise<PurgeSummary> {
  return writeTransaction(
    db,
    site.id,
    async (trx) => {
      const submitted = await repo.countDelegateLevels(trx, site.id);
      const deleted = await repo.deleteExpiredDelegateLevels(trx, site.id, clock.now());
      return { submitted, deleted, errors: 0 };
    },
    {
      of: (summary) => (summary.deleted === 0 ? undefined : { actor, resource: 'delegates', action: 'purge', detail: { ...summary } }),
      at: clock.now(),
    },
  );
}
