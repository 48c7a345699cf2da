import type { Queryable } from '../../db/queryable.ts';
import type { BatchOperation } from '../../domain/batch.ts';
import { type BatchCaller, runBatch } from '../../http/batch.ts';
import { bodyFor, responseFor } from '../../http/lockt/routes.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { signalDevices } from '../devices/device-commands.service.ts';
import { type AppContext, LOCKT_API_KEY, LOCKT_SECURITY, type TypedApp } from '../module.ts';
import type { ModeChangeCall } from './mode-changes.service.ts';

/**
 * Runs a batch that changes doors' modes (an override, a lockdown start or clear) for `caller`, named as
 * `by`, and wakes the devices it queued mode commands for once it has committed.
 */
export async function runModeChange<Input, Plan>(
  db: Queryable,
  operation: BatchOperation<Input, Plan, ModeChangeCall>,
  body: unknown,
  caller: BatchCaller & { site: ModeChangeCall['site'] },
  by: string,
  now: number,
) {
  const call: ModeChangeCall = { site: caller.site, by, now, queued: new Set() };
  const result = await runBatch(db, operation, body, caller, call);
  signalDevices(db, call.queued);
  return result;
}

/** A Lockt batch route behind the site's API key whose operation changes doors' modes (process summary). */
export function modeChangeRoute<Input, Plan>(
  app: TypedApp,
  route: { url: string; tags: string[]; summary: string; method: 'POST' | 'DELETE'; operation: BatchOperation<Input, Plan, ModeChangeCall> },
  { db, clock }: Pick<AppContext, 'db' | 'clock'>,
): void {
  app.route({
    method: route.method,
    url: route.url,
    config: LOCKT_API_KEY,
    schema: {
      tags: route.tags,
      security: LOCKT_SECURITY,
      summary: route.summary,
      body: bodyFor(route.operation),
      response: { 200: responseFor(route.operation.summary) },
    },
    handler: async (request) => {
      const principal = principalOf(request);
      return runModeChange(db, route.operation, request.body, principal, `API key ${principal.apiuser}`, clock.now());
    },
  });
}
