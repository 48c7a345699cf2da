import { describe, expect, it } from 'vitest';
import { readRelease } from './release.ts';

const NOTES = `# Releases

## 1.2.0 (2022-07-10)

July 2022 Release - Enhancements.

Correction of bugs
in relay calls.

More details.

## 1.1.0 (2022-01-01)

Older.
`;

describe('readRelease', () => {
  it('reads the running version’s section', () => {
    expect(readRelease(NOTES, '1.2.0')).toEqual({
      version: '1.2.0',
      release_date: 'Jul 10, 2022',
      release_notes: 'July 2022 Release - Enhancements.',
      release_details: 'Correction of bugs in relay calls.\n\nMore details.',
    });
  });

  it('says so when the version has no section', () => {
    expect(readRelease(NOTES, '9.9.9').release_notes).toBe('No release notes for this version.');
  });
});
