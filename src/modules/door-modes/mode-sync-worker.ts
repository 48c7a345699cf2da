import type { FastifyBaseLogger } from 'fastify';
import type { Queryable } from '../../db/queryable.ts';
import type { Clock } from '../../lib/clock.ts';
import { listSites } from '../sites/sites.service.ts';
import { syncDoorModes } from './mode-changes.service.ts';

/**
 * How often a serving process looks for doors whose mode changed by time alone. A device learns of such a
 * change within this plus one look's time (docs/door-modes.md), well inside a minute.
 */
export const MODE_SYNC_EVERY_MS = 10_000;

/**
 * Sends devices the modes their doors reach by time passing, which no write announces: every
 * `everyMs`, each site's doors are compared with the mode commands last queued for them
 * (`syncDoorModes`). Looks never overlap; the first runs at start, so a restart catches up at once.
 */
export class DoorModeSync {
  private timer: NodeJS.Timeout | undefined;
  private looking: Promise<number> = Promise.resolve(0);
  private stopped = false;

  constructor(
    private readonly db: Queryable,
    private readonly clock: Clock,
    private readonly everyMs: number,
    private readonly log: FastifyBaseLogger,
  ) {}

  start(): void {
    this.schedule(0);
  }

  /** No look starts after this; one under way is waited for, so the store is not closed under it. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.looking;
  }

  /**
   * One look over every site; returns the doors sent a mode. A site that fails is logged and looked at
   * again next time; the others are still served.
   */
  async look(): Promise<number> {
    let sent = 0;
    for (const site of await listSites(this.db)) {
      try {
        sent += await syncDoorModes(this.db, site, this.clock.now());
      } catch (error) {
        this.log.warn({ err: error, site: site.id }, 'door mode sync failed');
      }
    }
    return sent;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.looking = this.look()
        .catch((error: unknown) => {
          this.log.warn({ err: error }, 'door mode sync failed');
          return 0;
        })
        .finally(() => this.schedule(this.everyMs));
    }, ms);
    this.timer.unref();
  }
}
