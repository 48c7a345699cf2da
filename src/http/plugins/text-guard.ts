import type { FastifyInstance } from 'fastify';
import { ERRORS } from '../../domain/errors.ts';

/** NUL, or a UTF-16 surrogate without its partner. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Where the first string of `value` (keys included) that no store can hold faithfully is, if any: PostgreSQL
 * refuses NUL in text, and an unpaired surrogate has no UTF-8 form, so both stores would keep U+FFFD
 * instead and what was checked would not be what is stored. Walks without recursion: a body may be
 * nested far deeper than the stack.
 */
export function unstorableTextAt(value: unknown, root: string): string | undefined {
  const pending: [unknown, string][] = [[value, root]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, at] = next;
    if (typeof item === 'string') {
      if (UNSTORABLE.test(item)) return at;
    } else if (Array.isArray(item)) {
      item.forEach((element, index) => pending.push([element, `${at}[${index}]`]));
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, element] of Object.entries(item)) {
        if (UNSTORABLE.test(key)) return at;
        pending.push([element, `${at}.${key}`]);
      }
    }
  }
  return undefined;
}

/**
 * Refuses, before validation, a request whose query, path parameters or JSON body carries such text, with
 * a 400 that says where; without this it reached a query and came back a 500 on PostgreSQL.
 */
export function installTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const at =
      unstorableTextAt(request.params, 'path') ?? unstorableTextAt(request.query, 'query') ?? unstorableTextAt(request.body, 'body');
    if (at !== undefined) throw ERRORS.badRequest(`Invalid text (a NUL or an unpaired surrogate) in ${at}`);
  });
}
