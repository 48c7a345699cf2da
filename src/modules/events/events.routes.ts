import { Type } from 'typebox';
import { MAX_LOG_ID, waitUntilSettled } from '../../db/log-ids.ts';
import { keysetChunks, mapChunks } from '../../db/keyset.ts';
import { sendJsonItems } from '../../http/lockt/stream.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { DataEnvelope } from '../../http/schemas.ts';
import { LOCKT_API_KEY, LOCKT_SECURITY, type ResourceModule } from '../module.ts';
import { apiKeyStillValid } from '../api-keys/api-keys.service.ts';
import { EventStreams, lastEventId } from './event-stream.ts';
import { type LocktEventJson, listEventsAfter, listNewestEvents } from './events.repository.ts';
import { EventObject, EventsQuery } from './events.schema.ts';

const jsonOf = (event: LocktEventJson) => event.json;

/**
 * A poller's page is read this many events a query: a default page (5,000) in one query, a site's largest
 * (100,000) with bounded memory. The store writes each event's JSON, so a chunk costs one string per
 * event; smaller chunks only cost PostgreSQL more round trips (docs/performance.md, item 11).
 */
const EVENTS_PER_QUERY = 5000;

async function* oneChunk<Item>(items: Item[]): AsyncGenerator<Item[]> {
  yield items;
}

/** `/events`: the newest events, the events after an id, or a live stream of them. */
export const eventsModule: ResourceModule = {
  name: 'events',
  objectTypes: { event: EventObject },
  register(app, { db }) {
    const streams = new EventStreams();
    // preClose: before the server waits for its connections, which an open stream would hold.
    app.addHook('preClose', async () => streams.closeAll());

    app.get('/api/v1/events', {
      config: LOCKT_API_KEY,
      schema: {
        tags: ['events'],
        security: LOCKT_SECURITY,
        summary:
          'The newest events (at most the site’s events_limit, default 5000), newest first; with ?id=X the events after X, oldest first; with ?stream (extension) a Server-Sent Events stream.',
        querystring: EventsQuery,
        response: {
          200: {
            description: 'The events; with ?stream, a Server-Sent Events stream whose `data` lines are events as JSON.',
            content: {
              'application/json': { schema: DataEnvelope(Type.Array(EventObject)) },
              'text/event-stream': { schema: Type.String() },
            },
          },
        },
      },
      handler: async (request, reply) => {
        const principal = principalOf(request);
        const { site } = principal;
        const { id, stream } = request.query;
        if (stream !== undefined) {
          const resumeAfter = lastEventId(request.headers['last-event-id']) ?? (id === undefined ? undefined : Math.min(Number(id), MAX_LOG_ID));
          const holder = {
            key: `key ${principal.keyId}`,
            scope: 'API key' as const,
            siteId: site.id,
            stillValid: () => apiKeyStillValid(db, principal),
          };
          await streams.serve(request, reply, db, holder, resumeAfter);
          return reply;
        }
        const limit = site.settings.eventsLimit;
        const afterId = id === undefined ? 0 : Math.min(Number(id), MAX_LOG_ID);
        await waitUntilSettled(db, 'event', site.id, afterId);
        if (id === undefined) return sendJsonItems(reply, oneChunk((await listNewestEvents(db, site.id, limit)).map(jsonOf)));
        const chunks = keysetChunks((after, n) => listEventsAfter(db, site.id, after, n), {
          afterId,
          total: limit,
          chunkSize: EVENTS_PER_QUERY,
        });
        return sendJsonItems(reply, mapChunks(chunks, jsonOf));
      },
    });
  },
};
