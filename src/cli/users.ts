import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { BATCH_OPTION_DEFAULTS } from '../domain/batch.ts';
import { ERRORS } from '../domain/errors.ts';
import type { CsvImportResult } from '../http/csv-batch.ts';
import { systemClock } from '../lib/clock.ts';
import { getSite } from '../modules/sites/sites.service.ts';
import { exportPeople, importPeople } from '../modules/users/users.csv.ts';
import { type StoreFlags, print, siteCommand, withStore } from './common.ts';

type SiteFlags = StoreFlags & { site: number };

/** What an import did, or with --dry-run would do, and each problem on its own line. */
function describeImport(result: CsvImportResult): string {
  const { submitted, inserted, updated, errors, dry_run: dryRun } = result.data;
  const verb = dryRun ? 'Would create' : 'Created';
  const lines = [`${verb} ${inserted} and ${dryRun ? 'update' : 'updated'} ${updated} of ${submitted} rows; ${errors} with problems.`];
  for (const failure of result.errors ?? []) lines.push(...failure.error);
  if (errors > (result.errors?.length ?? 0)) lines.push(`(${errors - (result.errors?.length ?? 0)} more problems not listed)`);
  return lines.join('\n');
}

/** `portcullis user import|export --site`: the people file (docs/import-export.md). */
export function registerUserCommands(program: Command): void {
  const user = program.command('user').description("move a site's people in or out as a CSV file");

  siteCommand(user, 'import', 'create and update cardholders from a CSV file of Lockt user fields; all or nothing')
    .requiredOption('--file <path>', 'the CSV file')
    .option('--dry-run', 'check the file and say what it would change; write nothing')
    .option('--partial', 'write the rows that pass even when others fail')
    .action(async (flags: SiteFlags & { file: string; dryRun?: boolean; partial?: boolean }) => {
      const result = await withStore(flags, async (store) => {
        const site = await getSite(store.db, flags.site);
        const caller = { site, actor: { kind: 'cli' as const, name: 'portcullis user import' } };
        const options = { ...BATCH_OPTION_DEFAULTS, validate_fails_batch: !flags.partial };
        return importPeople(store.db, createReadStream(flags.file), caller, { site, clock: systemClock }, { dryRun: flags.dryRun === true, options });
      });
      print(flags, result, describeImport(result));
      // A dry run that found problems fails, as the import itself would.
      if (result.data.errors > 0 && result.data.dry_run)
        throw ERRORS.badRequest(`${result.data.errors} rows have problems (listed above); nothing was written.`);
    });

  siteCommand(user, 'export', 'write every cardholder as a CSV file in the import’s format; PINs are never exported')
    .option('--file <path>', 'where to write it (default: standard output)')
    .action(async (flags: SiteFlags & { file?: string }) => {
      await withStore(flags, async (store) => {
        await getSite(store.db, flags.site);
        await pipeline(await exportPeople(store.db, flags.site), flags.file ? createWriteStream(flags.file) : process.stdout, {
          end: flags.file !== undefined,
        });
      });
    });
}
