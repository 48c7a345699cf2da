import { ERRORS } from '../domain/errors.ts';
import { pinDigits } from '../lib/pins.ts';
import { showValue } from '../lib/show-value.ts';
import type { Presented } from './facts.ts';

/** The three ways a question can name a credential, as a device or the explain endpoint sends them. */
export interface PresentedFields {
  cardNum?: number | string | undefined;
  pin?: number | string | undefined;
  credentialKey?: string | undefined;
}

const isSent = (value: number | string | undefined): value is number | string =>
  value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');

/** A number a device read or a person typed: its digits, or a malformed question naming the field. */
function digitsOf(field: 'card_num' | 'pin', value: number | string): string {
  const digits = pinDigits(value);
  if (digits === undefined) throw ERRORS.badRequest(`Non-Numeric ${field} found: ${showValue(value)}`);
  return digits;
}

/** A card number alone (the explain endpoint's card). */
export function readCardNum(value: number | string): { kind: 'card_num'; value: string } {
  return { kind: 'card_num', value: digitsOf('card_num', value) };
}

/**
 * What was presented: exactly one of card_num, pin, credential_key, or a card_num with a pin (a card and
 * the PIN typed after it, for a door in card-and-PIN mode); anything else is a malformed question.
 */
export function readPresented(input: PresentedFields): Presented {
  const sent: [field: 'card_num' | 'pin' | 'credential_key', value: number | string][] = [];
  if (isSent(input.cardNum)) sent.push(['card_num', input.cardNum]);
  if (isSent(input.pin)) sent.push(['pin', input.pin]);
  if (isSent(input.credentialKey)) sent.push(['credential_key', input.credentialKey]);
  if (sent.length === 2 && isSent(input.cardNum) && isSent(input.pin)) {
    return { kind: 'card_and_pin', card: digitsOf('card_num', input.cardNum), pin: digitsOf('pin', input.pin) };
  }
  const [only] = sent;
  if (!only || sent.length > 1) {
    const which = sent.length === 0 ? 'none' : sent.map(([field]) => field).join(' and ');
    throw ERRORS.badRequest(`Send exactly one of card_num, pin or credential_key, or card_num with pin (got ${which})`);
  }
  const [field, value] = only;
  if (field === 'credential_key') return { kind: 'credential_key', value: String(value).trim() };
  return { kind: field, value: digitsOf(field, value) };
}
