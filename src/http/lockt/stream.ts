import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { mapChunks } from '../../db/keyset.ts';

/**
 * Sends `{"data": [...]}` while the items are still being read, so a list of 100,000 users never sits
 * in memory whole. Items arrive in chunks (see src/db/keyset.ts); each is serialised as it comes.
 *
 * A list that ends within its first chunk (one user by `?id=`, most pages) is sent whole instead, with a
 * Content-Length: streaming it cost a fifth of a one-record answer's time (docs/performance.md), and a
 * failure reading it is still answered with a proper error rather than a cut-off body.
 */
export function sendDataStream(reply: FastifyReply, chunks: AsyncIterable<unknown[]>): Promise<FastifyReply> {
  return sendJsonItems(
    reply,
    mapChunks(chunks, (item) => JSON.stringify(item)),
  );
}

/** `sendDataStream` for items that are JSON already (the store wrote them, see events/event-json.ts). */
export async function sendJsonItems(reply: FastifyReply, chunks: AsyncIterable<string[]>): Promise<FastifyReply> {
  reply.type('application/json; charset=utf-8');
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return reply.send('{"data":[]}');
  const second = await iterator.next();
  if (second.done) return reply.send(`{"data":[${first.value.join(',')}]}`);

  async function* body(read: string[][]): AsyncGenerator<string> {
    yield '{"data":[';
    let separator = '';
    for (let chunk = read.shift(); chunk; chunk = read.shift() ?? (await iterator.next()).value) {
      if (chunk.length === 0) continue;
      yield separator + chunk.join(',');
      separator = ',';
    }
    yield ']}';
  }
  return reply.send(Readable.from(body([first.value, second.value])));
}
