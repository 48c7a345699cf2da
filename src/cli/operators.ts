import type { Command } from 'commander';
import { systemClock } from '../lib/clock.ts';
import { getSite } from '../modules/sites/sites.service.ts';
import { unlockOperator } from '../modules/operator-sessions/operator-sessions.service.ts';
import { type OperatorChange, type OperatorInfo, changeOperator, createOperator, listOperators } from '../modules/users/operators.service.ts';
import { type StoreFlags, print, siteCommand, wholeNumber, withStore } from './common.ts';

const line = (o: OperatorInfo) =>
  `${o.id}\t${o.username}\t${o.role}${o.enabled ? '' : ' (disabled)'}\t${[o.first_name, o.last_name].filter(Boolean).join(' ')}`.trimEnd();

interface ManageFlags extends StoreFlags {
  site: number;
  username: string;
}

interface CreateFlags extends StoreFlags {
  site: number;
  username: string;
  password: string;
  role: string;
  firstName?: string;
  lastName?: string;
  scope?: string;
}

/** The management commands: each names an account of the site and what to do to it. */
const MANAGE: {
  name: string;
  description: string;
  option?: [string, string, ((value: string) => unknown)?];
  change: (flags: Record<string, unknown>) => OperatorChange;
}[] = [
  { name: 'disable', description: 'refuse the account every login and end its sessions', change: () => ({ kind: 'disable' }) },
  { name: 'enable', description: 'let a disabled account log in again', change: () => ({ kind: 'enable' }) },
  { name: 'remove', description: 'delete the account and end its sessions', change: () => ({ kind: 'remove' }) },
  { name: 'logout', description: 'end every session of the account (its tokens stop working at once)', change: () => ({ kind: 'logout' }) },
  {
    name: 'set-role',
    description: "change the account's role (admin, manager or installer) and end its sessions",
    option: ['--role <role>', 'admin, manager or installer'],
    change: (flags) => ({ kind: 'set-role', role: String(flags.role) }),
  },
  {
    name: 'set-password',
    description: "change the account's password (at least 8 characters) and end its sessions",
    option: ['--password <password>', 'the new password'],
    change: (flags) => ({ kind: 'set-password', password: String(flags.password) }),
  },
  {
    name: 'set-scope',
    description: 'which identifiers the panel face shows the account: site (all) or own (those it created); ends its sessions',
    option: ['--scope <scope>', 'site or own'],
    change: (flags) => ({ kind: 'set-scope', scope: String(flags.scope) }),
  },
  {
    name: 'set-rate-limit',
    description: "give the account its own request budget per rate-limit window, for a large sync (0: the server's)",
    option: ['--requests <n>', 'requests per window; 0 for the server default', wholeNumber('--requests')],
    change: (flags) => ({ kind: 'set-rate-limit', rateLimit: Number(flags.requests) || null }),
  },
];

/**
 * `portcullis operator create|list|disable|enable|remove|logout|set-role|set-password|set-scope|set-rate-limit|
 * unlock`: a site's application accounts (admin, manager, installer). The password is kept only as a
 * hash and never printed.
 */
export function registerOperatorCommands(program: Command): void {
  const operator = program.command('operator').description('manage operator accounts (admin, manager, installer)');

  siteCommand(operator, 'create', 'create an operator account for a site')
    .requiredOption('--username <name>', 'login name, unique within the site (case does not matter)')
    .requiredOption('--password <password>', 'at least 8 characters')
    .requiredOption('--role <role>', 'admin, manager or installer')
    .option('--first-name <name>', 'first name')
    .option('--last-name <name>', 'last name')
    .option('--scope <scope>', 'identifiers it sees on the panel face: site (all, default) or own (those it created)')
    .action(async (flags: CreateFlags) => {
      const created = await withStore(flags, async (store) => {
        await getSite(store.db, flags.site);
        return createOperator(store.db, flags.site, flags, systemClock);
      });
      print(flags, created, `Created ${created.role} ${created.username} (id ${created.id}) in site ${created.site_id}.`);
    });

  siteCommand(operator, 'list', "list a site's operator accounts").action(async (flags: StoreFlags & { site: number }) => {
    const operators = await withStore(flags, async (store) => {
      await getSite(store.db, flags.site);
      return listOperators(store.db, flags.site);
    });
    print(flags, operators, operators.length === 0 ? 'No operators.' : operators.map(line).join('\n'));
  });

  for (const command of MANAGE) {
    const sub = siteCommand(operator, command.name, command.description).requiredOption('--username <name>', 'the account (case does not matter)');
    if (command.option) {
      const [flag, description, parse] = command.option;
      if (parse) sub.requiredOption(flag, description, parse);
      else sub.requiredOption(flag, description);
    }
    sub.action(async (flags: ManageFlags & Record<string, unknown>) => {
      const result = await withStore(flags, (store) =>
        changeOperator(store.db, flags.site, flags.username, command.change(flags), { kind: 'cli', name: 'portcullis operator' }, systemClock),
      );
      const ended = result.sessionsEnded === 1 ? '1 session ended' : `${result.sessionsEnded} sessions ended`;
      print(flags, result, `${command.name}: ${result.operator.username} in site ${flags.site} (${ended}).`);
    });
  }

  siteCommand(operator, 'unlock', 'forget failed logins against the account from every address (lifts a lock-out)')
    .requiredOption('--username <name>', 'the account (case does not matter)')
    .action(async (flags: ManageFlags) => {
      const cleared = await withStore(flags, (store) => unlockOperator(store.db, flags.site, flags.username));
      print(flags, { cleared }, `Unlocked ${flags.username.trim()} in site ${flags.site} (${cleared} address${cleared === 1 ? '' : 'es'} cleared).`);
    });
}
