import { describe, expect, it } from 'vitest';
import { formatIsoUtc, formatSiteTime, parseWireTime } from './site-time.ts';

const ms = (iso: string) => Date.parse(iso);

describe('parseWireTime', () => {
  it.each([
    ['"" means none', '', 'UTC', { ok: true, value: null }],
    ['null means none', null, 'UTC', { ok: true, value: null }],
    ['site-local time in UTC', '2022-05-05 05:00:00', 'UTC', { ok: true, value: ms('2022-05-05T05:00:00Z') }],
    ['site-local time in New York (EDT)', '2022-05-05 05:00:00', 'America/New_York', { ok: true, value: ms('2022-05-05T09:00:00Z') }],
    ['midnight', '2022-12-31 00:00:00', 'Europe/Paris', { ok: true, value: ms('2022-12-30T23:00:00Z') }],
    ['the last second of a day', '2022-12-31 23:59:59', 'UTC', { ok: true, value: ms('2022-12-31T23:59:59Z') }],
    ['ISO with Z', '2022-07-10T09:00:00.000Z', 'Asia/Tokyo', { ok: true, value: ms('2022-07-10T09:00:00Z') }],
    ['ISO with an offset', '2022-07-10T11:00:00+02:00', 'UTC', { ok: true, value: ms('2022-07-10T09:00:00Z') }],
    ['London, the hour clocks skip (01:30 on 2026-03-29) is refused', '2026-03-29 01:30:00', 'Europe/London', { ok: false }],
    ['New York, the hour clocks skip (02:30 on 2026-03-08) is refused', '2026-03-08 02:30:00', 'America/New_York', { ok: false }],
    [
      'London, the repeated hour takes the earlier instant (BST)',
      '2026-10-25 01:30:00',
      'Europe/London',
      { ok: true, value: ms('2026-10-25T00:30:00Z') },
    ],
    [
      'New York, the repeated hour takes the earlier instant (EDT)',
      '2026-11-01 01:30:00',
      'America/New_York',
      { ok: true, value: ms('2026-11-01T05:30:00Z') },
    ],
    ['a day that does not exist', '2022-02-30 00:00:00', 'UTC', { ok: false }],
    ['hour 24', '2022-02-01 24:00:00', 'UTC', { ok: false }],
    ['ISO without an offset is ambiguous and refused', '2022-07-10T09:00:00', 'UTC', { ok: false }],
    ['the widest real offset, +14:00', '2026-01-01T14:00:00+14:00', 'UTC', { ok: true, value: ms('2026-01-01T00:00:00Z') }],
    ['the widest real offset, -14:00', '2025-12-31T10:00:00-1400', 'UTC', { ok: true, value: ms('2026-01-01T00:00:00Z') }],
    ['an offset beyond +14:00', '2026-01-01T00:00:00+14:01', 'UTC', { ok: false }],
    ['an offset beyond -14:00', '2026-01-01T00:00:00-15:00', 'UTC', { ok: false }],
    ['an offset of +99:99', '2026-01-01T00:00:00+99:99', 'UTC', { ok: false }],
    ['an offset with 60 minutes', '2026-01-01T00:00:00+05:60', 'UTC', { ok: false }],
    ['free text', 'tomorrow', 'UTC', { ok: false }],
    ['a number', 1540819272, 'UTC', { ok: false }],
  ])('%s', (_label, input, zone, expected) => {
    expect(parseWireTime(input, zone)).toEqual(expected);
  });
});

describe('formatting', () => {
  it('writes site-local times on both sides of a DST change', () => {
    expect(formatSiteTime(ms('2026-03-29T00:59:59Z'), 'Europe/London')).toBe('2026-03-29 00:59:59');
    expect(formatSiteTime(ms('2026-03-29T01:00:00Z'), 'Europe/London')).toBe('2026-03-29 02:00:00');
  });

  it('writes ISO UTC with milliseconds', () => {
    expect(formatIsoUtc(ms('2022-07-10T09:00:00Z'))).toBe('2022-07-10T09:00:00.000Z');
  });
});
