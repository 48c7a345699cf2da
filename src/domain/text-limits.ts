import { showValue } from '../lib/show-value.ts';

/**
 * The longest text, in characters, that a client may store in a field an index holds: names, id
 * numbers, emails, identifier numbers, usernames. PostgreSQL refuses a btree entry over 2704 bytes (a 500
 * before this limit); 255 characters are at most 1020 bytes of UTF-8, a little more once case-folded,
 * with room to spare, and more than any name or number a client has reason to send.
 */
export const MAX_IDENTIFYING_LENGTH = 255;

/**
 * The longest free text a client may store (a user's info, a device event's detail, an apartment's image
 * paths): no index holds it, but without a bound one field could hold megabytes (500 KB were accepted).
 * Names that no index holds (first and last names, a BAS-IP user's name, an identifier's owner) are
 * bounded by MAX_IDENTIFYING_LENGTH like those that are.
 */
export const MAX_FREE_TEXT_LENGTH = 2000;

/**
 * Characters that do not show, or that reorder what follows: in a name they make two names that look
 * the same compare as different ("Door 1" and "Door\u200b1"). Zero-width space, word joiner and
 * friends, the byte-order mark, the Mongolian vowel separator, and the bidirectional marks, embeddings,
 * overrides and isolates. The zero-width joiner and non-joiner stay allowed: Persian and Indic names and
 * emoji sequences need them.
 */
export const INVISIBLE_IN_NAMES = /[\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

/** What a client reads for text over its limit, worded as the Lockt face words a card_num too long. */
export function tooLongMessage(field: string, limit: number, value: unknown): string {
  return `Invalid ${field} length found (at most ${limit} characters): ${showValue(value)}`;
}

/**
 * Why identifying text that no schema has checked (a command-line flag) cannot be stored, if it cannot.
 * Counted in characters (code points), as schemas count `maxLength`.
 */
export function identifyingTextProblem(field: string, text: string): string | undefined {
  return Array.from(text).length > MAX_IDENTIFYING_LENGTH ? tooLongMessage(field, MAX_IDENTIFYING_LENGTH, text) : undefined;
}
