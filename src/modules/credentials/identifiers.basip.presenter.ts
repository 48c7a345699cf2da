import QRCode from 'qrcode';
import type { IdentifierRow, ProfileRef } from './credentials.repository.ts';
import type { IdDeleted, LinkOutcome, LinkResult } from './identifiers.service.ts';

const seconds = (ms: number | null) => (ms === null ? 0 : Math.floor(ms / 1000));

/**
 * An identifier as a user's `identifiers` list shows it, the seed's fields exactly. Times are Unix
 * seconds (0 for an open bound); a permanent pass allowance shows `max_passes` 0 and `passes_left` -1;
 * no apartment shows uid -1 with null link_id and address; `link_ids` lists the attached profiles that
 * have one.
 */
export function presentEmbeddedIdentifier(row: IdentifierRow, profiles: readonly ProfileRef[]) {
  const mine = profiles.filter((p) => p.owner_id === row.id);
  return {
    identifier_uid: row.id,
    identifier_owner: { name: row.owner, type: row.owner_type },
    identifier_type: row.identifier_type,
    identifier_number: row.card_num ?? '',
    lock: row.lock,
    valid: {
      time: {
        is_permanent: row.access_effective === null && row.access_expires === null,
        from: seconds(row.access_effective),
        to: seconds(row.access_expires),
      },
      passes: { is_permanent: row.max_passes === null, max_passes: row.max_passes ?? 0 },
    },
    apartment: {
      uid: row.apartment_id ?? -1,
      link_id: row.apartment_link_id,
      logical_address:
        row.apartment_id === null ? null : { building: row.building ?? 0, unit: row.unit ?? 0, floor: row.floor ?? 0, room: row.room ?? 0 },
    },
    time_profiles: {
      uid_items: mine.map((p) => p.id),
      link_ids: mine.flatMap((p) => (p.link_id === null ? [] : [p.link_id])),
      count: mine.length,
    },
    additional: { passes_left: row.max_passes === null ? -1 : (row.passes_left ?? 0) },
  };
}

/** An identifier on its own: the embedded shape, plus its link_id and the user holding it (-1: none). */
export function presentIdentifier(row: IdentifierRow, profiles: readonly ProfileRef[]) {
  return { ...presentEmbeddedIdentifier(row, profiles), link_id: row.link_id, user_uid: row.user_id ?? -1 };
}

/** A QR identifier as the panel shows it: a PNG of its number. */
export function presentQrPng(number: string): Promise<Buffer> {
  return QRCode.toBuffer(number, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 256 });
}

/** The outcomes a link_id write reports as done; any other is the rule the item broke. */
const DONE: ReadonlySet<LinkOutcome> = new Set(['created', 'updated', 'deleted']);

export function presentLinkResults(results: LinkResult[]) {
  return { result: results.map(({ linkId, outcome }) => ({ link_id: linkId, success: DONE.has(outcome), extended_info: outcome })) };
}

export function presentIdDeletions(results: IdDeleted[]) {
  return { result: results.map(({ id, deleted }) => ({ uid: id, success: deleted, extended_info: deleted ? 'deleted' : 'not_found' })) };
}
