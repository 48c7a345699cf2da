import { type Kysely, type Migration, type MigrationResultSet, Migrator } from 'kysely';
import type { Database } from './schema.ts';
import * as foundation from './migrations/2026_11_23_0001_foundation.ts';
import * as locktResources from './migrations/2026_11_23_0002_lockt_resources.ts';

/**
 * Every migration, in order. Listed here rather than read from the folder so the set is the same
 * however Portcullis is run (tsx, a bundle, tests). Names sort by their timestamp; never edit one
 * that has shipped: add the next.
 */
const MIGRATIONS: Record<string, Migration> = {
  '2026_11_23_0001_foundation': foundation,
  '2026_11_23_0002_lockt_resources': locktResources,
};

/** Brings the store to the latest schema; safe to run again. Throws if a migration fails. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({
    // Migrations see the store untyped: they are frozen and must not depend on today's schema types.
    db: db as unknown as Kysely<unknown>,
    provider: { getMigrations: async () => MIGRATIONS },
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Migration ${failed} failed: ${String(result.error)}`, { cause: result.error });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
