import type { Compilable, CompiledQuery, QueryResult } from 'kysely';
import { type Dialect, dialectOf } from './dialect.ts';
import type { Queryable } from './queryable.ts';

/**
 * Statements of the hot path (authenticating a caller, `GET /user?id=`, a decision's event) built and
 * compiled by Kysely once per dialect, then run with each call's parameters. Kysely builds and compiles
 * every query afresh, and for these short lookups that was about as costly as running them
 * (docs/performance.md). What runs is the same: the compiled SQL and the same parameters in the same
 * places go through the same executor, so a transaction's statement runs on its connection, rows come
 * back in the same shapes and types, and the store reuses the prepared statement (SQLite's statement
 * cache in src/db/open.ts; on PostgreSQL the statement is named, whatever its number of parameters).
 * A statement is compiled through the first handle it runs on, plugins included: no plugin in src
 * rewrites queries, so that compilation serves every handle of the dialect.
 */

/** Stands where a parameter goes while Kysely compiles, and says how to find its value in a call's values. */
class Slot<Values> {
  constructor(readonly read: (values: Values) => unknown) {}
}

/** A place for one call's value in a query being built, typed as the value so the query builder accepts it. */
export type Param<Values> = <T>(read: (values: Values) => T) => T;

interface Compiled<Values> {
  query: CompiledQuery;
  /** For each of the compiled query's parameters, its value in a call: a constant, or read from the call's values. */
  parameters: readonly ((values: Values) => unknown)[];
}

/** The SQL texts of every hot statement compiled for PostgreSQL, which src/db/open.ts always names. */
const postgresTexts = new Set<string>();

/** Whether this text is a hot statement's: PostgreSQL prepares it once per connection, named. */
export function isHotStatement(text: string): boolean {
  return postgresTexts.has(text);
}

export class HotStatement<Values, Row> {
  private readonly compiled = new Map<Dialect, Compiled<Values>>();

  /**
   * `build` writes the query once with Kysely, taking each call's value through `param`; every other value
   * in it is a constant of the statement.
   */
  constructor(private readonly build: (db: Queryable, param: Param<Values>) => Compilable<Row>) {}

  /** The statement's rows for these values, on `db` or on the transaction `db` is. */
  async rows(db: Queryable, values: Values): Promise<Row[]> {
    return (await this.run(db, values)).rows;
  }

  /** The first row, if any. */
  async first(db: Queryable, values: Values): Promise<Row | undefined> {
    return (await this.run(db, values)).rows[0];
  }

  /** The whole result: rows, and the number of rows a write changed. */
  run(db: Queryable, values: Values): Promise<QueryResult<Row>> {
    const { query, parameters } = this.compiledFor(db);
    return db.executeQuery<Row>({ ...query, parameters: parameters.map((value) => value(values)) });
  }

  /**
   * The same query as Kysely builds it with these values in it, to be compiled and run as any other:
   * what the statement costs without being compiled once (tests and bench/hot-statements.ts compare).
   */
  built(db: Queryable, values: Values): Compilable<Row> {
    return this.build(db, (read) => read(values));
  }

  private compiledFor(db: Queryable): Compiled<Values> {
    const dialect = dialectOf(db);
    let compiled = this.compiled.get(dialect);
    if (!compiled) {
      // The one place a slot poses as a value: Kysely carries a value it does not know into the parameters untouched.
      const param: Param<Values> = <T>(read: (values: Values) => T) => new Slot(read) as unknown as T;
      const query = this.build(db, param).compile();
      compiled = {
        query,
        parameters: query.parameters.map((value) => (value instanceof Slot ? value.read : () => value)),
      };
      if (dialect === 'postgres') postgresTexts.add(query.sql);
      this.compiled.set(dialect, compiled);
    }
    return compiled;
  }
}

/** A hot statement: see above. */
export function hotStatement<Values, Row>(build: (db: Queryable, param: Param<Values>) => Compilable<Row>): HotStatement<Values, Row> {
  return new HotStatement(build);
}
