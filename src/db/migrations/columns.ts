import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely';

/**
 * The few column spellings the two dialects disagree on. Migrations import only this and Kysely, so
 * they stay frozen in time: nothing from the application reaches into them.
 */
export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** An integer primary key the store numbers itself, in ascending order. */
export function idColumn(db: Kysely<unknown>) {
  return (column: ColumnDefinitionBuilder): ColumnDefinitionBuilder =>
    isPostgres(db) ? column.primaryKey().generatedByDefaultAsIdentity() : column.primaryKey().autoIncrement();
}

/** The type of an id column: PostgreSQL's identity wants `integer`, SQLite's rowid alias too. */
export const ID_TYPE = 'integer';
/** Epoch-millisecond times exceed 32 bits. */
export const TIME_TYPE = 'bigint';
