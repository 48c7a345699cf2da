import { errorFields } from './error-fields.ts';

/**
 * Column conventions shared by every repository: booleans are stored as 0/1 integers and times as
 * integer epoch milliseconds, so one schema serves SQLite and PostgreSQL alike.
 */
export const toFlag = (value: boolean): number => (value ? 1 : 0);
export const fromFlag = (value: number | null | undefined): boolean => value === 1;

/** Largest id an `integer` id column holds; PostgreSQL refuses to compare a larger number with one. */
export const MAX_ID = 2_147_483_647;

/** Whether an id could name a stored row: a larger one is simply unknown, and must not reach a query. */
export const isStorableId = (id: number): boolean => Number.isSafeInteger(id) && id >= 1 && id <= MAX_ID;

/** The ids worth looking up: present and storable. */
export const storableIds = (ids: readonly (number | undefined)[]): number[] => ids.filter((id): id is number => id !== undefined && isStorableId(id));

/**
 * True when a store error is a foreign-key violation, on either dialect: a row this write refers to was
 * deleted by a concurrent write after validation saw it.
 */
export function isForeignKeyViolation(error: unknown): boolean {
  const { code } = errorFields(error);
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** True when a store error is a unique-constraint violation, on either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const { code } = errorFields(error);
  // PostgreSQL's unique_violation, and better-sqlite3's extended result codes.
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
