import * as nodeCrypto from 'node:crypto';
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

const LOWER_ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random string of `length` lower-case letters and digits, from the CSPRNG without modulo bias. */
export function randomToken(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += LOWER_ALPHANUMERIC[randomInt(LOWER_ALPHANUMERIC.length)];
  return out;
}

/**
 * SHA-256 hex of a machine-generated secret. A fast hash is right here: the secrets carry 160+ bits of
 * randomness, so there is nothing for a slow hash to protect; people's passwords use scrypt instead.
 */
export function hashSecret(secret: string): string {
  return sha256Hex(secret);
}

/**
 * Every authenticated request hashes its key, to find its caller: `crypto.hash` (Node 20.12 and later)
 * does it in one call, without a Hash object, in about a third of the time (docs/performance.md); an
 * older Node 20 builds the object. Looked up on the namespace, as a named import of it would not link there.
 */
const sha256Hex: (text: string) => string =
  typeof nodeCrypto.hash === 'function'
    ? (text) => nodeCrypto.hash('sha256', text, 'hex')
    : (text) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Compares a presented secret with a stored hash in time independent of where they differ. */
export function secretMatches(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A hash that matches no secret, compared against when the account does not exist so timing tells nothing. */
export const UNMATCHABLE_HASH = '0'.repeat(64);
