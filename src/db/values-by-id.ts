import { type RawBuilder, sql } from 'kysely';

/**
 * The SET clause that gives each row its own values in one statement: every changed column becomes
 * `CASE id WHEN <id> THEN <value> … ELSE <column> END`, so a batch of 100 updates is one query.
 * Typed by the changes' columns, so Kysely checks each against its table.
 */
export function valuesById<Changes extends object>(
  updates: { id: number; changes: Changes }[],
): { [Column in keyof Changes]?: RawBuilder<Changes[Column]> } {
  const whensByColumn = new Map<string, RawBuilder<unknown>[]>();
  for (const { id, changes } of updates) {
    for (const [column, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      const whens = whensByColumn.get(column) ?? [];
      whens.push(sql`when ${id} then ${value}`);
      whensByColumn.set(column, whens);
    }
  }
  const set = Object.fromEntries(
    [...whensByColumn].map(([column, whens]) => [column, sql`case ${sql.ref('id')} ${sql.join(whens, sql` `)} else ${sql.ref(column)} end`]),
  );
  // The keys are the changes' own columns, each CASE yielding that column's values.
  return set as { [Column in keyof Changes]?: RawBuilder<Changes[Column]> };
}
