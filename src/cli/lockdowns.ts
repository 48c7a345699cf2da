import type { Command } from 'commander';
import type { BatchOperation } from '../domain/batch.ts';
import type { BatchResult } from '../http/batch.ts';
import { systemClock } from '../lib/clock.ts';
import { runModeChange } from '../modules/door-modes/mode-change.routes.ts';
import type { ModeChangeCall } from '../modules/door-modes/mode-changes.service.ts';
import { presentLockdown } from '../modules/lockdowns/lockdowns.presenter.ts';
import { listLockdowns } from '../modules/lockdowns/lockdowns.repository.ts';
import { clearLockdowns, createLockdowns, startLockdowns } from '../modules/lockdowns/lockdowns.routes.ts';
import { getSite } from '../modules/sites/sites.service.ts';
import { type StoreFlags, cliCaller, numberList, print, runSiteBatch, siteCommand, wholeNumber, withStore } from './common.ts';

type SiteFlags = StoreFlags & { site: number };
type CreateFlags = SiteFlags & {
  name: string;
  location?: number;
  doors?: number[];
  priority?: number;
  mode?: string;
  responders?: number[];
  autoRevert?: number;
};

/** The CLI as the audit trail, the plan's `active_by` and the doors' overrides name it. */
const CLI = 'portcullis lockdown';

/** Starts or clears one plan by name, through the rules and runner of `POST /lockdown/start|clear`. */
function runAction<Input, Plan>(flags: SiteFlags & { name: string }, operation: BatchOperation<Input, Plan, ModeChangeCall>): Promise<BatchResult> {
  return withStore(flags, async (store) => {
    const site = await getSite(store.db, flags.site);
    return runModeChange(store.db, operation, { lockdowns: [{ name: flags.name }] }, cliCaller(site, CLI), CLI, systemClock.now());
  });
}

/** `portcullis lockdown create|start|clear|list --site` (docs/door-modes.md). */
export function registerLockdownCommands(program: Command): void {
  const lockdown = program.command('lockdown').description("manage a site's lockdown and egress plans");

  siteCommand(lockdown, 'create', 'create a plan over the site, a location (--location) or doors (--doors)')
    .requiredOption('--name <name>', 'the plan’s name, unique in the site')
    .option('--location <id>', 'cover the doors of this location', wholeNumber('--location'))
    .option('--doors <ids>', 'cover these doors, comma-separated', numberList('--doors'))
    .option('--priority <n>', 'of several started plans on a door the highest wins (default 0)', wholeNumber('--priority'))
    .option('--mode <mode>', 'lockdown (doors locked, the default) or egress (doors unlocked)')
    .option('--responders <ids>', 'access levels whose holders still pass a lockdown, comma-separated', numberList('--responders'))
    .option('--auto-revert <seconds>', 'a start clears itself this many seconds later', wholeNumber('--auto-revert'))
    .action(async (flags: CreateFlags) => {
      const record = {
        name: flags.name,
        mode: flags.mode,
        priority: flags.priority,
        location_id: flags.location,
        door_ids: flags.doors,
        responders: flags.responders,
        auto_revert_seconds: flags.autoRevert,
      };
      const result = await runSiteBatch(flags, CLI, createLockdowns, { lockdowns: [record] });
      print(flags, result.data, `Created lockdown plan ${flags.name}.`);
    });

  siteCommand(lockdown, 'start', 'start a plan: every door it covers takes its mode at once')
    .requiredOption('--name <name>', 'the plan’s name')
    .action(async (flags: SiteFlags & { name: string }) => {
      const result = await runAction(flags, startLockdowns);
      print(
        flags,
        result.data,
        result.data.processed === 0 ? `Lockdown plan ${flags.name} was already started.` : `Started lockdown plan ${flags.name}.`,
      );
    });

  siteCommand(lockdown, 'clear', 'clear a started plan: its doors return to the next plan, their override or schedule')
    .requiredOption('--name <name>', 'the plan’s name')
    .action(async (flags: SiteFlags & { name: string }) => {
      const result = await runAction(flags, clearLockdowns);
      print(
        flags,
        result.data,
        result.data.processed === 0 ? `Lockdown plan ${flags.name} was not started.` : `Cleared lockdown plan ${flags.name}.`,
      );
    });

  siteCommand(lockdown, 'list', "list a site's plans and whether each is started").action(async (flags: SiteFlags) => {
    const { site, rows } = await withStore(flags, async (store) => {
      const found = await getSite(store.db, flags.site);
      return { site: found, rows: await listLockdowns(store.db, found.id, 0, Number.MAX_SAFE_INTEGER) };
    });
    const shown = rows.map((row) => presentLockdown(row, site));
    const scopeOf = (p: (typeof shown)[number]) =>
      p.scope === 'location' ? `location ${p.location_id}` : p.scope === 'doors' ? `doors ${p.door_ids.join(',')}` : 'site';
    const line = (p: (typeof shown)[number]) =>
      `${p.id}\t${p.name}\t${p.mode}\tpriority ${p.priority}\t${scopeOf(p)}\t${p.active ? `started ${p.active_since} by ${p.active_by}` : 'not started'}`;
    print(flags, shown, shown.length === 0 ? 'No lockdown plans.' : shown.map(line).join('\n'));
  });
}
