import type { FastifyInstance } from 'fastify';
import { ERRORS } from '../domain/errors.ts';

/**
 * The deepest nesting of arrays and objects a body may have. The deepest legitimate body (a BAS-IP time
 * profile inside a batch record) is under ten; a body nested thousands deep parses, then overflows the
 * stack of whatever walks it next (validation, the batch runner), which answered 500.
 */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether the text nests arrays and objects deeper than `max`, brackets inside strings aside. A scan
 * before parsing rather than a bound inside the parser: neither JSON.parse nor Fastify's secure-json-parse
 * has a depth option, and replacing the parser for this would cost every body its speed. Malformed text
 * is left to the parser to refuse.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}

/**
 * Puts every string of a parsed body in Unicode normal form C, in place, so that a name typed as "e" and a
 * combining accent is stored, compared and kept unique as the same name as "é". Keys are left: no
 * field's name needs it.
 */
function normaliseStrings(body: unknown): void {
  const pending: unknown[] = [body];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (typeof item !== 'object' || item === null) continue;
    for (const [key, child] of Object.entries(item)) {
      if (typeof child === 'string') Reflect.set(item, key, child.normalize('NFC'));
      else pending.push(child);
    }
  }
}

const NON_ASCII = /[^\x00-\x7f]/;

/** Refuses bytes that are not UTF-8, rather than reading them as U+FFFD and storing what was never sent. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON is the only body Portcullis reads: any other Content-Type is refused with 415. An empty body
 * parses to nothing (clients send `Content-Type: application/json` on bodiless calls such as
 * `POST /delegate?purge`), and endpoints that need a body say so in their own format. Parsing is
 * Fastify's, which also refuses `__proto__` and `constructor` pollution; bytes that are not UTF-8 and
 * nesting deeper than MAX_JSON_DEPTH are refused before it, and its strings are put in NFC after it.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(ERRORS.bodyNotUtf8(), undefined);
      return;
    }
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      done(ERRORS.bodyTooDeep(MAX_JSON_DEPTH), undefined);
      return;
    }
    parseJson(request, text, (error, value) => {
      if (error) {
        done(ERRORS.unparseableBody(), undefined);
        return;
      }
      // Only text beyond ASCII can be other than NFC: most bodies skip the walk.
      if (NON_ASCII.test(text)) normaliseStrings(value);
      done(null, value);
    });
  });
}
