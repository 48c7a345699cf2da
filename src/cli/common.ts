import type { Command } from 'commander';
import { migrateToLatest } from '../db/migrate.ts';
import { type Store, openStore } from '../db/open.ts';
import type { BatchOperation, SiteCall } from '../domain/batch.ts';
import type { Site } from '../domain/site.ts';
import { type BatchCaller, type BatchResult, runBatch } from '../http/batch.ts';
import { systemClock } from '../lib/clock.ts';
import { getSite } from '../modules/sites/sites.service.ts';
import { PortcullisError } from '../domain/errors.ts';
import { setting, settingFlag } from '../config.ts';

/** Options every command takes. */
export interface StoreFlags {
  data: string;
  databaseUrl?: string;
  json?: boolean;
}

/** Adds `--data`, `--database-url` and `--json` to a command; the first two default to what the environment or the schema says. */
export function withStoreFlags(command: Command): Command {
  for (const name of ['data', 'databaseUrl'] as const) {
    const option = settingFlag(name);
    if (option) command.option(option.flag, option.help, setting(name));
  }
  return command.option('--json', 'print machine-readable JSON');
}

/** A subcommand of `parent` that acts on one site of the store: the store flags and a required `--site <id>`. */
export function siteCommand(parent: Command, name: string, description: string): Command {
  return withStoreFlags(parent.command(name)).description(description).requiredOption('--site <id>', 'site id', wholeNumber('--site'));
}

/** Opens and migrates the store the flags name, runs `work`, and always closes it. */
export async function withStore<T>(flags: StoreFlags, work: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore({ dataDir: flags.data, databaseUrl: flags.databaseUrl || undefined });
  try {
    await migrateToLatest(store.db);
    return await work(store);
  } finally {
    await store.close();
  }
}

/** The CLI as a batch's caller: one record a call, named `name` in the audit trail. */
export function cliCaller(site: Site, name: string): BatchCaller & { site: Site } {
  return { maxBatchSize: 1, site, actor: { kind: 'cli', name } };
}

/** Runs a batch operation for the flags' site as the CLI (`name`), through the runner and rules of its route. */
export function runSiteBatch<Input, Plan>(
  flags: StoreFlags & { site: number },
  name: string,
  operation: BatchOperation<Input, Plan, SiteCall>,
  body: Record<string, unknown>,
): Promise<BatchResult> {
  return withStore(flags, async (store) => {
    const site = await getSite(store.db, flags.site);
    return runBatch(store.db, operation, body, cliCaller(site, name), { site, clock: systemClock });
  });
}

/** Prints `value` as JSON with --json, else the human text. */
export function print(flags: { json?: boolean }, value: unknown, human: string): void {
  process.stdout.write(flags.json ? `${JSON.stringify(value, null, 2)}\n` : `${human}\n`);
}

/** A command-line argument that must be a whole number. */
export function wholeNumber(label: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new UsageError(`${label} must be a whole number, got '${value}'`);
    return Number.parseInt(value, 10);
  };
}

/** A comma-separated list of whole numbers, such as `--codes 48,49`. */
export function numberList(label: string) {
  const number = wholeNumber(label);
  return (value: string): number[] => value.split(',').map((part) => number(part.trim()));
}

/** A command-line argument that must be true or false. */
export function trueOrFalse(label: string) {
  return (value: string): boolean => {
    if (value === 'true') return true;
    if (value === 'false') return false;
    throw new UsageError(`${label} must be true or false, got '${value}'`);
  };
}

/** A mistake in how the command was called: reported with exit code 2. */
export class UsageError extends Error {}

/** The message a failure prints: domain failures as they are, anything else with its message. */
export function describeFailure(error: unknown): string {
  // A batch's failure names what was wrong with each record (the batch runner behind `webhook create`).
  if (error instanceof PortcullisError && error.failures.length > 0) return error.failures.flatMap((f) => f.messages).join('; ');
  if (error instanceof PortcullisError || error instanceof UsageError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
