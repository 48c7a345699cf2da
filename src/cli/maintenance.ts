import type { Command } from 'commander';
import { systemClock } from '../lib/clock.ts';
import { presentMaintenanceWindow } from '../modules/maintenance/maintenance.presenter.ts';
import { addMaintenanceWindow, listMaintenanceWindows, removeMaintenanceWindow } from '../modules/maintenance/maintenance.service.ts';
import { getSite } from '../modules/sites/sites.service.ts';
import { type StoreFlags, print, siteCommand, wholeNumber, withStore } from './common.ts';

/** `portcullis maintenance add|list|remove`: the windows `GET /maintenance` announces. */
export function registerMaintenanceCommands(program: Command): void {
  const maintenance = program.command('maintenance').description('announce maintenance windows');

  siteCommand(maintenance, 'add', 'announce a maintenance window')
    .requiredOption('--title <title>', 'short title')
    .requiredOption('--start <time>', "start, YYYY-MM-DD HH:MM:SS in the site's zone or ISO 8601")
    .requiredOption('--end <time>', "end, YYYY-MM-DD HH:MM:SS in the site's zone or ISO 8601")
    .option('--notice <text>', 'what clients should expect', '')
    .option('--notification-only', 'the API stays available: this only informs')
    .action(async (flags: StoreFlags & { site: number; title: string; start: string; end: string; notice: string; notificationOnly?: boolean }) => {
      const shown = await withStore(flags, async (store) => {
        const site = await getSite(store.db, flags.site);
        const window = await addMaintenanceWindow(store.db, site, { ...flags, notificationOnly: flags.notificationOnly === true }, systemClock);
        return presentMaintenanceWindow(window, site.timezone);
      });
      print(flags, shown, `Maintenance window ${shown.id} announced: ${shown.start_date} to ${shown.end_date}.`);
    });

  siteCommand(maintenance, 'list', "list a site's current and coming windows").action(async (flags: StoreFlags & { site: number }) => {
    const shown = await withStore(flags, async (store) => {
      const site = await getSite(store.db, flags.site);
      const windows = await listMaintenanceWindows(store.db, site.id, systemClock);
      return windows.map((w) => presentMaintenanceWindow(w, site.timezone));
    });
    print(
      flags,
      shown,
      shown.length === 0 ? 'No maintenance windows.' : shown.map((w) => `${w.id}\t${w.start_date} to ${w.end_date}\t${w.title}`).join('\n'),
    );
  });

  siteCommand(maintenance, 'remove', 'withdraw a maintenance window')
    .requiredOption('--id <id>', 'window id', wholeNumber('--id'))
    .action(async (flags: StoreFlags & { site: number; id: number }) => {
      await withStore(flags, (store) => removeMaintenanceWindow(store.db, flags.site, flags.id));
      print(flags, { removed: flags.id }, `Maintenance window ${flags.id} removed.`);
    });
}
