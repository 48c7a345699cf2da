import { showValue } from '../lib/show-value.ts';

/**
 * The longest text, in characters, that a client may store in a field an index holds: names, id
 * numbers, emails, identifier numbers, usernames. PostgreSQL refuses a btree entry over 2704 bytes (a 500
 * before this limit); 255 characters are at most 1020 bytes of UTF-8, a little more once case-folded,
 * with room to spare, and more than any name or number a client has reason to send.
 */
export const MAX_IDENTIFYING_LENGTH = 255;

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
