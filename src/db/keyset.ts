/**
 * Walks a table in id order one chunk at a time, so a list of any size is read with bounded memory and
 * without a long-held cursor. `fetch(afterId, limit)` returns rows with id > afterId, ascending.
 */
export async function* keysetChunks<Row extends { id: number }>(
  fetch: (afterId: number, limit: number) => Promise<Row[]>,
  options: { afterId?: number; total?: number | undefined; chunkSize?: number } = {},
): AsyncGenerator<Row[]> {
  const chunkSize = options.chunkSize ?? 1000;
  let remaining = options.total ?? Number.POSITIVE_INFINITY;
  let afterId = options.afterId ?? 0;
  while (remaining > 0) {
    const rows = await fetch(afterId, Math.min(chunkSize, remaining));
    const last = rows.at(-1);
    if (last === undefined) return;
    yield rows;
    remaining -= rows.length;
    afterId = last.id;
    if (rows.length < chunkSize) return;
  }
}

/** Presents each row of each chunk as it streams past. */
export async function* mapChunks<Row, Out>(chunks: AsyncIterable<Row[]>, present: (row: Row) => Out): AsyncGenerator<Out[]> {
  for await (const chunk of chunks) yield chunk.map(present);
}
