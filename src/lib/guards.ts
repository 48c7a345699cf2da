/**
 * Type guards for values read from outside (JSON bodies, stored JSON, settings): narrowing by a check
 * rather than asserting a type with `as`.
 */

/** A JSON object: not null, not a list. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One of a fixed list of literals (`as const` tuples). */
export function isOneOf<T extends string | number>(allowed: readonly T[], value: unknown): value is T {
  return allowed.some((candidate) => candidate === value);
}

/** A list, mutable or not (`Array.isArray` narrows only to a mutable `any[]`). */
export function isList<T>(value: readonly T[] | object | undefined): value is readonly T[] {
  return Array.isArray(value);
}

/** JSON text that holds an object (stored settings, package.json); anything else reads as empty. */
export function jsonObject(text: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(text);
  return isRecord(parsed) ? parsed : {};
}
