import type { Command } from 'commander';
import { backupPostgres, restorePostgres } from '../db/postgres-backup.ts';
import { backupSqlite, restoreSqlite } from '../db/sqlite-backup.ts';
import { type StoreFlags, print, withStoreFlags } from './common.ts';

/** `portcullis backup --to FILE` and `portcullis restore --from FILE` (docs/operations.md). */
export function registerBackupCommands(program: Command): void {
  withStoreFlags(program.command('backup'))
    .description('copy the store to FILE while servers run, and check the copy (SQLite: online backup; PostgreSQL: pg_dump)')
    .requiredOption('--to <file>', 'the backup file to write (never overwritten)')
    .action(async (flags: StoreFlags & { to: string }) => {
      if (flags.databaseUrl) {
        const made = await backupPostgres(flags.databaseUrl, flags.to);
        print(flags, made, `Backed up to ${made.file} (${made.bytes} bytes, pg_dump custom format, checked with pg_restore --list).`);
        return;
      }
      const made = await backupSqlite(flags.data, flags.to);
      print(flags, made, `Backed up to ${made.file} (${made.bytes} bytes, schema ${made.schema}, PRAGMA integrity_check ok).`);
    });

  withStoreFlags(program.command('restore'))
    .description('replace the store with a backup FILE, checked first; refused while a server runs on the store')
    .requiredOption('--from <file>', 'the backup file to restore')
    .action(async (flags: StoreFlags & { from: string }) => {
      if (flags.databaseUrl) {
        const restored = await restorePostgres(flags.databaseUrl, flags.from);
        print(flags, restored, `Restored ${restored.file} with pg_restore. Start the servers: they bring the schema up to date.`);
        return;
      }
      const restored = restoreSqlite(flags.data, flags.from, new Date());
      const kept = restored.replaced === null ? '' : ` The store it replaced is kept as ${restored.replaced}.`;
      print(
        flags,
        restored,
        `Restored ${flags.from} (schema ${restored.schema}) to ${restored.file}.${kept} Start the server: it brings the schema up to date.`,
      );
    });
}
