import fc from 'fast-check';
import type { FuzzRoute } from './routes.ts';

/**
 * Hostile requests for one route: values near what its schema wants and far from it (wrong types, huge
 * and negative numbers, odd Unicode with lone surrogates and NUL, deep nesting), malformed and oversized
 * bodies, wrong content types, duplicated query parameters, and missing, foreign or garbage credentials.
 */

/** Strings that have broken parsers, validators and stores before. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\udc00y',
  '\ufeff',
  '\u202e\u0041',
  '\u{1F984}'.repeat(50),
  'e\u0301',
  '９９',
  '١٢٣',
  '-1',
  '0',
  '00',
  '1.5',
  '1e309',
  '-0',
  'NaN',
  'Infinity',
  '9007199254740993',
  '99999999999999999999999',
  '2147483648',
  'true',
  'null',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  "'; DROP TABLE users; --",
  '../../etc/passwd',
  '%00',
  '%',
  '\r\nX-Injected: 1',
  '<script>alert(1)</script>',
  '2026-02-30 25:61:61',
  '2026-01-02T03:04:05+99:00',
  'x'.repeat(10_000),
];

const NASTY_NUMBERS = [
  0,
  -0,
  -1,
  1,
  1.5,
  -1.5,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 63),
  1e21,
  1e308,
  -1e308,
  5e-324,
  Number.MAX_SAFE_INTEGER,
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...NASTY_STRINGS), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 12 }), weight: 1 },
  // Any UTF-16 code units, so lone surrogates turn up beyond the fixed ones above.
  { arbitrary: fc.string({ unit: fc.nat(0xffff).map((unit) => String.fromCharCode(unit)), maxLength: 20 }), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 200_000 }).map((n) => 'é'.repeat(n)), weight: 1 },
  // Long and incompressible, unlike the repeats above, which a store may compress below its limits.
  { arbitrary: fc.uint8Array({ minLength: 1500, maxLength: 6000 }).map((bytes) => Buffer.from(bytes).toString('base64')), weight: 1 },
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.constantFrom(...NASTY_NUMBERS), weight: 3 },
  { arbitrary: fc.integer(), weight: 2 },
  { arbitrary: fc.integer({ min: -3, max: 6 }), weight: 2 },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 },
);

/** Any JSON value, a few levels deep, built from the hostile leaves. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom('id', 'name', '__proto__', 'constructor', 'users', 'events')), tie('value'), {
      maxKeys: 4,
    }),
  ),
})).value;

interface JsonSchemaLike {
  type?: string | string[];
  properties?: Record<string, JsonSchemaLike>;
  required?: string[];
  items?: JsonSchemaLike;
  anyOf?: JsonSchemaLike[];
  oneOf?: JsonSchemaLike[];
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
}

/** Strings a field of this schema might plausibly hold, so requests get past the first check. */
function plausibleStrings(schema: JsonSchemaLike): fc.Arbitrary<string> {
  if (schema.pattern === '^[0-9]+$' || schema.pattern?.includes('0-9')) return fc.integer({ min: 0, max: 30 }).map(String);
  return fc.constantFrom('Fuzz', 'Door 1', '12345', '4321', 'card', '2026-01-02 03:04:05', '2026-01-02T03:04:05Z', 'true', 'ok', 'first');
}

const fromSchemaCache = new WeakMap<object, fc.Arbitrary<unknown>>();

/**
 * Values shaped by a JSON schema (TypeBox's), each part replaced now and then by a hostile value, and
 * objects given extra fields or missing required ones: mostly near-valid, so the deep checks run too.
 */
