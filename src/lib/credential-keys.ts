import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * A new credential registration key, `XXXX-XXXX-XXXX-XXXX` as the spec writes them: 16 upper-case
 * letters and digits from the CSPRNG (about 82 bits). Uniqueness is the store's unique index; a
 * collision makes the batch runner run the write again, with fresh keys.
 */
export function newCredentialKey(): string {
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) {
    let group = '';
    for (let i = 0; i < 4; i++) group += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}
