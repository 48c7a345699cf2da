import { type Expression, type RawBuilder, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';

/**
 * A list request as the domain states it (which fields to filter on, how, which field to sort on, which
 * page), turned into the SQL a repository runs. Each field becomes SQL through the expression its
 * repository gives it, so a filter can never reach a column the list did not offer. The BAS-IP face reads
 * the request from its query parameters (src/http/basip/list-query.ts).
 */

export type ListFieldType = 'text' | 'integer' | 'timestamp' | 'boolean';

/** One field a list may be filtered (and, unless `sortable` is false, sorted) on. */
export interface ListColumn {
  /** The SQL the field is read from: `sql.ref('u.id')`, or an expression. */
  expr: Expression<unknown>;
  type: ListFieldType;
  /** False for fields that may be null, which the two dialects sort differently. */
  sortable?: boolean;
}

/** A list's fields by name. */
export type ListColumns<Field extends string = string> = Record<Field, ListColumn>;

export type ComparisonOperator = '=' | '<>' | '<' | '<=' | '>' | '>=';

/** A value a field is compared with: text, an integer, or 0/1; null only for = and <>. */
export type ListValue = string | number | null;

export type ListCondition =
  | { kind: 'all' }
  | { kind: 'compare'; field: string; operator: ComparisonOperator; value: ListValue }
  | { kind: 'and' | 'or'; left: ListCondition; right: ListCondition }
  | { kind: 'not'; condition: ListCondition };

export interface ListRequest {
  limit: number;
  offset: number;
  sort: { field: string; asc: boolean };
  filter: ListCondition;
}

/** What a repository's list and count queries apply. */
export interface ListQuery {
  where: Expression<SqlBool>;
  orderBy: Expression<unknown>;
  direction: 'asc' | 'desc';
  limit: number;
  offset: number;
}

function columnOf(columns: ListColumns, field: string): ListColumn {
  const column = Object.hasOwn(columns, field) ? columns[field] : undefined;
  // The reader of the request offers only the list's own fields.
  if (!column) throw new Error(`The list has no field ${field}`);
  return column;
}

function conditionOf(condition: ListCondition, columns: ListColumns): RawBuilder<SqlBool> {
  switch (condition.kind) {
    case 'all':
      return sql<SqlBool>`1 = 1`;
    case 'and':
      return sql<SqlBool>`(${conditionOf(condition.left, columns)} and ${conditionOf(condition.right, columns)})`;
    case 'or':
      return sql<SqlBool>`(${conditionOf(condition.left, columns)} or ${conditionOf(condition.right, columns)})`;
    case 'not':
      return sql<SqlBool>`(not ${conditionOf(condition.condition, columns)})`;
    case 'compare': {
      const { expr } = columnOf(columns, condition.field);
      if (condition.value === null) return condition.operator === '=' ? sql<SqlBool>`${expr} is null` : sql<SqlBool>`${expr} is not null`;
      // The operator is one of a closed set, never text from the request.
      return sql<SqlBool>`${expr} ${sql.raw(condition.operator)} ${condition.value}`;
    }
  }
}

export function listQueryOf(request: ListRequest, columns: ListColumns): ListQuery {
  return {
    where: conditionOf(request.filter, columns),
    orderBy: columnOf(columns, request.sort.field).expr,
    direction: request.sort.asc ? 'asc' : 'desc',
    limit: request.limit,
    offset: request.offset,
  };
}

/**
 * The page of `rows` a list asks for: its filter and order, ties in the order of `idColumn` so that
 * consecutive pages neither overlap nor skip.
 */
export function pageOf<DB, TB extends keyof DB, O>(
  rows: SelectQueryBuilder<DB, TB, O>,
  list: ListQuery,
  idColumn: string,
): SelectQueryBuilder<DB, TB, O> {
  return rows.where(list.where).orderBy(list.orderBy, list.direction).orderBy(sql.ref(idColumn)).limit(list.limit).offset(list.offset);
}
