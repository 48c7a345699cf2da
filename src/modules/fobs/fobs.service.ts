import { storableIds } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { repeatedInBatch } from '../../domain/batch-checks.ts';
import { claimedKeys, nameConflicts } from '../../domain/name-conflicts.ts';
import { nameKey } from '../../domain/names.ts';
import type { RecordCheck, SiteCall, WriteCounts } from '../../domain/batch.ts';
import { newCredentialKey } from '../../lib/credential-keys.ts';
import * as credentials from '../credentials/credentials.repository.ts';
import { cardNumConflicts, readAccessWindow, readCardNum } from '../credentials/credentials.service.ts';
import type { Site } from '../../domain/site.ts';
import * as users from '../users/users.repository.ts';
import type { LevelRef } from '../users/users.repository.ts';
import * as repo from './fobs.repository.ts';
import type { FobChanges, FobFilter, FobRow } from './fobs.repository.ts';

/** A fob with the access levels of the user it is assigned to (none when unassigned). */
export interface FobView {
  id: number;
  row: FobRow;
  levels: LevelRef[];
}

export type FobSelection = { id?: number; idNum?: string; name?: string; cardNum?: string };

export function fobFilter(selection: FobSelection): FobFilter {
  return {
    id: selection.id,
    idNum: selection.idNum,
    nameKey: selection.name === undefined ? undefined : nameKey(selection.name),
    cardNum: selection.cardNum,
  };
}

/** One chunk of a fob list, with its holders' levels: two queries a chunk. */
export async function fobViews(db: Queryable, siteId: number, filter: FobFilter, afterId: number, limit: number): Promise<FobView[]> {
  const rows = await repo.listFobs(db, siteId, filter, afterId, limit);
  const holders = [...new Set(rows.flatMap((r) => (r.user_id === null ? [] : [r.user_id])))];
  const levels = await users.levelsOfUsers(db, siteId, holders);
  return rows.map((row) => ({ id: row.id, row, levels: row.user_id === null ? [] : (levels.get(row.user_id) ?? []) }));
}

/** One fob record of POST or PUT /fob, fields that failed their schema removed. */
export interface FobInput {
  id?: number | undefined;
  /** PUT only: 0 unassigns the fob. */
  userId?: number | undefined;
  name?: string | undefined;
  idNum?: string | undefined;
  cardNum?: number | string | undefined;
  accessEffective?: string | null | undefined;
  accessExpires?: string | null | undefined;
}

/** What POST and PUT share: the fields read, the name and card number checked for uniqueness. */
interface ReadFob {
  input: FobInput;
  messages: string[];
  nameKey?: string;
  cardNum?: string;
  effective?: number | null;
  expires?: number | null;
}

async function readFobs(trx: Queryable, inputs: FobInput[], site: Site, selfOf: (input: FobInput) => number | undefined): Promise<ReadFob[]> {
  const reads = inputs.map((input): ReadFob => {
    const messages: string[] = [];
    const read: ReadFob = { input, messages };
    if (input.name !== undefined) read.nameKey = nameKey(input.name);
    const card = readCardNum(input.cardNum, site, { removable: false });
    if (card.kind === 'invalid') messages.push(card.message);
    if (card.kind === 'card') read.cardNum = card.cardNum;
    Object.assign(read, readAccessWindow(input, site, messages));
    return read;
  });
  const names = inputs.map((input) => ({ name: input.name, id: selfOf(input) }));
  const [nameHolders, cardMessages] = await Promise.all([
    repo.fobIdsByNameKey(trx, site.id, [...new Set(claimedKeys(names))]),
    cardNumConflicts(
      trx,
      site.id,
      reads.map((r) => ({ cardNum: r.cardNum, self: selfOf(r.input) })),
    ),
  ]);
  const nameMessages = nameConflicts('Fob', names, nameHolders);
  reads.forEach((read, index) => {
    read.messages.push(...[nameMessages[index], cardMessages[index]].filter((m): m is string => m !== undefined));
  });
  return reads;
}

export type FobInsertPlan = Omit<credentials.NewCredentialRow, 'site_id' | 'credential_key' | 'created_at'>;

