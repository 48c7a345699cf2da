import { CompiledQuery, type Insertable, type Selectable } from 'kysely';
import { dialectOf } from './dialect.ts';
import type { Queryable } from './queryable.ts';
import type { Columns, Database, NewRow } from './schema.ts';

export interface InsertRowsOptions<Column, Returned> {
  /** Columns of a unique index: a row that would repeat one is left out (`ON CONFLICT (…) DO NOTHING`). */
  onConflictDoNothing?: readonly Column[];
  /** Columns answered for each row inserted, in the order of the rows. */
  returning?: readonly Returned[];
}

const quoted = (name: string) => `"${name}"`;

/**
 * A multi-row INSERT as one SQL text and one flat list of parameters, for the writes that insert a chunk
 * of a large import (docs/performance.md). Kysely's `insertInto().values(rows)` builds a node per value
 * and its SQL by appending to a string once per value and separator: for a chunk of 250 people that
 * was a fifth of everything a 100,000-row import allocated. Here the text is made with one `join` per
 * row group, and the statement is the same: every row in one statement (all or nothing), `RETURNING`
 * the columns asked for in the order of the rows.
 */
export async function insertRows<
  Table extends keyof Database & string,
  Column extends keyof Insertable<Database[Table]> & string,
  Returned extends keyof Selectable<Database[Table]> & string = never,
>(
  db: Queryable,
  table: Table,
  columns: readonly Column[],
  rows: readonly NewRow<Table, Column>[],
  { onConflictDoNothing, returning = [] }: InsertRowsOptions<Column, Returned> = {},
): Promise<Columns<Table, Returned>[]> {
  if (rows.length === 0) return [];
  const width = columns.length;
  const parameters = new Array<unknown>(rows.length * width);
  rows.forEach((row, at) => {
    columns.forEach((column, index) => {
      parameters[at * width + index] = row[column];
    });
  });
  // SQLite's placeholders are all `?`, so one row's group serves every row; PostgreSQL numbers them.
  const groups =
    dialectOf(db) === 'sqlite'
      ? Array<string>(rows.length).fill(`(${Array<string>(width).fill('?').join(', ')})`)
      : rows.map((_, at) => `(${columns.map((_, index) => `$${at * width + index + 1}`).join(', ')})`);
  const conflict = onConflictDoNothing === undefined ? '' : ` on conflict (${onConflictDoNothing.map(quoted).join(', ')}) do nothing`;
  const answer = returning.length === 0 ? '' : ` returning ${returning.map(quoted).join(', ')}`;
  const text = `insert into ${quoted(table)} (${columns.map(quoted).join(', ')}) values ${groups.join(', ')}${conflict}${answer}`;
  const result = await db.executeQuery<Columns<Table, Returned>>(CompiledQuery.raw(text, parameters));
  return result.rows;
}
