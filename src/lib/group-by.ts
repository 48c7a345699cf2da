/** `Map.groupBy`, which Node 20 lacks: the items by key, each group in the items' order. */
export function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** Rows' ids by one of their columns; rows where it is null are left out (a lookup by that column). */
export function idsBy<Row extends { id: number }, Column extends keyof Row>(
  rows: Iterable<Row>,
  column: Column,
): Map<NonNullable<Row[Column]>, number> {
  const ids = new Map<NonNullable<Row[Column]>, number>();
  for (const row of rows) {
    const key = row[column];
    if (key !== null && key !== undefined) ids.set(key, row.id);
  }
  return ids;
}
