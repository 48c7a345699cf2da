/**
 * Checks that look across a whole batch, shared by every resource: a value that must be unique is
 * checked against the other records of the same batch as well as against the store.
 */

/** For each item, whether an earlier item of the batch already has the same key (undefined keys never clash). */
export function repeatedInBatch<T>(items: readonly T[], keyOf: (item: T) => string | undefined): boolean[] {
  const seen = new Set<string>();
  return items.map((item) => {
    const key = keyOf(item);
    if (key === undefined) return false;
    if (seen.has(key)) return true;
    seen.add(key);
    return false;
  });
}

/** A numeric id from a wire value already checked to be an integer or a numeric string. */
export function toId(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number.parseInt(value.trim(), 10);
  return undefined;
}

/**
 * A boolean from a wire value already checked by its schema: true/false, "true"/"false", and for bit
 * fields 1/0 and "1"/"0". Undefined when absent.
 */
export function toBool(value: boolean | 'true' | 'false'): boolean;
export function toBool(value: unknown): boolean | undefined;
export function toBool(value: unknown): boolean | undefined {
  if (value === true || value === 'true' || value === 1 || value === '1') return true;
  if (value === false || value === 'false' || value === 0 || value === '0') return false;
  return undefined;
}
