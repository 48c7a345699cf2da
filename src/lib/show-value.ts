/** How a value is quoted in a message: as sent, short enough to read. */
export function showValue(value: unknown): string {
  if (value === '') return '""';
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
