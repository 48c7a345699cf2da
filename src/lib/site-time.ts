import { DateTime, IANAZone } from 'luxon';

/**
 * Times on the wire: the Lockt spec writes zone-less `YYYY-MM-DD HH:MM:SS`, read and written in the
 * site's IANA zone; ISO 8601 with an offset is accepted too. Stored as epoch milliseconds.
 */
const SITE_FORMAT = 'yyyy-MM-dd HH:mm:ss';
const SITE_PATTERN = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-](\d{2}):?(\d{2}))$/;
/** No zone is further from UTC than ±14:00 (Kiribati); luxon would read +99:99 as a 4-day shift. */
const MAX_OFFSET_MINUTES = 14 * 60;

export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

export type ParsedTime = { ok: true; value: number | null } | { ok: false };

/**
 * Parses a wire time. `""` (and null) mean "none". A local time that does not exist in the zone (the
 * hour skipped when clocks go forward) is rejected rather than silently moved; in the repeated hour
 * the earlier of the two instants is taken.
 */
export function parseWireTime(input: unknown, zone: string): ParsedTime {
  if (input === '' || input === null || input === undefined) return { ok: true, value: null };
  if (typeof input !== 'string') return { ok: false };
  if (SITE_PATTERN.test(input)) {
    const instant = earliestInstant(input, zone);
    return instant === undefined ? { ok: false } : { ok: true, value: instant };
  }
  const iso = ISO_WITH_OFFSET.exec(input);
  if (iso) {
    const [hours, minutes] = [Number(iso[4] ?? 0), Number(iso[5] ?? 0)];
    if (minutes >= 60 || hours * 60 + minutes > MAX_OFFSET_MINUTES) return { ok: false };
    const instant = DateTime.fromISO(input, { setZone: true });
    return instant.isValid ? { ok: true, value: instant.toMillis() } : { ok: false };
  }
  return { ok: false };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The earliest instant whose wall-clock time in `zone` reads `local`, or undefined when none does (an
 * impossible date, or a time inside the gap when clocks go forward). The zone's offsets a day either
 * side are the only candidates, which covers every real transition (none comes twice within a day).
 */
function earliestInstant(local: string, zone: string): number | undefined {
  const asUtc = DateTime.fromFormat(local, SITE_FORMAT, { zone: 'UTC' });
  if (!asUtc.isValid || asUtc.toFormat(SITE_FORMAT) !== local) return undefined;
  const wall = asUtc.toMillis();
  const offsets = new Set([wall - DAY_MS, wall + DAY_MS].map((at) => DateTime.fromMillis(at, { zone }).offset));
  const matches = [...offsets]
    .map((offsetMinutes) => wall - offsetMinutes * 60_000)
    .filter((instant) => DateTime.fromMillis(instant, { zone }).toFormat(SITE_FORMAT) === local);
  return matches.length === 0 ? undefined : Math.min(...matches);
}

/** `YYYY-MM-DD HH:MM:SS` in the site's zone. */
export function formatSiteTime(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat(SITE_FORMAT);
}

/** ISO 8601 in UTC with milliseconds, as the spec shows user, fob and event times. */
export function formatIsoUtc(ms: number): string {
  return new Date(ms).toISOString();
}

/** The zone's current offset, e.g. `+01:00`, for showing beside a local time. */
export function zoneOffset(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('ZZ');
}

/** The first and last instants (epoch ms) of years 1 to 9999, UTC. */
export const FOUR_DIGIT_YEARS_UTC = { first: Date.parse('0001-01-01T00:00:00.000Z'), last: Date.parse('9999-12-31T23:59:59.999Z') } as const;

/**
 * Whether an instant's UTC year has four digits and exists on every store's calendar (PostgreSQL has no
 * year 0): the range the stores format as ISO 8601 exactly as `formatIsoUtc` does.
 */
export function isFourDigitYearUtc(ms: number): boolean {
  return ms >= FOUR_DIGIT_YEARS_UTC.first && ms <= FOUR_DIGIT_YEARS_UTC.last;
}
