import { transactionChanging } from '../db/change-feed.ts';
import { secondsSince, signalsOf } from '../metrics/signals.ts';
import type { Queryable } from '../db/queryable.ts';
import { type NewEvent, appendEvents } from './event-log.ts';

/** One writer's part of a shared commit: what it does in the transaction, and the event that records it. */
interface PendingEvent {
  siteId: number;
  /** Whether `prepare` changes what later decisions must see (it spends a pass): the caches are told. */
  changesSite: boolean;
  prepare: (trx: Queryable) => Promise<NewEvent>;
  resolve: (eventId: number) => void;
  reject: (error: unknown) => void;
}

/** Enough to share one commit among every connection of a busy site, small enough to keep one commit short. */
const MOST_PER_COMMIT = 500;

/**
 * Commits the events of many access decisions together: every decision asked for while the previous
 * commit ran (or in the same turn of the event loop) joins the next one, so one commit and its flush to
 * disk serve them all. Nobody is answered before the commit that
 * holds its event returns, so an answered decision is as durable as before; ids still commit in order.
 *
 * If a shared commit fails, each of its writers is tried again alone, so one bad write fails by itself.
 */
export class GroupCommit {
  private queue: PendingEvent[] = [];
  private draining = false;
  private lastSize = 0;
  private lastEndedAt = 0;

  constructor(private readonly db: Queryable) {}

  /**
   * How many decisions the last shared commit carried, if it ended within the last `withinMs` (else 0):
   * one or two while decisions come at a pace the store keeps up with, dozens while they queue for it.
   */
  recentCommitSize(now: number, withinMs: number): number {
    return now - this.lastEndedAt <= withinMs ? this.lastSize : 0;
  }

  /**
   * Runs `prepare` inside the next shared transaction and appends the event it returns; resolves with the
   * event's id once it is committed.
   */
  record(siteId: number, changesSite: boolean, prepare: (trx: Queryable) => Promise<NewEvent>): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ siteId, changesSite, prepare, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    // Let the decisions this turn of the event loop is still reading join the first commit.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, MOST_PER_COMMIT);
      const started = performance.now();
      try {
        this.settle(group, await this.commit(group));
        this.lastSize = group.length;
        this.lastEndedAt = Date.now();
        signalsOf(this.db).groupCommitted(group.length, secondsSince(started));
      } catch (error) {
        if (group.length === 1) group[0]?.reject(error);
        else for (const pending of group) await this.commit([pending]).then((ids) => this.settle([pending], ids), pending.reject);
      }
    }
    this.draining = false;
  }

  private commit(group: readonly PendingEvent[]): Promise<number[]> {
    const changed = [...new Set(group.filter((p) => p.changesSite).map((p) => p.siteId))];
    return transactionChanging(this.db, changed, async (trx) => {
      const events: NewEvent[] = [];
      for (const pending of group) events.push(await pending.prepare(trx));
      return appendEvents(trx, events);
    });
  }

  private settle(group: readonly PendingEvent[], ids: readonly number[]): void {
    for (const [index, pending] of group.entries()) {
      const id = ids[index];
      // appendEvents returns an id per event; a writer left without one is refused, never answered as recorded.
      if (id === undefined) pending.reject(new Error('the shared commit returned no id for an event it held'));
      else pending.resolve(id);
    }
  }
}

const groups = new WeakMap<Queryable, GroupCommit>();

/** The shared commits of a store handle (not of a transaction: pass the handle the transaction came from). */
export function groupCommitOf(db: Queryable): GroupCommit {
  let group = groups.get(db);
  if (!group) {
    group = new GroupCommit(db);
    groups.set(db, group);
  }
  return group;
}
