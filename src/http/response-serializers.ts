import fastJsonStringify from 'fast-json-stringify';

type Serialize = (data: unknown) => string;

/**
 * Response serializers compiled once per schema text in a process, rather than once per route of each
 * app: compiling them was most of the cost of building an app, which every test does; routes that share
 * a response schema (the envelopes, the summaries) share its serializer in a server too. Keyed by the
 * schema's JSON, as TypeBox builds equal schemas as distinct objects; none refers to a shared `$id`.
 */
const compiled = new Map<string, Serialize>();

export function responseSerializer({ schema }: { schema: unknown }): Serialize {
  const key = JSON.stringify(schema);
  let serialize = compiled.get(key);
  if (serialize === undefined) {
    serialize = fastJsonStringify(schema as Parameters<typeof fastJsonStringify>[0]);
    compiled.set(key, serialize);
  }
  return serialize;
}
