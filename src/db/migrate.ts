import { DEFAULT_MIGRATION_TABLE, type Kysely, type Migration, type MigrationResultSet, Migrator, sql } from 'kysely';
import { dialectOf } from './dialect.ts';
import type { Database } from './schema.ts';
import * as foundation from './migrations/2026_11_23_0001_foundation.ts';
import * as locktResources from './migrations/2026_11_23_0002_lockt_resources.ts';
import * as devicesEventsAudit from './migrations/2026_11_23_0003_devices_events_audit.ts';
import * as basip from './migrations/2026_11_23_0004_basip.ts';
import * as panelSettings from './migrations/2026_11_23_0005_panel_settings.ts';
import * as orderedLogs from './migrations/2026_12_04_0101_ordered_logs_and_site_changes.ts';
import * as operatorsPerSite from './migrations/2026_12_04_0201_operators_per_site.ts';
import * as panelDeviceSettings from './migrations/2026_12_04_0202_panel_device_settings.ts';
import * as identifierScope from './migrations/2026_12_04_0203_identifier_scope.ts';
import * as webhooks from './migrations/2026_12_04_0401_webhooks.ts';
import * as webhookRetention from './migrations/2026_12_04_0701_webhook_delivery_retention.ts';
import * as consoleMigration from './migrations/2026_12_04_0740_console.ts';
import * as consoleDoorEvents from './migrations/2026_12_05_0400_console_door_events.ts';
import * as doorLockedState from './migrations/2026_12_05_0450_door_locked_state.ts';
import * as eventCategoryTime from './migrations/2026_12_05_0451_event_category_time.ts';
import * as doorModes from './migrations/2026_12_05_0900_door_modes.ts';
import * as doorCommandMode from './migrations/2026_12_05_1000_door_command_mode.ts';
import * as doorCommandModeIdx from './migrations/2026_12_05_1100_door_command_mode_idx.ts';
import * as doorCommandValidUntil from './migrations/2026_12_05_1200_door_command_valid_until.ts';

/**
 * Every migration, in order. Listed here rather than read from the folder so the set is the same
 * however Portcullis is run (tsx, a bundle, tests). Names sort by their timestamp; never edit one
 * that has shipped: add the next.
 */
const MIGRATIONS: Record<string, Migration> = {
  '2026_11_23_0001_foundation': foundation,
  '2026_11_23_0002_lockt_resources': locktResources,
  '2026_11_23_0003_devices_events_audit': devicesEventsAudit,
  '2026_11_23_0004_basip': basip,
  '2026_11_23_0005_panel_settings': panelSettings,
  '2026_12_04_0101_ordered_logs_and_site_changes': orderedLogs,
  '2026_12_04_0201_operators_per_site': operatorsPerSite,
  '2026_12_04_0202_panel_device_settings': panelDeviceSettings,
  '2026_12_04_0203_identifier_scope': identifierScope,
  '2026_12_04_0401_webhooks': webhooks,
  '2026_12_04_0701_webhook_delivery_retention': webhookRetention,
  '2026_12_04_0740_console': consoleMigration,
  '2026_12_05_0400_console_door_events': consoleDoorEvents,
  '2026_12_05_0450_door_locked_state': doorLockedState,
  '2026_12_05_0451_event_category_time': eventCategoryTime,
  '2026_12_05_0900_door_modes': doorModes,
  '2026_12_05_1000_door_command_mode': doorCommandMode,
  '2026_12_05_1100_door_command_mode_idx': doorCommandModeIdx,
  '2026_12_05_1200_door_command_valid_until': doorCommandValidUntil,
};

/**
 * The PostgreSQL schema the connection works in. Kysely looks for its bookkeeping tables in every schema
 * unless told which, and would take another schema's for this one's.
 */
async function currentSchema(db: Kysely<Database>): Promise<string | undefined> {
  if (dialectOf(db) !== 'postgres') return undefined;
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema;
}

/** Brings the store to the latest schema; safe to run again. Throws if a migration fails. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const schema = await currentSchema(db);
  const migrator = new Migrator({
    ...(schema ? { migrationTableSchema: schema } : {}),
    // Each migration types the store itself (untyped): they are frozen and must not depend on today's schema types.
    db,
    provider: { getMigrations: async () => MIGRATIONS },
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Migration ${failed} failed: ${String(result.error)}`, { cause: result.error });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** The migrations this build has and the store has not run: the server is not ready while there are any. */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from ${sql.table(DEFAULT_MIGRATION_TABLE)}`.execute(db);
  const done = new Set(rows.map((row) => row.name));
  return Object.keys(MIGRATIONS).filter((name) => !done.has(name));
}
