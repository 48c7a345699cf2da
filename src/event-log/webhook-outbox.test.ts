import { describe, expect, it } from 'vitest';
import { consecutiveRuns } from './webhook-outbox.ts';

describe('the outbox names events by runs of consecutive ids', () => {
  it('gives one run for one append in a transaction, and splits where ids jump', () => {
    expect(consecutiveRuns([])).toEqual([]);
    expect(consecutiveRuns([7])).toEqual([[7, 7]]);
    expect(consecutiveRuns([4, 5, 6, 7])).toEqual([[4, 7]]);
    // PostgreSQL outside a transaction: each statement of 64 rows is a transaction of its own.
    const first = 900 * 65_536;
    const second = 905 * 65_536;
    expect(consecutiveRuns([first, first + 1, second + 2, second + 3, second + 5])).toEqual([
      [first, first + 1],
      [second + 2, second + 3],
      [second + 5, second + 5],
    ]);
  });
});
