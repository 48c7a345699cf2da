import { Stream } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { ERRORS } from '../../domain/errors.ts';
import { INVISIBLE_IN_NAMES } from '../../domain/text-limits.ts';

/** NUL, or a UTF-16 surrogate without its partner. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A field that names something: `name`, `first_name`, `apartment_name`, an identifier owner's `name` … */
const isNameField = (key: string) => key === 'name' || key.endsWith('_name');

/**
 * An object of parsed text (JSON, a query string, path parameters). A stream (the body a CSV import reads)
 * is not walked: its object graph has cycles, and a CSV body's cells are checked as they are read
 * (src/http/csv.ts).
 */
function isParsedObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !(value instanceof Stream);
}

/**
 * Every string in `value` with where it is and the property it is under; each object key too, as its own
 * text under the object's location. Walks without recursion: a body may be nested far deeper than the stack.
 */
function* textsIn(value: unknown, root: string): Generator<{ text: string; at: string; key: string | null }> {
  const pending: [unknown, string, string | null][] = [[value, root, null]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, at, key] = next;
    if (typeof item === 'string') yield { text: item, at, key };
    else if (Array.isArray(item)) {
      for (const [index, element] of item.entries()) pending.push([element, `${at}[${index}]`, key]);
    } else if (isParsedObject(item)) {
      for (const [name, element] of Object.entries(item)) {
        yield { text: name, at, key: null };
        pending.push([element, `${at}.${name}`, name]);
      }
    }
  }
}

/**
 * Where the first string of `value` (keys included) that no store can hold faithfully is, if any: PostgreSQL
 * refuses NUL in text, and an unpaired surrogate has no UTF-8 form, so both stores would keep U+FFFD
 * instead and what was checked would not be what is stored.
 */
export function unstorableTextAt(value: unknown, root: string): string | undefined {
  for (const { text, at } of textsIn(value, root)) if (UNSTORABLE.test(text)) return at;
  return undefined;
}

/** Where the first name (a `name` or `…_name` field) holding an invisible or direction control character is, if any. */
export function invisibleInNameAt(value: unknown, root: string): string | undefined {
  for (const { text, at, key } of textsIn(value, root)) if (key !== null && isNameField(key) && INVISIBLE_IN_NAMES.test(text)) return at;
  return undefined;
}

/**
 * Whether `value` holds any text `textProblem` refuses, without working out where: what every request
 * asks, so it is walked without the generator's location strings, which are made only for a refusal.
 */
function holdsRefusedText(value: unknown, names: boolean): boolean {
  const items: unknown[] = [value];
  const keys: (string | null)[] = [null];
  while (items.length > 0) {
    const item = items.pop();
    const key = keys.pop() ?? null;
    if (typeof item === 'string') {
      if (UNSTORABLE.test(item) || (names && key !== null && isNameField(key) && INVISIBLE_IN_NAMES.test(item))) return true;
    } else if (Array.isArray(item)) {
      for (const element of item) {
        items.push(element);
        keys.push(key);
      }
    } else if (isParsedObject(item)) {
      for (const [name, element] of Object.entries(item)) {
        if (UNSTORABLE.test(name)) return true;
        items.push(element);
        keys.push(name);
      }
    }
  }
  return false;
}

/**
 * Refuses, before validation, a request whose query, path parameters or JSON body carries such text, or a
 * body naming something with characters that do not show, with a 400 that says where; without this the
 * first reached a query and came back a 500 on PostgreSQL, and the second let look-alike names through.
 */
export function installTextGuard(app: FastifyInstance): void {
  // A callback hook, not an async one: no promise per request.
  app.addHook('preValidation', (request, _reply, done) => {
    if (!holdsRefusedText(request.params, false) && !holdsRefusedText(request.query, false) && !holdsRefusedText(request.body, true)) {
      done();
      return;
    }
    const problem =
      textProblem(request.params, 'path', { names: false }) ??
      textProblem(request.query, 'query', { names: false }) ??
      textProblem(request.body, 'body', { names: true });
    done(problem === undefined ? undefined : ERRORS.badRequest(problem));
  });
}

/**
 * `textProblem` for one row of text cells (a CSV row), at `root()`: each cell is tested where it is, and
 * only a row with a refused cell is walked for the message. Walking every row of a 100,000-row import made
 * a third of what the import allocated (docs/performance.md).
 */
export function cellsProblem(cells: Record<string, string>, root: () => string): string | undefined {
  for (const name in cells) {
    const text = cells[name] ?? '';
    if (UNSTORABLE.test(name) || UNSTORABLE.test(text) || (isNameField(name) && INVISIBLE_IN_NAMES.test(text))) {
      return textProblem(cells, root(), { names: true });
    }
  }
  return undefined;
}

/** The message refusing the first text of `value` the guard refuses (and, with `names`, a name it refuses), if any. */
export function textProblem(value: unknown, root: string, { names }: { names: boolean }): string | undefined {
  const at = unstorableTextAt(value, root);
  if (at !== undefined) return `Invalid text (a NUL or an unpaired surrogate) in ${at}`;
  const name = names ? invisibleInNameAt(value, root) : undefined;
  return name === undefined ? undefined : `Invalid text (an invisible or direction control character) in ${name}`;
}
