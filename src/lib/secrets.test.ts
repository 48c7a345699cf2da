import { describe, expect, it } from 'vitest';
import { UNMATCHABLE_HASH, hashSecret, randomToken, secretMatches } from './secrets.ts';

describe('secrets', () => {
  it('makes lower-case alphanumeric tokens of the asked length, different each time', () => {
    const a = randomToken(32);
    expect(a).toMatch(/^[a-z0-9]{32}$/);
    expect(randomToken(32)).not.toBe(a);
  });

  it('matches a secret only against its own hash', () => {
    const hash = hashSecret('abc');
    expect(hash).not.toContain('abc');
    expect(secretMatches('abc', hash)).toBe(true);
    expect(secretMatches('abd', hash)).toBe(false);
    expect(secretMatches('abc', UNMATCHABLE_HASH)).toBe(false);
    expect(secretMatches('abc', 'not-hex')).toBe(false);
  });
});
