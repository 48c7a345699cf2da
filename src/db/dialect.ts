import { PostgresAdapter } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/**
 * Which dialect a handle speaks, for the few runtime statements that differ (advisory locks, NOTIFY).
 * Everything else is written once in Kysely; src/db/open.ts is where a dialect is chosen.
 */
export function dialectOf(db: { getExecutor(): { adapter: unknown } }): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
