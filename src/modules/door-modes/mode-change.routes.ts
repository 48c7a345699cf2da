import type { Queryable } from '../../db/queryable.ts';
import type { BatchOperation } from '../../domain/batch.ts';
import { type BatchCaller, runBatch } from '../../http/batch.ts';
import type { BatchCall } from '../../http/lockt/routes.ts';
import { signalDevices } from '../devices/device-commands.service.ts';
import type { AppContext } from '../module.ts';
import type { ModeChangeCall } from './mode-changes.service.ts';

/** A mode change made for the caller of `site`, named as `by`, with no device queued yet. */
function modeChangeCall(site: ModeChangeCall['site'], by: string, now: number): ModeChangeCall {
  return { site, by, now, queued: new Set() };
}

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
  const call = modeChangeCall(caller.site, by, now);
  const result = await runBatch(db, operation, body, caller, call);
  signalDevices(db, call.queued);
  return result;
}

/** How a Lockt route (`batchCallRoute`) changes doors' modes: named as its API key, devices woken after commit. */
export function apiKeyModeChange({ db, clock }: Pick<AppContext, 'db' | 'clock'>): BatchCall<ModeChangeCall> {
  return {
    call: (principal) => modeChangeCall(principal.site, `API key ${principal.apiuser}`, clock.now()),
    afterCommit: (call) => signalDevices(db, call.queued),
  };
}