/** POST /fob: name and id_num present, name and card number unique in the site and the batch, dates valid. */
export async function checkNewFobs(trx: Queryable, inputs: FobInput[], { site }: SiteCall): Promise<RecordCheck<FobInsertPlan>[]> {
  const reads = await readFobs(trx, inputs, site, () => undefined);
  return reads.map((read) => {
    const { input, nameKey: key } = read;
    if (read.messages.length > 0 || input.name === undefined || key === undefined || input.idNum === undefined) return { messages: read.messages };
    return {
      plan: {
        user_id: null,
        is_fob: 1,
        name: input.name.trim(),
        name_key: key,
        id_num: input.idNum.trim(),
        card_num: read.cardNum ?? null,
        access_effective: read.effective ?? null,
        access_expires: read.expires ?? null,
      },
    };
  });
}

export async function insertFobs(trx: Queryable, plans: FobInsertPlan[], { site, clock }: SiteCall): Promise<WriteCounts> {
  const now = clock.now();
  const ids = await credentials.insertCredentials(
    trx,
    plans.map((p) => ({ ...p, site_id: site.id, credential_key: newCredentialKey(), created_at: now })),
  );
  return { inserted: ids.length, ids };
}

export type FobUpdatePlan = { id: number; changes: FobChanges };

/**
 * PUT /fob: the id is a fob of the site; `user_id` is 0 (unassign) or a cardholder of the site; the
 * name, id_num and card number, when sent, follow POST's rules (the fob's own excepted).
 */
export async function checkFobChanges(trx: Queryable, inputs: FobInput[], { site }: SiteCall): Promise<RecordCheck<FobUpdatePlan>[]> {
  const ids = storableIds(inputs.map((i) => i.id));
  const holderIds = storableIds(inputs.map((i) => i.userId));
  const [fobFlags, cardholders, reads] = await Promise.all([
    credentials.fobFlagsByIds(trx, site.id, ids),
    users.cardholderWindows(trx, site.id, holderIds),
    readFobs(trx, inputs, site, (input) => input.id),
  ]);
  const repeatedId = repeatedInBatch(inputs, (i) => (i.id === undefined ? undefined : String(i.id)));
  return reads.map((read, index) => {
    const { input } = read;
    const messages = [...read.messages];
    if (input.id !== undefined) {
      const isFob = fobFlags.get(input.id);
      if (isFob === undefined) messages.push(`Invalid Fob id: ${input.id}`);
      else if (!isFob) messages.push(`Credential id ${input.id} is not a Fob`);
      else if (repeatedId[index]) messages.push(`Fob id Duplicated In Batch: ${input.id}`);
    }
    if (input.userId !== undefined && input.userId !== 0 && !cardholders.has(input.userId)) {
      messages.push(`Invalid user_id: ${input.userId}`);
    }
    if (messages.length > 0 || input.id === undefined) return { messages };
    const changes: FobChanges = {
      ...(input.userId !== undefined ? { user_id: input.userId === 0 ? null : input.userId } : {}),
      ...(input.name !== undefined ? { name: input.name.trim(), name_key: read.nameKey ?? null } : {}),
      ...(input.idNum !== undefined ? { id_num: input.idNum.trim() } : {}),
      ...(read.cardNum !== undefined ? { card_num: read.cardNum } : {}),
      ...(read.effective !== undefined ? { access_effective: read.effective } : {}),
      ...(read.expires !== undefined ? { access_expires: read.expires } : {}),
    };
    return { plan: { id: input.id, changes } };
  });
}

export async function updateFobs(trx: Queryable, plans: FobUpdatePlan[], { site }: SiteCall): Promise<WriteCounts> {
  await repo.updateFobs(trx, site.id, plans);
  return { updated: plans.length, ids: plans.map((p) => p.id) };
}

/** The id is a fob of the site; other credentials are deleted through /credential. */
export async function checkFobDeletions(trx: Queryable, ids: (number | undefined)[], { site }: SiteCall): Promise<RecordCheck<number>[]> {
  const fobFlags = await credentials.fobFlagsByIds(trx, site.id, storableIds(ids));
  const repeated = repeatedInBatch(ids, (id) => (id === undefined ? undefined : String(id)));
  return ids.map((id, index) => {
    if (id === undefined) return { messages: [] };
    const isFob = fobFlags.get(id);
    if (isFob === undefined) return { messages: [`Invalid Fob id: ${id}`] };
    if (!isFob) return { messages: [`Credential id ${id} is not a Fob; delete it through /credential`] };
    if (repeated[index]) return { ignored: true };
    return { plan: id };
  });
}

export async function deleteFobs(trx: Queryable, ids: number[], { site }: SiteCall): Promise<WriteCounts> {
  return { deleted: await repo.deleteFobs(trx, site.id, ids), ids };
}
