/**
 * What a credential's number (`card_num`, unique in the site across every kind of credential) may be.
 * One card-number rule serves both faces: decimal digits up to a length (the site's `card_num_max_length`
 * on the Lockt face; the panel's 10), or, where the panel reads them, hex bytes such as AA:BB:CC:DD.
 */

/** The kinds of credential the panel face makes; Lockt's cards and fobs are `card`. */
export const IDENTIFIER_TYPES = ['card', 'ukey', 'inputCode', 'face_id', 'qr', 'license_plate'] as const;
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];

export const isIdentifierType = (value: string): value is IdentifierType => IDENTIFIER_TYPES.some((type) => type === value);

/** The forms a card number may take where it is read. */
export interface CardNumberForm {
  maxDigits: number;
  hexBytes: boolean;
}

/** A panel's card and ukey numbers: up to 10 digits (a 32-bit Wiegand number) or 2 to 8 hex bytes. */
export const PANEL_CARD_FORM: CardNumberForm = { maxDigits: 10, hexBytes: true };

const DIGITS = /^[0-9]+$/;
const HEX_BYTES = /^(?:[0-9A-Fa-f]{2}[:-]){1,7}[0-9A-Fa-f]{2}$/;

export type CardNumberProblem = 'not_numeric' | 'too_long';

/** Why `text` is not a card number of this form; undefined when it is one. */
export function cardNumberProblem(text: string, form: CardNumberForm): CardNumberProblem | undefined {
  if (form.hexBytes && HEX_BYTES.test(text)) return undefined;
  if (!DIGITS.test(text)) return 'not_numeric';
  if (text.length > form.maxDigits) return 'too_long';
  return undefined;
}

const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const CARD_EXPECTED = 'up to 10 digits, or hex bytes such as AA:BB:CC:DD';

/** The form each kind of identifier's number takes, and how a refusal describes it. */
export const IDENTIFIER_NUMBER_RULES: Record<IdentifierType, { test: (number: string) => boolean; expected: string }> = {
  card: { test: (n) => cardNumberProblem(n, PANEL_CARD_FORM) === undefined, expected: CARD_EXPECTED },
  ukey: { test: (n) => cardNumberProblem(n, PANEL_CARD_FORM) === undefined, expected: CARD_EXPECTED },
  inputCode: { test: (n) => DIGITS.test(n), expected: 'digits' },
  qr: { test: (n) => UUID.test(n), expected: 'a UUID' },
  face_id: { test: (n) => n !== '', expected: 'not blank' },
  license_plate: { test: (n) => n !== '', expected: 'not blank' },
};
