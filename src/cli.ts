import { Command, CommanderError } from 'commander';
import { registerBackupCommands } from './cli/backup.ts';
import { registerDeviceCommands } from './cli/devices.ts';
import { registerKeyCommands } from './cli/keys.ts';
import { registerMaintenanceCommands } from './cli/maintenance.ts';
import { registerOperatorCommands } from './cli/operators.ts';
import { registerSiteCommands } from './cli/sites.ts';
import { registerWebhookCommands } from './cli/webhooks.ts';
import { type StoreFlags, UsageError, describeFailure, print, wholeNumber, withStore, withStoreFlags } from './cli/common.ts';
import { type ServeFlags, serverConfig } from './config.ts';
import { migrateToLatest } from './db/migrate.ts';
import { VERSION } from './lib/release.ts';
import { startServer } from './server.ts';

/** A shutdown (SIGTERM, Ctrl-C) ends within this, whatever is left (docs/faults.md). */
const SHUTDOWN_LIMIT_MS = 10_000;

function buildProgram(): Command {
  const program = new Command('portcullis')
    .description('Portcullis access-control server')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();

  withStoreFlags(program.command('serve'))
    .description('serve the APIs over HTTPS')
    .option('--host <host>', 'address to bind (default $PORTCULLIS_HOST or 0.0.0.0)')
    .option('--port <port>', 'port to bind (default $PORTCULLIS_PORT or 8443)', wholeNumber('--port'))
    .option('--tls-cert <file>', 'PEM certificate (default: self-signed, made in <data>/tls)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--trusted-proxies <list>', 'behind a TLS-terminating proxy: its comma-separated addresses/CIDRs')
    .option('--body-limit <bytes>', 'largest request body (default 1048576)', wholeNumber('--body-limit'))
    .option('--log-level <level>', 'pino log level (default info)')
    .option('--rate-limit <requests>', 'requests per window for each API key, device, operator or address; 0: off (default 600)', wholeNumber('--rate-limit'))
    .option('--rate-limit-window <seconds>', 'the rate limit window (default 60)', wholeNumber('--rate-limit-window'))
    .option('--webhook-allow-http', 'let webhooks deliver over plain http (default $PORTCULLIS_WEBHOOK_ALLOW_HTTP or no)')
    .option('--webhook-allow-private', 'let webhooks deliver to private, loopback and link-local addresses (default $PORTCULLIS_WEBHOOK_ALLOW_PRIVATE or no)')
    .option('--metrics-token <token>', 'serve GET /metrics to scrapers presenting this bearer token (default $PORTCULLIS_METRICS_TOKEN; unset: no /metrics)')
    .action(async (flags: ServeFlags) => {
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
  registerBackupCommands(program);
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
    return error instanceof UsageError ? 2 : 1;
  }
}
