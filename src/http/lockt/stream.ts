import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/**
 * Sends `{"data": [...]}` while the items are still being read, so a list of 100,000 users never sits
 * in memory whole. Items arrive in chunks (see src/db/keyset.ts); each is serialised as it comes.
 */
export function sendDataStream(reply: FastifyReply, chunks: AsyncIterable<unknown[]>): FastifyReply {
  async function* body(): AsyncGenerator<string> {
    yield '{"data":[';
    let first = true;
    for await (const chunk of chunks) {
      if (chunk.length === 0) continue;
      const text = chunk.map((item) => JSON.stringify(item)).join(',');
      yield first ? text : `,${text}`;
      first = false;
    }
    yield ']}';
  }
  return reply.type('application/json; charset=utf-8').send(Readable.from(body()));
}
