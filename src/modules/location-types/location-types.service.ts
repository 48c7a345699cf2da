import type { Queryable } from '../../db/queryable.ts';
import { storableIds } from '../../db/conventions.ts';
import { repeatedInBatch } from '../../domain/batch-checks.ts';
import { nameKey } from '../../domain/names.ts';
import type { BatchRecord, RecordCheck, SiteCall, WriteCounts } from '../../domain/batch.ts';
import * as repo from './location-types.repository.ts';
import type { LocationTypeCreate } from './location-types.schema.ts';

/** A location type to create, as its record's schema types it. */
export type NewLocationType = BatchRecord<typeof LocationTypeCreate>;

type InsertPlan = { name: string; key: string };

/** Name present, unique in the site and within the batch. */
export async function checkNewLocationTypes(trx: Queryable, inputs: NewLocationType[], { site }: SiteCall): Promise<RecordCheck<InsertPlan>[]> {
  const keys = inputs.map((i) => (i.name === undefined ? undefined : nameKey(i.name)));
  const taken = await repo.takenNameKeys(
    trx,
    site.id,
    keys.filter((k): k is string => k !== undefined),
  );
  const repeated = repeatedInBatch(keys, (k) => k);
  return inputs.map((input, index) => {
    const key = keys[index];
    if (input.name === undefined || key === undefined) return { messages: [] };
    const messages: string[] = [];
    if (taken.has(key)) messages.push(`Location Type Name Already Exists: ${input.name}`);
    else if (repeated[index]) messages.push(`Location Type Name Duplicated In Batch: ${input.name}`);
    return messages.length > 0 ? { messages } : { plan: { name: input.name.trim(), key } };
  });
}

export async function insertLocationTypes(trx: Queryable, plans: InsertPlan[], { site, clock }: SiteCall): Promise<WriteCounts> {
  const now = clock.now();
  await repo.insertLocationTypes(
    trx,
    plans.map((p) => ({ site_id: site.id, name: p.name, name_key: p.key, created_at: now })),
  );
  return { inserted: plans.length };
}

/** The id exists in the site and no location still uses it. */
export async function checkLocationTypeDeletions(trx: Queryable, ids: (number | undefined)[], { site }: SiteCall): Promise<RecordCheck<number>[]> {
  const known = storableIds(ids);
  const [existing, inUse] = await Promise.all([repo.existingIds(trx, site.id, known), repo.idsInUse(trx, site.id, known)]);
  const repeated = repeatedInBatch(ids, (id) => (id === undefined ? undefined : String(id)));
  return ids.map((id, index) => {
    if (id === undefined) return { messages: [] };
    if (!existing.has(id)) return { messages: [`Invalid Location Type id: ${id}`] };
    if (inUse.has(id)) return { messages: [`Location Type id ${id} is used by a location`] };
    if (repeated[index]) return { ignored: true };
    return { plan: id };
  });
}

export async function deleteLocationTypes(trx: Queryable, ids: number[], { site }: SiteCall): Promise<WriteCounts> {
  return { deleted: await repo.deleteLocationTypes(trx, site.id, ids) };
}
