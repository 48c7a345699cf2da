import type { Actor } from '../../audit/audit-log.ts';
import { writeTransaction } from '../../db/change-feed.ts';
import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { randomToken } from '../../lib/secrets.ts';
import { isValidTimeZone } from '../../lib/site-time.ts';
import { type IssuedApiKey, issueApiKey } from '../api-keys/api-keys.service.ts';
import type { Site } from '../../domain/site.ts';
import { siteFromRow } from './site.ts';
import * as repo from './sites.repository.ts';

export interface NewSite {
  name: string;
  timezone?: string | undefined;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw ERRORS.badRequest('Site name must not be blank.');
  return trimmed;
}

function checkTimeZone(zone: string): string {
  if (!isValidTimeZone(zone)) throw ERRORS.badRequest(`Unknown IANA time zone: ${zone}`);
  return zone;
}

/** Creates a site and its first API key in one transaction. */
export async function createSite(db: Queryable, input: NewSite, clock: Clock): Promise<{ site: Site } & IssuedApiKey> {
  const name = checkName(input.name);
  const timezone = checkTimeZone(input.timezone ?? 'UTC');
  return db.transaction().execute(async (trx) => {
    const row = await repo.insertSite(trx, { name, timezone, pin_secret: randomToken(32), created_at: clock.now() });
    const key = await issueApiKey(trx, row.id, clock);
    return { site: siteFromRow(row), ...key };
  });
}

export async function listSites(db: Queryable): Promise<Site[]> {
  return (await repo.listSites(db)).map(siteFromRow);
}

export async function getSite(db: Queryable, id: number): Promise<Site> {
  const row = await repo.findSite(db, id);
  if (!row) throw ERRORS.notFound(`No site with id ${id}.`);
  return siteFromRow(row);
}

export interface SiteChange {
  name?: string | undefined;
  timezone?: string | undefined;
  cardNumMaxLength?: number | undefined;
  pinMinLength?: number | undefined;
  pinMaxLength?: number | undefined;
  uniquePins?: boolean | undefined;
  eventsLimit?: number | undefined;
}

function checkRange(label: string, value: number | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw ERRORS.badRequest(`${label} must be a whole number from ${min} to ${max}, got ${value}.`);
  }
  return value;
}

/** The settings a change names, in their wire spelling: what the audit record says was changed. */
const CHANGE_NAMES: readonly (readonly [keyof SiteChange, string])[] = [
  ['name', 'name'],
  ['timezone', 'timezone'],
  ['cardNumMaxLength', 'card_num_max_length'],
  ['pinMinLength', 'pin_min_length'],
  ['pinMaxLength', 'pin_max_length'],
  ['uniquePins', 'unique_pins'],
  ['eventsLimit', 'events_limit'],
];

/**
 * Changes a site's name, zone or rules; only the supplied settings change. With `audit`, the change is
 * recorded as that actor's, naming the settings changed (never their values: a name is the customer's).
 */
export async function changeSite(db: Queryable, id: number, change: SiteChange, audit?: { actor: Actor; at: number }): Promise<Site> {
  const current = await getSite(db, id);
  const pinMin = checkRange('pin_min_length', change.pinMinLength, 1, 32) ?? current.settings.pinMinLength;
  const pinMax = checkRange('pin_max_length', change.pinMaxLength, 1, 32) ?? current.settings.pinMaxLength;
  if (pinMin > pinMax) throw ERRORS.badRequest(`pin_min_length ${pinMin} exceeds pin_max_length ${pinMax}.`);
  const cardMax = checkRange('card_num_max_length', change.cardNumMaxLength, 1, 64);
  const eventsLimit = checkRange('events_limit', change.eventsLimit, 1, 100_000);
  const changes = {
    ...(change.name !== undefined ? { name: checkName(change.name) } : {}),
    ...(change.timezone !== undefined ? { timezone: checkTimeZone(change.timezone) } : {}),
    ...(cardMax !== undefined ? { card_num_max_length: cardMax } : {}),
    pin_min_length: pinMin,
    pin_max_length: pinMax,
    ...(change.uniquePins !== undefined ? { unique_pins: change.uniquePins ? 1 : 0 } : {}),
    ...(eventsLimit !== undefined ? { events_limit: eventsLimit } : {}),
  };
  const changed = CHANGE_NAMES.filter(([key]) => change[key] !== undefined).map(([, name]) => name);
  // A write of the site, so that callers remembered with its settings are forgotten (src/http/plugins/caller-cache.ts).
  const row = await writeTransaction(
    db,
    id,
    (trx) => repo.updateSite(trx, id, changes),
    audit && { of: () => ({ actor: audit.actor, resource: 'site', action: 'update', recordIds: [id], detail: { changed } }), at: audit.at },
  );
  if (!row) throw ERRORS.notFound(`No site with id ${id}.`);
  return siteFromRow(row);
}
