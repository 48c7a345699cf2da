import type { Command } from 'commander';
import { systemClock } from '../lib/clock.ts';
import { getSite } from '../modules/sites/sites.service.ts';
import { type OperatorInfo, createOperator, listOperators } from '../modules/users/operators.service.ts';
import { type StoreFlags, print, siteCommand, withStore } from './common.ts';

const line = (o: OperatorInfo) => `${o.id}\t${o.username}\t${o.role}\t${[o.first_name, o.last_name].filter(Boolean).join(' ')}`.trimEnd();

interface CreateFlags extends StoreFlags {
  site: number;
  username: string;
  password: string;
  role: string;
  firstName?: string;
  lastName?: string;
}

/**
 * `portcullis operator create|list`: a site's application accounts (admin, manager, installer). The
 * password is kept only as a hash and never printed.
 */
export function registerOperatorCommands(program: Command): void {
  const operator = program.command('operator').description('manage operator accounts (admin, manager, installer)');

  siteCommand(operator, 'create', 'create an operator account for a site')
    .requiredOption('--username <name>', 'login name, unique within the site (case does not matter)')
    .requiredOption('--password <password>', 'at least 8 characters')
    .requiredOption('--role <role>', 'admin, manager or installer')
    .option('--first-name <name>', 'first name')
    .option('--last-name <name>', 'last name')
    .action(async (flags: CreateFlags) => {
      const created = await withStore(flags, async (store) => {
        await getSite(store.db, flags.site);
        return createOperator(store.db, flags.site, flags, systemClock);
      });
      print(flags, created, `Created ${created.role} ${created.username} (id ${created.id}) in site ${created.site_id}.`);
    });

  siteCommand(operator, 'list', "list a site's operator accounts")
    .action(async (flags: StoreFlags & { site: number }) => {
      const operators = await withStore(flags, async (store) => {
        await getSite(store.db, flags.site);
        return listOperators(store.db, flags.site);
      });
      print(flags, operators, operators.length === 0 ? 'No operators.' : operators.map(line).join('\n'));
    });
}
