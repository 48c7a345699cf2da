import { Command, CommanderError } from 'commander';
import { registerBackupCommands } from './cli/backup.ts';
import { registerDeviceCommands } from './cli/devices.ts';
import { registerKeyCommands } from './cli/keys.ts';
import { registerMaintenanceCommands } from './cli/maintenance.ts';
import { registerOperatorCommands } from './cli/operators.ts';
import { registerSiteCommands } from './cli/sites.ts';
import { registerUserCommands } from './cli/users.ts';
import { registerWebhookCommands } from './cli/webhooks.ts';
import { registerLockdownCommands } from './cli/lockdowns.ts';
import { type StoreFlags, UsageError, describeFailure, print, withStore, withStoreFlags } from './cli/common.ts';
import { ConfigError, type Flags, type SettingName, serverConfig, settingFlag } from './config.ts';
import { migrateToLatest } from './db/migrate.ts';
import { VERSION } from './lib/release.ts';
import { startServer } from './server.ts';

/** A shutdown (SIGTERM, Ctrl-C) ends within this, whatever is left (docs/faults.md). */
const SHUTDOWN_LIMIT_MS = 10_000;

/** What `serve` takes beyond the store flags every command has. */
const SERVE_SETTINGS: SettingName[] = [
  'host',
  'port',
  'tlsCert',
  'tlsKey',
  'trustedProxies',
  'bodyLimit',
  'logLevel',
  'rateLimit',
  'rateLimitWindow',
  'webhookAllowHttp',
  'webhookAllowPrivate',
  'metricsToken',
];

function buildProgram(): Command {
  const program = new Command('portcullis').description('Portcullis access-control server').version(VERSION).showHelpAfterError().exitOverride();

  const serve = withStoreFlags(program.command('serve')).description('serve the APIs over HTTPS');
  for (const name of SERVE_SETTINGS) {
    const option = settingFlag(name);
    if (option) serve.option(option.flag, option.help);
  }
  serve.action(async (flags: Flags) => {
    const server = await startServer(serverConfig(flags), (line) => process.stdout.write(`${line}\n`));
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    // A second signal means now; and a shutdown that hangs anyway is ended.
    const now = () => process.exit(1);
    process.once('SIGINT', now);
    process.once('SIGTERM', now);
    setTimeout(now, SHUTDOWN_LIMIT_MS).unref();
    await server.close();
  });

  withStoreFlags(program.command('migrate'))
    .description('bring the store to the latest schema')
    .action(async (flags: StoreFlags) => {
      const applied = await withStore(flags, (store) => migrateToLatest(store.db));
      print(flags, { applied }, applied.length === 0 ? 'Schema is up to date.' : `Applied: ${applied.join(', ')}`);
    });

  registerSiteCommands(program);
  registerKeyCommands(program);
  registerMaintenanceCommands(program);
  registerOperatorCommands(program);
  registerDeviceCommands(program);
  registerWebhookCommands(program);
  registerLockdownCommands(program);
  registerBackupCommands(program);
  registerUserCommands(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code (0 ok, 1 failed, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its own message (or the help/version it was asked for).
      return error.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`portcullis: ${describeFailure(error)}\n`);
    return error instanceof UsageError || error instanceof ConfigError ? 2 : 1;
  }
}
