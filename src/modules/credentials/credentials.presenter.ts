import type { CredentialListRow } from './credentials.repository.ts';

/** "Last, First", as the spec names a credential's holder. */
function holderName(firstName: string, lastName: string): string {
  return `${lastName}, ${firstName}`;
}

/** A credential on the wire: its holder as an array of one, as the spec shows, or [] when unassigned. */
export function presentCredential(row: CredentialListRow) {
  return {
    id: row.id,
    card_num: row.card_num ?? '',
    name: row.name,
    credential_key: row.credential_key,
    claim_status: row.claimed_at === null ? 'Unclaimed' : 'Claimed',
    user: row.user_id === null ? [] : [{ id: row.user_id, name: holderName(row.first_name ?? '', row.last_name ?? '') }],
  };
}

export function presentCredentialSummary({ total, claimed }: { total: number; claimed: number }) {
  return { credentials: total, claimed, unclaimed: total - claimed };
}
