import type { Command } from 'commander';
import { systemClock } from '../lib/clock.ts';
import { changeSite, listSites, createSite } from '../modules/sites/sites.service.ts';
import type { Site } from '../domain/site.ts';
import { type StoreFlags, print, siteCommand, trueOrFalse, wholeNumber, withStore, withStoreFlags } from './common.ts';

const wire = (site: Site) => ({ id: site.id, name: site.name, timezone: site.timezone });

/** `portcullis site create|list|set`. */
export function registerSiteCommands(program: Command): void {
  const site = program.command('site').description('manage sites (one customer instance each)');

  withStoreFlags(site.command('create'))
    .description('create a site and its first API key')
    .requiredOption('--name <name>', 'site name')
    .option('--timezone <zone>', 'IANA time zone for zone-less times', 'UTC')
    .action(async (flags: StoreFlags & { name: string; timezone: string }) => {
      const created = await withStore(flags, (store) => createSite(store.db, { name: flags.name, timezone: flags.timezone }, systemClock));
      const value = { site: wire(created.site), apiuser: created.apiuser, apikey: created.apikey };
      print(
        flags,
        value,
        `Created site ${created.site.id} "${created.site.name}" (${created.site.timezone}).\n` +
          `apiuser: ${created.apiuser}\napikey:  ${created.apikey}\n` +
          'The apikey is shown only now; Portcullis keeps only its hash.',
      );
    });

  withStoreFlags(site.command('list'))
    .description('list sites')
    .action(async (flags: StoreFlags) => {
      const sites = await withStore(flags, (store) => listSites(store.db));
      print(flags, sites.map(wire), sites.length === 0 ? 'No sites.' : sites.map((s) => `${s.id}\t${s.name}\t${s.timezone}`).join('\n'));
    });

  siteCommand(site, 'set', "change a site's name, time zone or rules")
    .option('--name <name>', 'new name')
    .option('--timezone <zone>', 'new IANA time zone')
    .option('--card-num-max-length <n>', 'longest card number, in digits', wholeNumber('--card-num-max-length'))
    .option('--pin-min-length <n>', 'shortest PIN, in digits', wholeNumber('--pin-min-length'))
    .option('--pin-max-length <n>', 'longest PIN, in digits', wholeNumber('--pin-max-length'))
    .option('--unique-pins <bool>', 'whether PINs must be unique (true|false)', trueOrFalse('--unique-pins'))
    .option('--events-limit <n>', 'most events one /events call returns', wholeNumber('--events-limit'))
    .action(
      async (
        flags: StoreFlags & {
          site: number;
          name?: string;
          timezone?: string;
          cardNumMaxLength?: number;
          pinMinLength?: number;
          pinMaxLength?: number;
          uniquePins?: boolean;
          eventsLimit?: number;
        },
      ) => {
        const audit = { actor: { kind: 'cli' as const, name: 'portcullis site' }, at: systemClock.now() };
        const changed = await withStore(flags, (store) => changeSite(store.db, flags.site, flags, audit));
        print(flags, { site: wire(changed), settings: changed.settings }, `Site ${changed.id} updated.`);
      },
    );
}
