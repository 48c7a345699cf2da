import { type DoorModeFacts, doorModeAt } from '../../access/door-mode.ts';
import { doorModeOf, findDoorModes } from '../../access/facts.repository.ts';
import type { Queryable } from '../../db/queryable.ts';
import type { Site } from '../../domain/site.ts';
import { queueModeCommands } from '../devices/device-commands.service.ts';

/**
 * What a write that changes doors' modes carries (overrides, lockdown starts and clears): whose site, who
 * does it as the door's override and the plan name it (`API key alice`, `operator bob (admin)`, `cli`),
 * when, and the devices to wake once it commits.
 */
export interface ModeChangeCall {
  site: Site;
  by: string;
  now: number;
  queued: Set<number>;
}

/**
 * These doors' mode facts as the engine reads them (src/access/facts.repository.ts): one door's alone, or
 * the site's whole (eight queries whatever its size) when a change touches several.
 */
export async function doorModeFactsOf(db: Queryable, siteId: number, doorIds: readonly number[]): Promise<Map<number, DoorModeFacts>> {
  const [only] = doorIds;
  const site = await findDoorModes(db, siteId, doorIds.length === 1 && only !== undefined ? only : null);
  return new Map(doorIds.map((doorId) => [doorId, doorModeOf(site, doorId)]));
}

/**
 * Inside the writing transaction, after the change: each door's mode as the engine now resolves it, sent
 * to its devices as a mode command. The same transaction announces the site's change to the access index
 * (writeTransaction), so decisions and devices learn of it from one commit.
 */
export async function sendDoorModes(trx: Queryable, doorIds: readonly number[], call: ModeChangeCall): Promise<void> {
  const facts = await doorModeFactsOf(trx, call.site.id, doorIds);
  const modes = new Map([...facts].map(([doorId, doorFacts]) => [doorId, doorModeAt(doorFacts, call.now, call.site.timezone).mode]));
  for (const device of await queueModeCommands(trx, call.site.id, modes, call.by, call.now)) call.queued.add(device);
}
