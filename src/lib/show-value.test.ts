import { describe, expect, it } from 'vitest';
import { showValue } from './show-value.ts';

describe('showValue', () => {
  it('quotes short values whole, and "" for the empty string', () => {
    expect(showValue('Door 1')).toBe('Door 1');
    expect(showValue(17)).toBe('17');
    expect(showValue({ a: 1 })).toBe('{"a":1}');
    expect(showValue('')).toBe('""');
  });

  it('cuts a value over 80 characters to 77 and "...", never inside a surrogate pair', () => {
    expect(showValue('x'.repeat(81))).toBe(`${'x'.repeat(77)}...`);
    expect(showValue('😀'.repeat(80))).toBe('😀'.repeat(80));
    expect(showValue('😀'.repeat(81))).toBe(`${'😀'.repeat(77)}...`);
  });
});
