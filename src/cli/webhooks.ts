import type { Command } from 'commander';
import { setting } from '../config.ts';
import { getSite } from '../modules/sites/sites.service.ts';
import { loadWebhookKey } from '../modules/webhooks/webhook-secrets.ts';
import { webhookOperations } from '../modules/webhooks/webhooks.operations.ts';
import { presentWebhook } from '../modules/webhooks/webhooks.presenter.ts';
import { listWebhooks } from '../modules/webhooks/webhooks.repository.ts';
import { type StoreFlags, numberList, print, runSiteBatch, siteCommand, wholeNumber, withStore } from './common.ts';

type SiteFlags = StoreFlags & { site: number };

type PolicyFlags = { allowHttp?: boolean; allowPrivate?: boolean };

/**
 * The webhook operations with the key and targets `serve` would have: the same settings, read and checked
 * by the same schema (src/config.ts), this command's flags winning over the environment.
 */
function operationsFor(flags: SiteFlags & PolicyFlags) {
  const policy = {
    allowHttp: setting('webhookAllowHttp', { webhookAllowHttp: flags.allowHttp }),
    allowPrivate: setting('webhookAllowPrivate', { webhookAllowPrivate: flags.allowPrivate }),
  };
  return webhookOperations({ key: loadWebhookKey(flags.data, setting('webhookKey')), policy });
}

/** The CLI as the audit trail names it. */
const CLI = 'portcullis webhook';

const secretNote = 'The secret is shown only now; verify deliveries with it (docs/webhooks.md).';

/** `portcullis webhook create|list|rotate|disable|delete --site`. A secret is printed once, when made. */
export function registerWebhookCommands(program: Command): void {
  const webhook = program.command('webhook').description("manage a site's webhooks (signed event deliveries)");

  siteCommand(webhook, 'create', 'subscribe a URL to the site’s events; prints its signing secret once')
    .requiredOption('--url <url>', 'https URL the events are POSTed to')
    .option('--codes <list>', 'only these event codes (with --categories: either matches)', numberList('--codes'))
    .option('--categories <list>', 'only these event categories', numberList('--categories'))
    .option('--doors <ids>', 'only events of these doors', numberList('--doors'))
    .option('--allow-http', 'accept an http URL (as serve --webhook-allow-http)')
    .option('--allow-private', 'accept a private or loopback address (as serve --webhook-allow-private)')
    .action(
      async (
        flags: SiteFlags & { url: string; codes?: number[]; categories?: number[]; doors?: number[]; allowHttp?: boolean; allowPrivate?: boolean },
      ) => {
        const record = { url: flags.url, codes: flags.codes, categories: flags.categories, doors: flags.doors };
        const result = await runSiteBatch(flags, CLI, operationsFor(flags).create, { webhooks: [record] });
        const [shown] = result.shown_once ?? [];
        print(flags, shown, `Created webhook ${shown?.id} for ${flags.url}.\nsecret: ${shown?.secret}\n${secretNote}`);
      },
    );

  siteCommand(webhook, 'list', "list a site's webhooks (never their secrets)").action(async (flags: SiteFlags) => {
    const rows = await withStore(flags, async (store) => {
      await getSite(store.db, flags.site);
      return listWebhooks(store.db, flags.site, 0, Number.MAX_SAFE_INTEGER);
    });
    const shown = rows.map(presentWebhook);
    const line = (w: (typeof shown)[number]) =>
      `${w.id}\t${w.enabled ? 'enabled' : `disabled${w.disabled_reason ? ` (${w.disabled_reason})` : ''}`}\t${w.url}\tcodes ${w.codes.join(',') || 'all'}\tcategories ${w.categories.join(',') || 'all'}\tdoors ${w.doors.join(',') || 'all'}`;
    print(flags, shown, shown.length === 0 ? 'No webhooks.' : shown.map(line).join('\n'));
  });

  siteCommand(webhook, 'rotate', 'make a new signing secret; the old one also signs for --overlap-hours')
    .requiredOption('--webhook <id>', 'webhook id', wholeNumber('--webhook'))
    .option('--overlap-hours <n>', 'hours the old secret keeps signing (default 24, at most 168)', wholeNumber('--overlap-hours'))
    .action(async (flags: SiteFlags & { webhook: number; overlapHours?: number }) => {
      const record = { id: flags.webhook, rotate_secret: true, ...(flags.overlapHours === undefined ? {} : { overlap_hours: flags.overlapHours }) };
      const result = await runSiteBatch(flags, CLI, operationsFor(flags).update, { webhooks: [record] });
      const [shown] = result.shown_once ?? [];
      print(flags, shown, `Rotated the secret of webhook ${flags.webhook}.\nsecret: ${shown?.secret}\n${secretNote}`);
    });

  siteCommand(webhook, 'disable', 'stop queueing and delivering events to a webhook (enable again with --enable)')
    .requiredOption('--webhook <id>', 'webhook id', wholeNumber('--webhook'))
    .option('--enable', 'enable it instead (also after Portcullis disabled it)')
    .action(async (flags: SiteFlags & { webhook: number; enable?: boolean }) => {
      await runSiteBatch(flags, CLI, operationsFor(flags).update, { webhooks: [{ id: flags.webhook, enabled: flags.enable === true }] });
      print(flags, { id: flags.webhook, enabled: flags.enable === true }, `Webhook ${flags.webhook} ${flags.enable ? 'enabled' : 'disabled'}.`);
    });

  siteCommand(webhook, 'delete', 'delete a webhook and its deliveries')
    .requiredOption('--webhook <id>', 'webhook id', wholeNumber('--webhook'))
    .action(async (flags: SiteFlags & { webhook: number }) => {
      await runSiteBatch(flags, CLI, operationsFor(flags).remove, { webhooks: [{ id: flags.webhook }] });
      print(flags, { id: flags.webhook, deleted: true }, `Deleted webhook ${flags.webhook}.`);
    });
}
