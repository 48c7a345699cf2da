import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, openTestStore } from '../../test/harness.ts';
import { systemClock } from '../lib/clock.ts';
import { createSite } from '../modules/sites/sites.service.ts';
import { EVENT_CATEGORIES, EVENT_CODES } from './catalogue.ts';
import { type NewEvent, appendEvents } from './event-log.ts';
import { GroupCommit } from './group-commit.ts';

describe.each(DIALECTS)('shared commits of decision events on %s', (dialect) => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let siteId: number;
  beforeEach(async () => {
    store = await openTestStore(dialect);
    siteId = (await createSite(store.db, { name: 'Group' }, systemClock)).site.id;
  });
  afterEach(async () => {
    await store.close();
  });

  const event = (detail: string): NewEvent => ({
    siteId,
    code: EVENT_CODES.ACCESS_DENIED,
    category: EVENT_CATEGORIES.ACCESS_DENIED,
    detail,
    hwTime: 0,
    dbTime: 0,
  });
  const details = async () => (await store.db.selectFrom('event').select(['id', 'detail']).orderBy('id').execute()).map((e) => e.detail);

  it('commits writers asking together in one transaction, with ids in the order they asked', async () => {
    const group = new GroupCommit(store.db);
    const asked = Array.from({ length: 40 }, (_, i) => `decision ${i}`);
    const transactions = new Set<unknown>();
    const ids = await Promise.all(
      asked.map((detail) =>
        group.record(siteId, false, async (trx) => {
          transactions.add(trx);
          return event(detail);
        }),
      ),
    );
    expect(transactions.size).toBe(1);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(asked.length);
    expect(await details()).toEqual(asked);
  });

  it('tells how many writers the last commit carried, while it is recent enough to say the store is busy', async () => {
    const group = new GroupCommit(store.db);
    expect(group.recentCommitSize(Date.now(), 250)).toBe(0);
    await Promise.all(Array.from({ length: 20 }, (_, i) => group.record(siteId, false, async () => event(`decision ${i}`))));
    const committed = Date.now();
    expect(group.recentCommitSize(committed, 250)).toBe(20);
    await group.record(siteId, false, async () => event('alone'));
    expect(group.recentCommitSize(Date.now(), 250)).toBe(1);
    expect(group.recentCommitSize(Date.now() + 251, 250)).toBe(0);
  });

  it('fails a writer whose part fails by itself, committing the others of its group', async () => {
    const group = new GroupCommit(store.db);
    const failure = new Error('this write cannot be made');
    const answers = await Promise.allSettled(
      ['first', 'broken', 'third'].map((detail) =>
        group.record(siteId, false, async (trx) => {
          // A write that reaches the store and then fails, so its transaction must be rolled back.
          await appendEvents(trx, [event(`${detail} (its own row)`)]);
          if (detail === 'broken') throw failure;
          return event(detail);
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((answers[1] as PromiseRejectedResult).reason).toBe(failure);
    expect(await details()).toEqual(['first (its own row)', 'first', 'third (its own row)', 'third']);
  });
});
