import { type RawBuilder, sql } from 'kysely';

/**
 * The SET clause that gives each row its own values in one statement: every changed column becomes
 * `CASE id WHEN <id> THEN <value> … ELSE <column> END`, so a batch of 100 updates is one query.
 * Generic over the table: the caller narrows the result to its table's `Updateable`.
 */
export function valuesById<Changes extends object>(updates: { id: number; changes: Changes }[]): Record<string, RawBuilder<unknown>> {
  const columns = [...new Set(updates.flatMap((u) => Object.keys(u.changes)))] as (keyof Changes & string)[];
  const set: Record<string, RawBuilder<unknown>> = {};
  for (const column of columns) {
    const whens = updates
      .filter((u) => u.changes[column] !== undefined)
      .map((u) => sql`when ${u.id} then ${u.changes[column]}`);
    set[column] = sql`case ${sql.ref('id')} ${sql.join(whens, sql` `)} else ${sql.ref(column)} end`;
  }
  return set;
}
