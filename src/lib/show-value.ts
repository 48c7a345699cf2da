/** How a value is quoted in a message: as sent, short enough to read. */
export function showValue(value: unknown): string {
  if (value === '') return '""';
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  if (text.length <= 80) return text;
  // Cut by characters, not UTF-16 units: half a surrogate pair is no text a client can read.
  const characters = Array.from(text);
  return characters.length > 80 ? `${characters.slice(0, 77).join('')}...` : text;
}
