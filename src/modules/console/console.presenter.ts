import type { ReasonCode } from '../../access/decide.ts';
import { describeRule } from '../../access/decide.ts';
import { fromFlag } from '../../db/conventions.ts';
import type { Site } from '../../domain/site.ts';
import type { PersonRow } from './console.repository.ts';
import type { PersonPage } from './console.service.ts';
import type { Explanation } from './console-access.service.ts';

/** A person in a search's results: never a PIN, nor whether there is one. */
export function presentPersonSummary(row: PersonRow) {
  return {
    id: row.id,
    first_name: row.first_name,
    last_name: row.last_name,
    email: row.email ?? '',
    id_num: row.id_num ?? '',
    enabled: fromFlag(row.enabled),
  };
}

/** A person's page: whether a PIN is set, never the PIN (only its keyed hash is stored). */
export function presentPerson({ view, events }: PersonPage) {
  const { row } = view;
  return {
    ...presentPersonSummary(row),
    phone: row.phone,
    has_pin: row.pin_hash !== null,
    access_effective: row.access_effective,
    access_expires: row.access_expires,
    credentials: view.credentials.map((c) => ({ id: c.id, name: c.name, card_num: c.card_num, fob: fromFlag(c.is_fob) })),
    access_levels: view.levels.map((l) => ({ id: l.id, name: l.name })),
    events,
  };
}

/** Each check of the engine as the trace shows it: what had to hold. */
const CHECK_TEXT: Record<ReasonCode, string> = {
  unknown_credential: 'The credential is known',
  credential_disabled: 'The credential is enabled',
  credential_not_yet_effective: 'The credential is effective already',
  credential_expired: 'The credential has not expired',
  fob_not_assigned: 'The fob is assigned to someone',
  holder_disabled: 'The person is enabled',
  holder_not_yet_effective: "The person's access has begun",
  holder_expired: "The person's access has not expired",
  factor_not_allowed: 'This kind of identifier is allowed',
  unknown_door: 'The door is known',
  door_disabled: 'The door is enabled',
  door_locked: 'The door is not locked, or the person is a responder of the lockdown',
  lock_not_allowed: 'The identifier opens this lock',
  no_grant: 'An access level or delegation names the door',
  outside_schedule: "Now is within the level's schedule",
  outside_time_profile: 'Now is within the time profile',
  second_factor_required: "The door does not need a card and PIN, or the person's PIN came with the card",
  passes_used_up: 'A pass is left',
  store_unavailable: 'The store answered',
  granted: 'Access granted',
};

/** One credential's decision with its rule trace: the explain endpoint's answer, in the console's shape. */
export function presentExplanation({ credential, result }: Explanation) {
  const { decision } = result;
  return {
    credential,
    granted: decision.granted,
    reason: result.subcodeText,
    explanation: decision.explanation,
    rule: decision.rule === null ? null : describeRule(decision.rule),
    trace: decision.trace.map((step) => ({ check: step.check, text: CHECK_TEXT[step.check], passed: step.passed })),
  };
}

/** The site's settings as the settings form shows them (the CLI's `site update` flags, in wire spelling). */
export function presentSiteSettings(site: Site) {
  const { settings } = site;
  return {
    name: site.name,
    timezone: site.timezone,
    card_num_max_length: settings.cardNumMaxLength,
    pin_min_length: settings.pinMinLength,
    pin_max_length: settings.pinMaxLength,
    unique_pins: settings.uniquePins,
    events_limit: settings.eventsLimit,
  };
}
