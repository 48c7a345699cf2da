import { type RawBuilder, sql } from 'kysely';

/**
 * The SET clause that gives each row its own values in one statement: every changed column becomes
 * `CASE id WHEN <id> THEN <value> … ELSE <column> END`, so a batch of 100 updates is one query.
 * Generic over the table: the caller narrows the result to its table's `Updateable`.
 */
export function valuesById<Changes extends object>(updates: { id: number; changes: Changes }[]): Record<string, RawBuilder<unknown>> {
  const whensByColumn = new Map<string, RawBuilder<unknown>[]>();
  for (const { id, changes } of updates) {
    for (const [column, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      const whens = whensByColumn.get(column) ?? [];
      whens.push(sql`when ${id} then ${value}`);
      whensByColumn.set(column, whens);
    }
  }
  const set: Record<string, RawBuilder<unknown>> = {};
  for (const [column, whens] of whensByColumn) {
    set[column] = sql`case ${sql.ref('id')} ${sql.join(whens, sql` `)} else ${sql.ref(column)} end`;
  }
  return set;
}
