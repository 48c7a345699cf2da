import type { OutgoingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../../db/queryable.ts';
import { listEventsAfter, listNewestEvents } from './events.repository.ts';

/** How often an open stream looks for new events; polling the table also sees other processes' events. */
const POLL_MS = 200;
const HEARTBEAT_MS = 15_000;
const CHUNK = 500;

/**
 * `GET /events?stream`: Server-Sent Events of the site's events as they commit, each with its id as
 * the SSE id, so a client that reconnects with `Last-Event-ID` (or `?id=`) misses none. Without either
 * the stream starts after the newest event.
 */
export class EventStreams {
  private readonly open = new Set<AbortController>();

  /** Ends every open stream (the server is closing). */
  closeAll(): void {
    for (const stream of this.open) stream.abort();
  }

  async serve(request: FastifyRequest, reply: FastifyReply, db: Queryable, siteId: number, resumeAfter: number | undefined): Promise<void> {
    let last = resumeAfter ?? (await listNewestEvents(db, siteId, 1))[0]?.id ?? 0;
    const stop = new AbortController();
    this.open.add(stop);
    request.raw.on('close', () => stop.abort());
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, {
      // Hijacked, the reply's own headers (security, RateLimit) are written only if passed on here.
      ...(reply.getHeaders() as OutgoingHttpHeaders),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-request-id': request.id,
    });
    out.write(': stream open\n\n');
    let quietSince = Date.now();
    try {
      while (!stop.signal.aborted) {
        const rows = await listEventsAfter(db, siteId, last, CHUNK);
        for (const row of rows) {
          out.write(`id: ${row.id}\nevent: event\ndata: ${row.json}\n\n`);
          last = row.id;
        }
        if (rows.length > 0) quietSince = Date.now();
        else if (Date.now() - quietSince >= HEARTBEAT_MS) {
          out.write(': keep-alive\n\n');
          quietSince = Date.now();
        }
        if (rows.length < CHUNK) await sleep(POLL_MS, undefined, { signal: stop.signal }).catch(() => undefined);
      }
    } catch (error) {
      request.log.error({ err: error }, 'event stream failed');
    } finally {
      this.open.delete(stop);
      out.end();
    }
  }
}
