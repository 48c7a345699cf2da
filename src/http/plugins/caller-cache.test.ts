import { describe, expect, it } from 'vitest';
import { ChangeFeed } from '../../db/change-feed.ts';
import { fixedClock } from '../../lib/clock.ts';
import { CallerCache } from './caller-cache.ts';

interface Caller {
  name: string;
  site: { id: number };
}

/** A cache over a real change feed, counting how often the store would have been read. */
function cacheWith() {
  const feed = new ChangeFeed();
  feed.watchedBy(true);
  const clock = fixedClock(1_000);
  const cache = new CallerCache<Caller>(feed, clock);
  let reads = 0;
  const read = (caller: Caller, until?: number) => async (): Promise<{ caller: Caller; until?: number }> => {
    reads += 1;
    return until === undefined ? { caller } : { caller, until };
  };
  return { feed, cache, read, reads: () => reads, clock };
}

const alice: Caller = { name: 'alice', site: { id: 1 } };
const bob: Caller = { name: 'bob', site: { id: 2 } };

describe('CallerCache', () => {
  it('reads a caller once, then answers from memory', async () => {
    const { cache, read, reads } = cacheWith();
    expect(await cache.get('a', read(alice))).toBe(alice);
    expect(await cache.get('a', read(alice))).toBe(alice);
    expect(reads()).toBe(1);
  });

  it('forgets the callers of a site that changed, and only those', async () => {
    const { feed, cache, read, reads } = cacheWith();
    await cache.get('a', read(alice));
    await cache.get('b', read(bob));
    feed.committed(1);
    await cache.get('a', read(alice));
    await cache.get('b', read(bob));
    expect(reads()).toBe(3);
    feed.committed(null);
    await cache.get('b', read(bob));
    expect(reads()).toBe(4);
  });

  it('neither answers from memory nor remembers while the feed is disconnected', async () => {
    const { feed, cache, read, reads } = cacheWith();
    await cache.get('a', read(alice));
    feed.setConnected(false);
    await cache.get('a', read(alice));
    await cache.get('a', read(alice));
    expect(reads()).toBe(3);
    feed.setConnected(true);
    await cache.get('a', read(alice));
    await cache.get('a', read(alice));
    expect(reads()).toBe(4);
  });

  it('remembers nothing where no watcher hears other processes (a store handle cannot tell they exist)', async () => {
    const { feed, cache, read, reads } = cacheWith();
    feed.watchedBy(false);
    await cache.get('a', read(alice));
    await cache.get('a', read(alice));
    expect(reads()).toBe(2);
  });

  it('does not remember a caller read before a change that was heard while it was read', async () => {
    const { feed, cache, read, reads } = cacheWith();
    await cache.get('a', async () => {
      const answer = await read(alice)();
      feed.committed(1);
      return answer;
    });
    await cache.get('a', read(alice));
    expect(reads()).toBe(2);
  });

  it('reads again once the credential has run out by itself (a session that ended)', async () => {
    const { cache, read, reads, clock } = cacheWith();
    await cache.get('a', read(alice, 2_000));
    clock.set(1_999);
    await cache.get('a', read(alice, 2_000));
    expect(reads()).toBe(1);
    clock.set(2_000);
    await cache.get('a', read(alice, 3_000));
    expect(reads()).toBe(2);
  });
});
