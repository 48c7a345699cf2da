import { fromFlag } from '../../db/conventions.ts';
import { formatIsoUtc } from '../../lib/site-time.ts';
import type { HeldCredentialRow } from '../credentials/credentials.repository.ts';
import { LIST_SEPARATOR } from './users.import.service.ts';
import type { LevelRef } from './users.repository.ts';
import type { UserView } from './users.service.ts';

const isoOrBlank = (ms: number | null) => (ms === null ? '' : formatIsoUtc(ms));

/** Access levels as a user or fob record shows them: `unid` is the spec's output name for the id. */
export function presentLevels(levels: LevelRef[]) {
  return levels.map((l) => ({ id: l.id, unid: l.id, name: l.name }));
}

function presentHeld(c: HeldCredentialRow) {
  return { id: c.id, name: c.name, card_num: c.card_num ?? '', credential_key: c.credential_key, fob: fromFlag(c.is_fob) };
}

/**
 * A user on the wire. `card_num` and `credential_key` are those of the user's first card (fobs are
 * listed only under `credentials`); a PIN is never shown, only whether there is one.
 */
export function presentUser({ row, levels, credentials }: UserView, { detail }: { detail: boolean }) {
  const card = credentials.find((c) => c.is_fob === 0);
  return {
    id: row.id,
    id_num: row.id_num ?? '',
    first_name: row.first_name,
    last_name: row.last_name,
    card_num: card?.card_num ?? '',
    credential_key: card?.credential_key ?? '',
    email: row.email ?? '',
    phone: row.phone,
    pin: row.pin_hash === null ? '' : '****',
    access_effective: isoOrBlank(row.access_effective),
    access_expires: isoOrBlank(row.access_expires),
    enabled: fromFlag(row.enabled),
    accesslevels: presentLevels(levels),
    ...(detail ? { credentials: credentials.map(presentHeld) } : {}),
    ...(row.role !== 'cardholder' ? { username: row.username ?? '', role: row.role } : {}),
  };
}

/**
 * A cardholder as a row of a people file (docs/import-export.md), under the column names of
 * PEOPLE_COLUMNS: every card (fobs have their own endpoint) and access level by name, separated by `;`.
 * The pin column is always empty: a PIN is never exported, and an empty cell leaves it as it is when the
 * file is imported back.
 */
export function presentPersonRow({ row, levels, credentials }: UserView): Record<string, string> {
  return {
    id_num: row.id_num ?? '',
    first_name: row.first_name,
    last_name: row.last_name,
    email: row.email ?? '',
    phone: row.phone,
    card_num: credentials.flatMap((c) => (c.is_fob === 0 && c.card_num !== null ? [c.card_num] : [])).join(LIST_SEPARATOR),
    pin: '',
    accesslevels: levels.map((l) => l.name).join(LIST_SEPARATOR),
    access_effective: isoOrBlank(row.access_effective),
    access_expires: isoOrBlank(row.access_expires),
    enabled: String(fromFlag(row.enabled)),
  };
}
