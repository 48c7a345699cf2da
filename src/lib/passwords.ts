import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Operator passwords. What is hashed is not the password itself but the LOWER-CASE MD5 HEX of it:
 * BAS-IP panel clients log in by sending MD5(password) in hex, never the password, so the stored hash
 * must be checkable from that digest alone. The MD5 step adds no strength; scrypt with a random salt
 * over the digest is what protects the store. The clear password is never stored or logged.
 *
 * Stored form: `scrypt$N$r$p$<salt hex>$<hash hex>`, so the cost can be raised later without
 * invalidating existing hashes.
 */
const COST = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;

/** The digest a BAS-IP client sends for a password: MD5, lower-case hex. */
export function passwordDigest(password: string): string {
  return createHash('md5').update(password, 'utf8').digest('hex');
}

function derive(digest: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(digest, salt, KEY_LENGTH, { ...cost, maxmem: 64 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(passwordDigest(password), salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('hex'), key.toString('hex')].join('$');
}

/** Whether an MD5 hex digest (as a BAS-IP client sends it) matches a stored hash; compared in constant time. */
export async function digestMatches(digest: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltHex, keyHex] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !saltHex || !keyHex) return false;
  const expected = Buffer.from(keyHex, 'hex');
  const key = await derive(digest.toLowerCase(), Buffer.from(saltHex, 'hex'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