export function fromSchema(schema: unknown, depth = 0): fc.Arbitrary<unknown> {
  if (typeof schema !== 'object' || schema === null || depth > 6) return hostileJson;
  const cached = fromSchemaCache.get(schema);
  if (cached) return cached;
  const s = schema as JsonSchemaLike;
  let shaped: fc.Arbitrary<unknown>;
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives && alternatives.length > 0) shaped = fc.oneof(...alternatives.map((alt) => fromSchema(alt, depth + 1)));
  else if (s.const !== undefined) shaped = fc.constant(s.const);
  else if (s.enum) shaped = fc.constantFrom(...s.enum);
  else {
    const type = Array.isArray(s.type) ? s.type[0] : s.type;
    switch (type) {
      case 'object': {
        const properties = Object.entries(s.properties ?? {});
        const required = new Set(s.required ?? []);
        const fields = properties.map(([name, sub]) =>
          fc.option(
            fromSchema(sub, depth + 1).map((value) => [name, value] as const),
            { freq: required.has(name) ? 8 : 2, nil: undefined },
          ),
        );
        shaped = fc.tuple(fc.tuple(...fields), fc.array(fc.tuple(hostileString, hostileJson), { maxLength: 2 })).map(([present, extra]) => {
          const out: Record<string, unknown> = {};
          for (const field of present) if (field) out[field[0]] = field[1];
          for (const [key, value] of extra) if (key !== '__proto__') out[key] = value;
          return out;
        });
        break;
      }
      case 'array':
        shaped = fc.array(fromSchema(s.items, depth + 1), { maxLength: 4 });
        break;
      case 'string':
        shaped = fc.oneof({ arbitrary: plausibleStrings(s), weight: 3 }, { arbitrary: hostileString, weight: 1 });
        break;
      case 'integer':
      case 'number': {
        // Small plausible values from the minimum up (a range may start above 10: ports, payload types).
        const lowest = s.minimum ?? -1;
        shaped = fc.oneof(
          { arbitrary: fc.integer({ min: lowest, max: Math.min(s.maximum ?? Number.POSITIVE_INFINITY, Math.max(lowest, 0) + 10) }), weight: 3 },
          { arbitrary: hostileNumber, weight: 1 },
        );
        break;
      }
      case 'boolean':
        shaped = fc.boolean();
        break;
      case 'null':
        shaped = fc.constant(null);
        break;
      default:
        shaped = hostileJson;
    }
  }
  const result = fc.oneof({ arbitrary: shaped, weight: 6 }, { arbitrary: hostileJson, weight: 1 });
  fromSchemaCache.set(schema, result);
  return result;
}

/** Each byte as encodeComponent writes it, worked out once: per byte at each call, it was most of the fuzz suite's time. */
const BYTE_ENCODED = Array.from({ length: 256 }, (_, byte) =>
  /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
);

/** Percent-encodes the UTF-8 of any string, lone surrogates included (where encodeURIComponent throws). */
export function encodeComponent(value: string): string {
  let encoded = '';
  for (const byte of Buffer.from(value, 'utf8')) encoded += BYTE_ENCODED[byte];
  return encoded;
}

/** Raw URL pieces that are not valid percent-encoding or decode to something odd. */
export const RAW_URL_PIECES = ['%', '%zz', '%C0%80', '%ED%A0%80', '%FF', '%00', '..', '%2F', '%2e%2e', '+', '&', '='];

const idLike = fc.oneof(fc.integer({ min: 1, max: 6 }).map(String), hostileNumber.map(String));

export type AuthMode = 'valid' | 'none' | 'garbage' | 'foreign';

export interface FuzzRequest {
  method: string;
  path: string;
  query: [string, string][];
  /** Raw query text appended after the encoded pairs (malformed encodings). */
  rawQuery: string;
  auth: AuthMode;
  garbageCredential: string;
  contentType: string | undefined;
  body: { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'raw'; text: string | Buffer };
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=utf-16le',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  'application/json, text/plain',
  'application/jsonx',
  'application/problem+json',
  '',
];

