import type { ReasonCode } from '../access/decide.ts';
import type { Queryable } from '../db/queryable.ts';

/**
 * What the domain tells whoever measures it, in its own terms: no metric names, no labels, no client
 * library. Each call is one line at the place the thing happens; `src/metrics/prometheus.ts` turns them
 * into metrics. Nothing here may carry a user, card, person or key.
 */
export interface Signals {
  /** An access decision was answered ('granted', or why not; store_unavailable when the store could not be reached). */
  decided(reason: ReasonCode): void;
  /** A shared commit of decision events (src/event-log/group-commit.ts) committed `size` events. */
  groupCommitted(size: number, seconds: number): void;
  /** The access index read a site whole. */
  indexRebuilt(seconds: number): void;
  /** The change feed's watcher lost its connection (or failed to make one) and is trying again. */
  changeFeedReconnecting(): void;
  /** A webhook attempt ended with this HTTP status (undefined: no answer), `lagSeconds` after its event was queued. */
  webhookAttempted(status: number | undefined, lagSeconds: number): void;
}

export const NOBODY_LISTENING: Signals = {
  decided: () => undefined,
  groupCommitted: () => undefined,
  indexRebuilt: () => undefined,
  changeFeedReconnecting: () => undefined,
  webhookAttempted: () => undefined,
};

/** One receiver per store handle, like the change feed: two stores in one process (tests) never mix. */
const receivers = new WeakMap<Queryable, Signals>();

/** Where the domain reports what happens on this store handle; nowhere unless metrics are on. */
export function signalsOf(db: Queryable): Signals {
  return receivers.get(db) ?? NOBODY_LISTENING;
}

/** Sends the store handle's signals to `receiver` until the returned function is called. */
export function receiveSignals(db: Queryable, receiver: Signals): () => void {
  receivers.set(db, receiver);
  return () => {
    if (receivers.get(db) === receiver) receivers.delete(db);
  };
}

/** Seconds since `startedAt` (a `performance.now()` reading), for the durations signals carry. */
export function secondsSince(startedAt: number): number {
  return (performance.now() - startedAt) / 1000;
}
