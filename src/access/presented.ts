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

const isSent = (value: unknown) => value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');

/** What was presented: exactly one of card_num, pin, credential_key; anything else is a malformed question. */
export function readPresented(input: PresentedFields): Presented {
  const sent = (
    [
      ['card_num', input.cardNum],
      ['pin', input.pin],
      ['credential_key', input.credentialKey],
    ] as const
  ).filter(([, value]) => isSent(value));
  if (sent.length !== 1) {
    const which = sent.length === 0 ? 'none' : sent.map(([field]) => field).join(' and ');
    throw ERRORS.badRequest(`Send exactly one of card_num, pin or credential_key (got ${which})`);
  }
  const [field, value] = sent[0] as (typeof sent)[number];
  if (field === 'credential_key') return { kind: 'credential_key', value: String(value).trim() };
  const digits = pinDigits(value as number | string);
  if (digits === undefined) throw ERRORS.badRequest(`Non-Numeric ${field} found: ${showValue(value)}`);
  return { kind: field, value: digits };
}
