import { describe, expect, it } from 'vitest';
import { type Decision, EVENTS_PER_BATCH, Ledger, type StoredEvent, USERS_PER_BATCH, seededRandom, violations } from './ledger.ts';

/** The crash test's oracle must see each kind of damage it is there to catch. */
describe('the crash ledger', () => {
  function scenario() {
    const ledger = new Ledger('t');
    const users = ledger.nextUserBatch().batch;
    users.outcome = 'acked';
    const events = ledger.nextEventBatch().batch;
    events.outcome = 'acked';
    events.eventIds = events.tags.map((_, i) => i + 1);
    const stored: StoredEvent[] = events.tags.map((tag, i) => ({ id: i + 1, code: 63, detail: tag, device: 'Reader E', card_num: '' }));
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

  /** Two answered decisions of one device, their events after the batch's, and the store holding just those. */
  function decisions() {
    const base = scenario();
    const pick = seededRandom(7);
    const answered = (decision: Decision, eventId: number, code: number): StoredEvent => {
      Object.assign(decision, { outcome: 'acked', eventId, code });
      return { id: eventId, code, detail: 'why', device: decision.device, card_num: decision.cardNum };
    };
    const first = base.ledger.nextDecision('Reader A', pick);
    const second = base.ledger.nextDecision('Reader A', pick);
    const stored = [...base.stored, answered(first, 11, 49), answered(second, 12, 48)];
    return { ...base, first, second, pick, stored };
  }

  it('passes a store that holds each answered decision once, as answered', () => {
    const { ledger, idNums, stored } = decisions();
    expect(violations(ledger, idNums, stored)).toEqual([]);
  });

  it('reports an answered decision that is missing, stored twice, or shown with another card, device or code', () => {
    const { ledger, idNums, stored, first } = decisions();
    const firstEvent = stored.find((e) => e.id === 11) as StoredEvent;
    const without = stored.filter((e) => e.id !== 11);
    expect(violations(ledger, idNums, without).join('\n')).toMatch(/acknowledged decision 0 .* event 11 is missing/);
    expect(violations(ledger, idNums, [...stored, { ...firstEvent, id: 13 }]).join('\n')).toMatch(/decision event 13 .* stored twice/);
    expect(violations(ledger, idNums, [...without, { ...firstEvent, card_num: '1' }]).join('\n')).toMatch(
      /decision 0 .* event 11 shows Reader A \/ card 1$/m,
    );
    expect(violations(ledger, idNums, [...without, { ...firstEvent, device: 'Reader B' }]).join('\n')).toMatch(/event 11 shows Reader B/);
    expect(violations(ledger, idNums, [...without, { ...firstEvent, code: 48 }]).join('\n')).toMatch(/event 11 has code 48, answered 49/);
    expect(first.cardNum).not.toBe('1');
  });

  it('reports two decisions answered with the same event', () => {
    const { ledger, idNums, stored, second } = decisions();
    second.eventId = 11;
    expect(violations(ledger, idNums, stored).join('\n')).toMatch(/decision 1 .* and decision 0 were both answered with event 11/);
  });

  it('accepts the event of a question cut off by a kill once, present or absent, but not a copy of an answered one', () => {
    const { ledger, idNums, stored, first, pick } = decisions();
    const cut = ledger.nextDecision('Reader A', pick);
    cut.outcome = 'unknown';
    const cutEvent: StoredEvent = { id: 13, code: 49, detail: 'why', device: cut.device, card_num: cut.cardNum };
    expect(violations(ledger, idNums, stored)).toEqual([]);
    expect(violations(ledger, idNums, [...stored, cutEvent])).toEqual([]);
    expect(violations(ledger, idNums, [...stored, cutEvent, { ...cutEvent, id: 14 }]).join('\n')).toMatch(/decision event 14 .* stored twice/);
    // A kill elsewhere does not excuse a second copy of an answered decision.
    const copy = { ...(stored.find((e) => e.id === 11) as StoredEvent), id: 14 };
    expect(cut.cardNum === first.cardNum && cut.device === first.device).toBe(false);
    expect(violations(ledger, idNums, [...stored, copy]).join('\n')).toMatch(/decision event 14 .* stored twice/);
  });

  it('gives each question for a card nobody holds a card no other question presents', () => {
    const ledger = new Ledger('t');
    const pick = seededRandom(1);
    const cards = Array.from({ length: 50 }, () => ledger.nextDecision('Reader A', pick).cardNum);
    expect(new Set(cards).size).toBe(cards.length);
  });

  it('replays the same choices from the same seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const draws = Array.from({ length: 20 }, () => a(1000));
    expect(Array.from({ length: 20 }, () => b(1000))).toEqual(draws);
    expect(draws.every((n) => n >= 0 && n < 1000)).toBe(true);
  });
});
