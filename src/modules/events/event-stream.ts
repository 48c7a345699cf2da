import { once } from 'node:events';
import type { OutgoingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MAX_LOG_ID } from '../../db/log-ids.ts';
import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import { endWhenRevoked } from '../../http/authority.ts';
import { listEventsAfter, listNewestEvents } from './events.repository.ts';

/** A resumption point sent as `Last-Event-ID` (by `/events?stream` and the console's feed): a whole number, or nothing. */
export function lastEventId(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !/^\d+$/.test(header.trim())) {
    throw ERRORS.badRequest(`Invalid Last-Event-ID: ${String(header)} (expected an event id)`);
  }
  return Math.min(Number(header.trim()), MAX_LOG_ID);
}

/** How often an open stream looks for new events; polling the table also sees other processes' events. */
const POLL_MS = 200;
const HEARTBEAT_MS = 15_000;
/** Events read and written at a time; the next chunk waits until the client has taken this one. */
const CHUNK = 500;

/** What one caller, and one site, may hold open, and how long a client may leave its socket full (docs/abuse.md). */
export const STREAM_LIMITS = {
  perKey: 5,
  perSite: 20,
  /** A client that has not taken what was written for this long is cut off; it resumes with Last-Event-ID. */
  mostBehindMs: 30_000,
  /** The reconnection delay suggested (SSE `retry:`) when the server ends streams to shut down. */
  retryAfterShutdownMs: 1_000,
} as const;

/** Who holds a stream open: counted against the limits, and asked every moment whether it still may. */
export interface StreamHolder {
  /** The caller among open streams: an API key, an operator's console session. */
  key: string;
  scope: 'API key' | 'operator';
  siteId: number;
  stillValid(): Promise<boolean>;
}

/** Reads a site's events after an id, oldest first, each as its stream's JSON (the Lockt face's, the console's). */
export type EventReader = (db: Queryable, siteId: number, afterId: number, limit: number) => Promise<{ id: number; json: string }[]>;

interface OpenStream {
  key: string;
  siteId: number;
}

/** Why a stream ended, when the server ended it. */
type EndReason = 'shutdown' | 'revoked' | 'unverifiable' | 'behind';

/**
 * `GET /events?stream`: Server-Sent Events of the site's events as they commit, each with its id as
 * the SSE id, so a client that reconnects with `Last-Event-ID` (or `?id=`) misses none. Without either
 * the stream starts after the newest event.
 *
 * The Lockt face's `/events` and the console's feed share it, each with its own holder and event JSON.
 *
 * A stream writes a chunk and waits for the client to take it before reading the next, so a client that
 * does not read holds one chunk of memory, not the site's history; it is cut off after
 * `mostBehindMs`. It ends within a second of its key being revoked or disabled (a console session ended) (or of the store
 * becoming unable to say), and with a `retry:` hint when the server shuts down.
 */
export class EventStreams {
  private readonly open = new Map<AbortController, OpenStream>();

  /** Ends every open stream (the server is closing), suggesting when to reconnect. */
  closeAll(): void {
    for (const stream of this.open.keys()) stream.abort('shutdown' satisfies EndReason);
  }

  private refuseBeyondLimits(holder: StreamHolder): void {
    const open = [...this.open.values()];
    if (open.filter((s) => s.key === holder.key).length >= STREAM_LIMITS.perKey) throw ERRORS.tooManyStreams(holder.scope, STREAM_LIMITS.perKey);
    if (open.filter((s) => s.siteId === holder.siteId).length >= STREAM_LIMITS.perSite) throw ERRORS.tooManyStreams('site', STREAM_LIMITS.perSite);
  }

  async serve(
    request: FastifyRequest,
    reply: FastifyReply,
    db: Queryable,
    holder: StreamHolder,
    resumeAfter: number | undefined,
    read: EventReader = listEventsAfter,
  ): Promise<void> {
    this.refuseBeyondLimits(holder);
    const { siteId } = holder;
    let last = resumeAfter ?? (await listNewestEvents(db, siteId, 1))[0]?.id ?? 0;
    const stop = new AbortController();
    this.open.set(stop, { key: holder.key, siteId });
    const stopChecking = endWhenRevoked(() => holder.stillValid(), stop);
    const out = reply.raw;
    out.once('close', () => stop.abort());
    reply.hijack();
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
        const rows = await read(db, siteId, last, CHUNK);
        if (rows.length > 0) {
          const taken = out.write(rows.map((row) => `id: ${row.id}\nevent: event\ndata: ${row.json}\n\n`).join(''));
          last = rows[rows.length - 1]?.id ?? last;
          quietSince = Date.now();
          if (!taken && !(await drained(out, stop.signal))) stop.abort('behind' satisfies EndReason);
        } else if (Date.now() - quietSince >= HEARTBEAT_MS) {
          out.write(': keep-alive\n\n');
          quietSince = Date.now();
        }
        if (rows.length < CHUNK) await sleep(POLL_MS, undefined, { signal: stop.signal }).catch(() => undefined);
      }
    } catch (error) {
      request.log.error({ err: error }, 'event stream failed');
    } finally {
      stopChecking();
      this.open.delete(stop);
      if (stop.signal.reason === 'shutdown') out.write(`retry: ${STREAM_LIMITS.retryAfterShutdownMs}\n\n`);
      else if (stop.signal.reason === 'revoked' || stop.signal.reason === 'unverifiable')
        request.log.info({ reason: stop.signal.reason }, 'event stream ended: its authority ended');
      // A client that stopped reading is not waited on to close politely.
      if (stop.signal.reason === 'behind') out.destroy();
      else out.end();
    }
  }
}

/** Whether the client took what was written within `mostBehindMs` (false if it did not, or the stream ended). */
async function drained(out: NodeJS.WritableStream, ended: AbortSignal): Promise<boolean> {
  try {
    await once(out, 'drain', { signal: AbortSignal.any([ended, AbortSignal.timeout(STREAM_LIMITS.mostBehindMs)]) });
    return true;
  } catch {
    return false;
  }
}
