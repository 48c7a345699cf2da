import { jsonObject } from './guards.ts';
import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';

const ROOT = new URL('../../', import.meta.url);

export interface Release {
  version: string;
  /** As the spec shows it: `Jul 10, 2022`. */
  release_date: string;
  release_notes: string;
  release_details: string;
}

/** The running version, from package.json. */
export const VERSION = String(jsonObject(readFileSync(new URL('package.json', ROOT), 'utf8')).version);

/**
 * The running version's section of RELEASES.md (`## <version> (<YYYY-MM-DD>)`): its first paragraph
 * is the release notes, the rest the details. A version with no section says so rather than failing.
 */
export function readRelease(markdown = readFileSync(new URL('RELEASES.md', ROOT), 'utf8'), version = VERSION): Release {
  const sections = markdown.split(/^## /m).slice(1);
  for (const section of sections) {
    const [heading = '', ...lines] = section.split('\n');
    const [, headingVersion, date] = /^(\S+)\s+\((\d{4}-\d{2}-\d{2})\)/.exec(heading.trim()) ?? [];
    if (headingVersion !== version || date === undefined) continue;
    const paragraphs = lines
      .join('\n')
      .trim()
      .split(/\n\s*\n/)
      .map((p) => p.replace(/\s*\n\s*/g, ' ').trim());
    return {
      version,
      release_date: DateTime.fromISO(date, { zone: 'UTC', locale: 'en-US' }).toFormat('LLL d, yyyy'),
      release_notes: paragraphs[0] ?? '',
      release_details: paragraphs.slice(1).join('\n\n'),
    };
  }
  return { version, release_date: '', release_notes: 'No release notes for this version.', release_details: '' };
}
