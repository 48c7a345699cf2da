import { readFileSync } from 'node:fs';
import { type TLSSocket, connect } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/open.ts';
import { EVENT_CATEGORIES, EVENT_CODES } from '../../src/event-log/catalogue.ts';
import { type NewEvent, appendEvents } from '../../src/event-log/event-log.ts';
import { STREAM_LIMITS } from '../../src/modules/events/event-stream.ts';
import { cliOnStore } from '../cli-runner.ts';
import { type ChildServer, Client, startServe } from '../crash/child-server.ts';
import { type FaultStore, createSite, prepareFaultStore } from '../faults/fault-store.ts';
import { DIALECTS } from '../harness.ts';

/**
 * Event streams against a real server with a large backlog (issue 14, item 1): clients that open
 * `?stream&id=0` and never read must not make the server hold the backlog in memory, and one caller
 * cannot open more than its share of streams.
 */
const EVENTS = 60_000;
const STREAMS = 10;
/** What the server may grow by while ten clients sit on a 60,000-event backlog (it grew by 2 GB before). */
const MOST_GROWTH_MB = 64;

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

/** A TLS connection that asks for the stream from the start and then never reads. */
function stalledStream(port: number, headers: Record<string, string>): TLSSocket {
  const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  const lines = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.once('secureConnect', () => {
    socket.write(`GET /api/v1/events?stream&id=0 HTTP/1.1\r\nhost: 127.0.0.1\r\n${lines}\r\n`);
    socket.pause();
  });
  socket.on('error', () => undefined);
  return socket;
}

describe.each(DIALECTS)('event streams under a non-reading client on %s', (dialect) => {
  let store: FaultStore;
  let node: ChildServer | undefined;
  beforeEach(async () => {
    store = await prepareFaultStore(dialect);
  });
  afterEach(async () => {
    await node?.kill();
    node = undefined;
    await store.cleanup();
  });

  it('holds memory bounded, and caps the streams of a key', async () => {
    const { siteId, lockt } = await createSite(store, 'Backlog');
    const second = await cliOnStore(store, ['key', 'create', '--site', String(siteId)]);
    const keys = [lockt, { apiuser: second.apiuser as string, apikey: second.apikey as string }];
    const writer = openStore({ dataDir: store.dataDir, databaseUrl: store.databaseUrl });
    try {
      const event = (i: number): NewEvent => ({
        siteId,
        code: EVENT_CODES.ACCESS_DENIED,
        category: EVENT_CATEGORIES.ACCESS_DENIED,
        cardNum: String(1_000_000 + i),
        userName: 'Backlog, Person',
        detail: 'No access level opens this door.'.repeat(4),
        hwTime: Date.now(),
        dbTime: Date.now(),
      });
      for (let from = 0; from < EVENTS; from += 1_000) {
        await writer.db.transaction().execute((trx) =>
          appendEvents(
            trx,
            Array.from({ length: 1_000 }, (_, i) => event(from + i)),
          ),
        );
      }
    } finally {
      await writer.close();
    }

    node = await startServe(store);
    // Measured from a server that has served a page of the backlog already, so the growth is the streams'.
    const reader = new Client(node.port, keys[0] as Record<string, string>);
    for (let i = 0; i < 3; i++) expect((await reader.call('GET', '/api/v1/events?id=0')).status).toBe(200);
    reader.close();
    const before = rssMb(node.pid);
    const sockets = Array.from({ length: STREAMS }, (_, i) => stalledStream((node as ChildServer).port, keys[i % 2] as Record<string, string>));
    let peak = before;
    for (let i = 0; i < 30; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      peak = Math.max(peak, rssMb(node.pid));
    }
    console.info(`${dialect}: ${STREAMS} stalled streams over ${EVENTS} events: RSS ${before.toFixed(0)} → peak ${peak.toFixed(0)} MB`);
    expect(peak - before).toBeLessThan(MOST_GROWTH_MB);

    // Each key holds five now: a sixth is refused in the Lockt envelope, with Retry-After.
    const client = new Client(node.port, keys[0] as Record<string, string>);
    const refused = await client.call('GET', '/api/v1/events?stream');
    client.close();
    expect(refused.status).toBe(429);
    expect(refused.headers?.['retry-after']).toBeDefined();
    expect(refused.body).toEqual({
      data: { error: `Too many open event streams for this API key (at most ${STREAM_LIMITS.perKey}); close one first.` },
    });
    for (const socket of sockets) socket.destroy();
  }, 120_000);
});
