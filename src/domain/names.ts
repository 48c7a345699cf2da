/**
 * The key a name is unique on within a site: trimmed, inner runs of white space folded to one space,
 * case-folded. "Door 1", " door  1" and "DOOR 1" are the same door name.
 */
export function nameKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLocaleLowerCase('en-US');
}
