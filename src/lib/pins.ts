import { createHmac } from 'node:crypto';

/**
 * PINs are stored as HMAC-SHA256 under the site's `pin_secret`: a keyed hash, so equal PINs give equal
 * hashes (the store can find a PIN, and enforce `unique_pins`) while a copy of the user table alone
 * cannot be turned back into PINs by trying all 10^8 of them.
 */
export function hashPin(pin: string, pinSecret: string): string {
  return createHmac('sha256', pinSecret).update(pin, 'utf8').digest('hex');
}

/** The digits of a PIN sent as a number or a string of digits; undefined when it is not one. */
export function pinDigits(value: number | string): string | undefined {
  const text = typeof value === 'number' ? String(value) : value.trim();
  return /^[0-9]+$/.test(text) ? text : undefined;
}
