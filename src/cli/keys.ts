import type { Command } from 'commander';
import { systemClock } from '../lib/clock.ts';
import { type ApiKeyInfo, changeApiKeySettings, issueApiKey, listApiKeys, revokeApiKey } from '../modules/api-keys/api-keys.service.ts';
import { getSite } from '../modules/sites/sites.service.ts';
import { type StoreFlags, UsageError, print, siteCommand, trueOrFalse, wholeNumber, withStore, withStoreFlags } from './common.ts';

const line = (k: ApiKeyInfo) =>
  `${k.apiuser}\tsite ${k.site_id}\tmax_batch_size ${k.max_batch_size}\t${k.revoked ? 'revoked' : k.enabled ? 'enabled' : 'disabled'}`;

/** `portcullis key create|list|revoke|set`. Secrets are printed once, at creation, and never again. */
export function registerKeyCommands(program: Command): void {
  const key = program.command('key').description('manage API keys');

  siteCommand(key, 'create', 'issue a new API key for a site').action(async (flags: StoreFlags & { site: number }) => {
    const issued = await withStore(flags, async (store) => {
      await getSite(store.db, flags.site);
      return issueApiKey(store.db, flags.site, systemClock);
    });
    print(
      flags,
      { site_id: flags.site, ...issued },
      `apiuser: ${issued.apiuser}\napikey:  ${issued.apikey}\nThe apikey is shown only now; Portcullis keeps only its hash.`,
    );
  });

  siteCommand(key, 'list', "list a site's API keys (never their secrets)").action(async (flags: StoreFlags & { site: number }) => {
    const keys = await withStore(flags, async (store) => {
      await getSite(store.db, flags.site);
      return listApiKeys(store.db, flags.site);
    });
    print(flags, keys, keys.length === 0 ? 'No keys.' : keys.map(line).join('\n'));
  });

  withStoreFlags(key.command('revoke'))
    .description('revoke an API key for good')
    .requiredOption('--apiuser <apiuser>', 'the key to revoke')
    .action(async (flags: StoreFlags & { apiuser: string }) => {
      const revoked = await withStore(flags, (store) => revokeApiKey(store.db, flags.apiuser, systemClock));
      print(flags, revoked, `Revoked ${revoked.apiuser}.`);
    });

  withStoreFlags(key.command('set'))
    .description("change an API key's settings")
    .requiredOption('--apiuser <apiuser>', 'the key to change')
    .option('--max-batch-size <n>', 'most records per write call', wholeNumber('--max-batch-size'))
    .option('--enabled <bool>', 'enable or disable the key (true|false)', trueOrFalse('--enabled'))
    .action(async (flags: StoreFlags & { apiuser: string; maxBatchSize?: number; enabled?: boolean }) => {
      if (flags.maxBatchSize === undefined && flags.enabled === undefined) {
        throw new UsageError('key set needs --max-batch-size or --enabled');
      }
      const changed = await withStore(flags, (store) => changeApiKeySettings(store.db, flags.apiuser, flags));
      print(flags, changed, line(changed));
    });
}
