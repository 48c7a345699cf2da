import { describe, expect, it } from 'vitest';
import { EVENTS_PER_BATCH, Ledger, type StoredEvent, USERS_PER_BATCH, seededRandom, violations } from './ledger.ts';

/** The crash test's oracle must see each kind of damage it is there to catch. */
describe('the crash ledger', () => {
  function scenario() {
    const ledger = new Ledger('t');
    const users = ledger.nextUserBatch().batch;
    users.outcome = 'acked';
    const events = ledger.nextEventBatch().batch;
    events.outcome = 'acked';
    events.eventIds = events.tags.map((_, i) => i + 1);
    const stored: StoredEvent[] = events.tags.map((tag, i) => ({ id: i + 1, code: 63, detail: tag }));
    return { ledger, users, events, idNums: [...users.idNums], stored };
  }

  it('passes a store that holds exactly what was acknowledged', () => {
    const { ledger, idNums, stored } = scenario();
    expect(violations(ledger, idNums, stored)).toEqual([]);
  });

  it('reports a lost acknowledged user, a batch in part, and an event listed twice or out of order', () => {
    const { ledger, idNums, stored } = scenario();
    expect(violations(ledger, idNums.slice(1), stored).join('\n')).toMatch(/partly stored: 19 of 20[\s\S]*1 users are missing/);
    const [first, second] = stored;
    if (!first || !second) throw new Error('scenario has events');
    expect(violations(ledger, idNums, [...stored, first]).join('\n')).toMatch(/listed twice/);
    expect(violations(ledger, idNums, [second, first, ...stored.slice(2)]).join('\n')).toMatch(/increasing id order/);
    expect(violations(ledger, idNums, stored.slice(1)).join('\n')).toMatch(/acknowledged event 1 .* is missing/);
  });

  it('accepts a write cut off by a kill only whole or absent', () => {
    const { ledger, idNums, stored } = scenario();
    const cut = ledger.nextUserBatch().batch;
    cut.outcome = 'unknown';
    expect(violations(ledger, idNums, stored)).toEqual([]);
    expect(violations(ledger, [...idNums, ...cut.idNums], stored)).toEqual([]);
    expect(violations(ledger, [...idNums, ...cut.idNums.slice(0, 3)], stored).join('\n')).toMatch(/batch 1 \(unknown\) is partly stored/);
    expect(USERS_PER_BATCH).toBeGreaterThan(1);
    expect(EVENTS_PER_BATCH).toBeGreaterThan(1);
  });

  it('accepts a refusal only for a request budget, and only if nothing of it was stored', () => {
    const { ledger, idNums, stored } = scenario();
    const refused = ledger.nextUserBatch().batch;
    refused.outcome = 'refused';
    refused.answer = { status: 429, body: { data: { error: 'Too many requests' } } };
    expect(violations(ledger, idNums, stored)).toEqual([]);
    expect(violations(ledger, [...idNums, ...refused.idNums], stored).join('\n')).toMatch(/refused but 20 of its records are stored/);
    refused.answer = { status: 400, body: { result: ['Validation errors found.'], errors: [] } };
    expect(violations(ledger, idNums, stored).join('\n')).toMatch(/was refused: .*400/);
  });

  it('replays the same choices from the same seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const draws = Array.from({ length: 20 }, () => a(1000));
    expect(Array.from({ length: 20 }, () => b(1000))).toEqual(draws);
    expect(draws.every((n) => n >= 0 && n < 1000)).toBe(true);
  });
});
