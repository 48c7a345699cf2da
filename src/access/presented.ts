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

/** What was presented: exactly one of card_num, pin, credential_key; anything else is a malformed question. */
export function readPresented(input: PresentedFields): Presented {
  const sent: [field: 'card_num' | 'pin' | 'credential_key', value: number | string][] = [];
  if (isSent(input.cardNum)) sent.push(['card_num', input.cardNum]);
  if (isSent(input.pin)) sent.push(['pin', input.pin]);
  if (isSent(input.credentialKey)) sent.push(['credential_key', input.credentialKey]);
  const [only] = sent;
  if (!only || sent.length > 1) {
    const which = sent.length === 0 ? 'none' : sent.map(([field]) => field).join(' and ');
    throw ERRORS.badRequest(`Send exactly one of card_num, pin or credential_key (got ${which})`);
  }
  const [field, value] = only;
  if (field === 'credential_key') return { kind: 'credential_key', value: String(value).trim() };
  const digits = pinDigits(value);
  if (digits === undefined) throw ERRORS.badRequest(`Non-Numeric ${field} found: ${showValue(value)}`);
  return { kind: field, value: digits };
}
