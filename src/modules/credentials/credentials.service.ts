import { storableIds } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { repeatedInBatch } from '../../domain/batch-checks.ts';
import { cardNumberProblem } from '../../domain/credential-numbers.ts';
import type { RecordCheck, SiteCall, WriteCounts } from '../../domain/batch.ts';
import { showValue } from '../../lib/show-value.ts';
import { parseWireTime } from '../../lib/site-time.ts';
import type { Site } from '../../domain/site.ts';
import * as repo from './credentials.repository.ts';

/**
 * A `card_num` as users and fobs send it: none (absent or ""), -1 (users only: remove every card),
 * or digits within the site's `card_num_max_length`.
 */
export type CardNumRead = { kind: 'none' } | { kind: 'remove' } | { kind: 'card'; cardNum: string } | { kind: 'invalid'; message: string };

export function readCardNum(value: number | string | undefined, site: Site, { removable }: { removable: boolean }): CardNumRead {
  if (value === undefined) return { kind: 'none' };
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (text === '') return { kind: 'none' };
  if (removable && text === '-1') return { kind: 'remove' };
  const max = site.settings.cardNumMaxLength;
  switch (cardNumberProblem(text, { maxDigits: max, hexBytes: false })) {
    case 'not_numeric':
      return { kind: 'invalid', message: `Non-Numeric card_num found: ${showValue(value)}` };
    case 'too_long':
      return { kind: 'invalid', message: `Invalid card_num length found (at most ${max} digits): ${text}` };
    default:
      return { kind: 'card', cardNum: text };
  }
}

/** An access window as users and fobs send it: each bound undefined (not sent), null ("" or null: none) or a time. */
export interface AccessWindowInput {
  accessEffective?: string | null | undefined;
  accessExpires?: string | null | undefined;
}

/** Reads the bounds that were sent, in the site's zone; a bound that is not a time adds a message. */
export function readAccessWindow(input: AccessWindowInput, site: Site, messages: string[]): { effective?: number | null; expires?: number | null } {
  const out: { effective?: number | null; expires?: number | null } = {};
  for (const [field, value, key] of [
    ['access_effective', input.accessEffective, 'effective'],
    ['access_expires', input.accessExpires, 'expires'],
  ] as const) {
    if (value === undefined) continue;
    const parsed = parseWireTime(value, site.timezone);
    if (parsed.ok) out[key] = parsed.value;
    else messages.push(`Invalid ${field} date found: ${showValue(value)}`);
  }
  return out;
}

/**
 * For each card number about to be written (undefined: none), why it cannot be: another credential of
 * the site carries it (`self`, the credential being changed, excepted), or an earlier record of the
 * batch does. One query.
 */
export async function cardNumConflicts(
  trx: Queryable,
  siteId: number,
  cards: { cardNum: string | undefined; self?: number | undefined }[],
): Promise<(string | undefined)[]> {
  const wanted = [...new Set(cards.flatMap((c) => (c.cardNum === undefined ? [] : [c.cardNum])))];
  const holders = await repo.credentialIdsByCardNum(trx, siteId, wanted);
  const repeated = repeatedInBatch(cards, (c) => c.cardNum);
  return cards.map(({ cardNum, self }, index) => {
    if (cardNum === undefined) return undefined;
    const holder = holders.get(cardNum);
    if (holder !== undefined && holder !== self) return `Card Number Already Exists: ${cardNum}`;
    if (repeated[index]) return `Card Number Duplicated In Batch: ${cardNum}`;
    return undefined;
  });
}

/** The id exists in the site and is not a fob, which has its own endpoint. */
export async function checkCredentialDeletions(trx: Queryable, ids: (number | undefined)[], { site }: SiteCall): Promise<RecordCheck<number>[]> {
  const fobFlags = await repo.fobFlagsByIds(trx, site.id, storableIds(ids));
  const repeated = repeatedInBatch(ids, (id) => (id === undefined ? undefined : String(id)));
  return ids.map((id, index) => {
    if (id === undefined) return { messages: [] };
    const isFob = fobFlags.get(id);
    if (isFob === undefined) return { messages: [`Invalid Credential id: ${id}`] };
    if (isFob) return { messages: [`Credential id ${id} is a Fob; delete it through /fob`] };
    if (repeated[index]) return { ignored: true };
    return { plan: id };
  });
}

export async function deleteCredentials(trx: Queryable, ids: number[], { site }: SiteCall): Promise<WriteCounts> {
  return { deleted: await repo.deleteCredentials(trx, site.id, ids), ids };
}

/** A credential key as the mobile app may type it: case and surrounding space do not matter. */
export function normalizeCredentialKey(key: string): string {
  return key.trim().toUpperCase();
}

/**
 * Claims known, unclaimed keys. The claim is taken here, by a conditional update inside the batch's
 * transaction, rather than in the write step: of two concurrent claims of one key only one update can
 * match `claimed_at IS NULL`, so the other is told the key is already claimed. A failed batch rolls
 * the claims back with everything else.
 */
export async function checkClaims(trx: Queryable, keys: (string | undefined)[], { site, clock }: SiteCall): Promise<RecordCheck<number>[]> {
  const repeated = repeatedInBatch(keys, (k) => k);
  const candidates = [...new Set(keys.filter((k, i): k is string => k !== undefined && !repeated[i]))];
  const known = await repo.knownKeys(trx, site.id, candidates);
  const claimed = await repo.claimUnclaimed(trx, site.id, [...known], clock.now());
  return keys.map((key, index) => {
    if (key === undefined) return { messages: [] };
    if (repeated[index]) return { messages: [`credential_key Duplicated In Batch: ${key}`] };
    if (!known.has(key)) return { messages: [`Unknown credential_key: ${key}`] };
    const id = claimed.get(key);
    if (id === undefined) return { messages: [`Credential Already Claimed: ${key}`] };
    return { plan: id };
  });
}

export async function credentialSummary(db: Queryable, siteId: number): Promise<{ total: number; claimed: number }> {
  return repo.countCredentials(db, siteId);
}