/** Bodies no serializer would produce: broken, deep, duplicated, oversized, mis-encoded. */
const rawBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.constantFrom(
    '{',
    '{"a":',
    '[1,2',
    'nul',
    '{"a":1}{"b":2}',
    '\ufeff{}',
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"admin":true}}}',
    '{"id":1,"id":"x"}',
    '{"door_id":1e400}',
    '{"id":123456789012345678901234567890}',
    '{"id":-0}',
    '"\\ud800"',
    '{"name":"\\u0000"}',
    'null',
    '[]',
    '0',
    '"x"',
    'true',
  ),
  fc.integer({ min: 1, max: 300_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 1, max: 100_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
  fc.integer({ min: 1, max: 100_000 }).map((n) => `{"users":${'['.repeat(n)}${']'.repeat(n)}}`),
  fc.constant(Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x80, 0x22, 0x7d])),
  fc.constant(Buffer.from('{"name":"a\u0000b"}'.replace('\\u0000', '\u0000'))),
  fc.constant(`{"pad":"${'x'.repeat(1024 * 1024 + 10)}"}`),
  hostileJson.map((value) => {
    const text = JSON.stringify(value) ?? 'null';
    return text.slice(0, Math.max(0, text.length - 1));
  }),
);

/**
 * JSON text nested far past any real body (the parser's limit is 32): arrays, objects or both, from just
 * past the limit to deep enough that walking it recursively overflows the stack.
 */
export const deepJsonText: fc.Arbitrary<string> = fc
  .tuple(fc.oneof(fc.integer({ min: 30, max: 40 }), fc.constantFrom(100, 5_000, 10_000, 20_000)), fc.constantFrom('[', '{"a":', 'both'))
  .map(([levels, open]) => {
    const opens = Array.from({ length: levels }, (_, i) => (open === 'both' ? (i % 2 === 0 ? '[' : '{"a":') : open));
    return (
      opens.join('') +
      '1' +
      opens
        .reverse()
        .map((o) => (o === '[' ? ']' : '}'))
        .join('')
    );
  });

/**
 * Numerals no field can hold, as JSON text (1e400 and 2^64+1 have no exact JavaScript number): just past
 * 32-bit, 53-bit and 64-bit integers, past year 9999 in seconds and in milliseconds, past a double.
 */
export const outOfRangeNumeral: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '2147483648',
    '-2147483649',
    '4294967296',
    '9007199254740993',
    '18446744073709551617',
    '1e16',
    '1e30',
    '-1e30',
    '253402300800',
    '253402300800000',
    '1e400',
    '-1e400',
    '1.7976931348623159e308',
    '0.1e-400',
    '123456789012345678901234567890',
  ),
  fc.bigInt({ min: 2n ** 31n, max: 2n ** 130n }).map((n) => String(n)),
  fc.bigInt({ min: -(2n ** 130n), max: -(2n ** 31n) }).map((n) => String(n)),
);

/** A placeholder no generated value contains; replaced in the serialised body by raw JSON text. */
const SPLICE_MARK = '\u0001splice\u0001';

/**
 * The body serialised with one of its values replaced by raw JSON text: the `pick`-th number (any value
 * when it has no number), or, with no value at all, the body itself. Puts text JSON.stringify cannot
 * write (deep nesting, out-of-range numerals) where a route's checks will meet it.
 */
function splice(value: unknown, pick: number, raw: string, numbersFirst: boolean): string {
  const body = structuredClone(value);
  const slots: { holder: Record<string, unknown> | unknown[]; key: string | number; isNumber: boolean }[] = [];
  const walk = (node: unknown) => {
    if (typeof node !== 'object' || node === null) return;
    for (const [key, child] of Object.entries(node)) {
      slots.push({ holder: node as Record<string, unknown>, key, isNumber: typeof child === 'number' });
      walk(child);
    }
  };
  walk(body);
  const numbers = slots.filter((slot) => slot.isNumber);
  const candidates = numbersFirst && numbers.length > 0 ? numbers : slots;
  const slot = candidates[pick % Math.max(1, candidates.length)];
  if (!slot) return raw;
  (slot.holder as Record<string, unknown>)[slot.key] = SPLICE_MARK;
  return (JSON.stringify(body) ?? 'null').replace(JSON.stringify(SPLICE_MARK), () => raw);
}

