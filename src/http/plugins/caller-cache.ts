import type { FastifyInstance } from 'fastify';
import { LRUCache } from 'lru-cache';
import { type ChangeFeed, type ChangedSite, changeFeedOf } from '../../db/change-feed.ts';
import type { Queryable } from '../../db/queryable.ts';
import type { Clock } from '../../lib/clock.ts';

/** Callers remembered per kind: a site has a handful of keys and sessions, so this bounds only abuse. */
const MOST_CALLERS = 10_000;

/** An authenticated caller, and until when its credential holds by itself (a session's expiry). */
export interface Authenticated<T> {
  caller: T;
  until?: number;
}

/**
 * Authenticated callers of one kind (API keys, device keys, operator tokens), keyed by the hash of what
 * they presented, so that a request need not read the store to learn who sent it.
 *
 * Sound because every change to what a caller may do (a key revoked or switched off, a device revoked,
 * an operator changed or logged out, a site's settings) is a write of its site, and every such write
 * reaches the change feed: in this process as it commits, so the next request here is refused; from
 * other processes within the feed's bound (a second). Without a watcher of other processes (a store
 * handle cannot tell whether others exist), or while it is not connected and may have missed a commit,
 * nothing is answered from memory or remembered: callers are read from the store.
 */
export class CallerCache<T extends { site: { id: number } }> {
  private readonly callers = new LRUCache<string, Required<Authenticated<T>>>({ max: MOST_CALLERS });
  /** Moves on every change heard, so a lookup that read the store before a change is not remembered after it. */
  private generation = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly feed: ChangeFeed,
    private readonly clock: Clock,
  ) {
    this.unsubscribe = feed.subscribe((site) => this.forget(site));
  }

  /** The caller presenting `key`, from memory while the feed proves it current, else by `authenticate`. */
  async get(key: string, authenticate: () => Promise<Authenticated<T>>): Promise<T> {
    if (!this.feed.hearsEveryProcess) return (await authenticate()).caller;
    const remembered = this.callers.get(key);
    if (remembered && this.clock.now() < remembered.until) return remembered.caller;
    const generation = this.generation;
    const found = await authenticate();
    if (generation === this.generation && this.feed.hearsEveryProcess) {
      this.callers.set(key, { caller: found.caller, until: found.until ?? Number.POSITIVE_INFINITY });
    }
    return found.caller;
  }

  close(): void {
    this.unsubscribe();
    this.callers.clear();
  }

  private forget(site: ChangedSite): void {
    this.generation += 1;
    if (site === null) {
      this.callers.clear();
      return;
    }
    for (const [key, entry] of this.callers.entries()) {
      if (entry.caller.site.id === site) this.callers.delete(key);
    }
  }
}

/** An app's cache of one kind of caller over its store's change feed, let go when the app closes. */
export function rememberedCallers<T extends { site: { id: number } }>(app: FastifyInstance, db: Queryable, clock: Clock): CallerCache<T> {
  const cache = new CallerCache<T>(changeFeedOf(db), clock);
  app.addHook('onClose', async () => cache.close());
  return cache;
}
