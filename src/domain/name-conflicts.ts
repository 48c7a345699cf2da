import { repeatedInBatch } from './batch-checks.ts';
import { nameKey } from './names.ts';

/**
 * Uniqueness of names across a batch of creates or updates, shared by every named resource: a name is
 * refused when another record of the site holds it, or when an earlier record of the same batch claims it.
 */

/** The name one record asks for; `name` undefined when it asks for none (absent, or refused by its schema). */
export interface NameClaim {
  name: string | undefined;
  /** The record's own id when it renames a stored record, so keeping or re-casing its own name is no clash. */
  id?: number | undefined;
}

/** The keys to look up in the store (`name_key in …`) for these claims. */
export function claimedKeys(claims: readonly NameClaim[]): string[] {
  return claims.flatMap((c) => (c.name === undefined ? [] : [nameKey(c.name)]));
}

/**
 * One message (or undefined) per claim. `owners` maps each claimed key already taken in the site to the
 * id of the record holding it. `label` starts the message: `Door` gives `Door Name Already Exists: Door 1`.
 */
export function nameConflicts(label: string, claims: readonly NameClaim[], owners: ReadonlyMap<string, number>): (string | undefined)[] {
  const keys = claims.map((c) => (c.name === undefined ? undefined : nameKey(c.name)));
  const repeated = repeatedInBatch(keys, (k) => k);
  return claims.map((claim, index) => {
    const key = keys[index];
    if (claim.name === undefined || key === undefined) return undefined;
    const owner = owners.get(key);
    if (owner !== undefined && owner !== claim.id) return `${label} Name Already Exists: ${claim.name}`;
    if (repeated[index]) return `${label} Name Duplicated In Batch: ${claim.name}`;
    return undefined;
  });
}