/** One hostile request for `route` (path parameters already encoded, or deliberately mis-encoded). */
export function requestFor(route: FuzzRoute): fc.Arbitrary<FuzzRequest> {
  const querySchema = route.querystring as { properties?: Record<string, unknown> } | undefined;
  const knownKeys = Object.keys(querySchema?.properties ?? {});
  const queryKey = fc.oneof(
    { arbitrary: knownKeys.length > 0 ? fc.constantFrom(...knownKeys) : fc.constant('id'), weight: 4 },
    { arbitrary: fc.constantFrom('id', 'limit', 'after_id', 'page_number', 'filter', 'id[]', 'a[b]', '__proto__'), weight: 1 },
    { arbitrary: hostileString, weight: 1 },
  );
  const segment = fc.oneof(
    { arbitrary: idLike.map(encodeComponent), weight: 6 },
    { arbitrary: hostileString.map(encodeComponent), weight: 2 },
    { arbitrary: fc.constantFrom(...RAW_URL_PIECES), weight: 1 },
  );
  const pathParams = fc.tuple(...route.params.map(() => segment));
  const body: fc.Arbitrary<FuzzRequest['body']> = fc.oneof(
    { arbitrary: fc.constant({ kind: 'none' as const }), weight: 1 },
    { arbitrary: fromSchema(route.body).map((value) => ({ kind: 'json' as const, value })), weight: route.body ? 6 : 1 },
    { arbitrary: hostileJson.map((value) => ({ kind: 'json' as const, value })), weight: 2 },
    { arbitrary: rawBody.map((text) => ({ kind: 'raw' as const, text })), weight: 2 },
    {
      arbitrary: fc
        .tuple(fromSchema(route.body), fc.nat(), deepJsonText)
        .map(([value, pick, deep]) => ({ kind: 'raw' as const, text: splice(value, pick, deep, false) })),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(fromSchema(route.body), fc.nat(), outOfRangeNumeral)
        .map(([value, pick, numeral]) => ({ kind: 'raw' as const, text: splice(value, pick, numeral, true) })),
      weight: 1,
    },
  );
  return fc
    .record({
      params: pathParams,
      query: fc.array(fc.tuple(queryKey, fc.oneof(plausibleStrings({ pattern: '0-9' }), hostileString)), { maxLength: 4 }),
      duplicate: fc.boolean(),
      rawQuery: fc.oneof({ arbitrary: fc.constant(''), weight: 6 }, { arbitrary: fc.constantFrom(...RAW_URL_PIECES), weight: 1 }),
      auth: fc.constantFrom<AuthMode>('valid', 'valid', 'valid', 'valid', 'valid', 'valid', 'none', 'garbage', 'foreign'),
      garbageCredential: hostileString.map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '')),
      contentType: fc.oneof(
        { arbitrary: fc.constant('application/json'), weight: 6 },
        { arbitrary: fc.constantFrom(...CONTENT_TYPES, undefined), weight: 1 },
      ),
      body,
    })
    .map(({ params, query, duplicate, rawQuery, auth, garbageCredential, contentType, body }) => {
      let index = 0;
      const path = route.url.replace(/:([A-Za-z_]+)/g, () => params[index++] ?? '1');
      const pairs = duplicate && query[0] ? [...query, query[0], [query[0][0], 'again'] as [string, string]] : query;
      return { method: route.method, path, query: pairs, rawQuery, auth, garbageCredential, contentType, body };
    });
}

/** The request line's target: path, encoded pairs and any raw tail. */
export function targetOf(request: FuzzRequest): string {
  const parts = request.query.map(([key, value]) => `${encodeComponent(key)}=${encodeComponent(value)}`);
  if (request.rawQuery) parts.push(request.rawQuery);
  return parts.length === 0 ? request.path : `${request.path}?${parts.join('&')}`;
}
