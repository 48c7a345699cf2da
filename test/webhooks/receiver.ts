import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got. */
export interface Received {
  /** The URL's path: several subscriptions can share one receiver under different paths. */
  path: string;
  /** When it arrived (ms): a signature's timestamp is checked against this, as the receiver would have. */
  at: number;
  id: string;
  timestamp: string;
  signature: string;
  body: string;
}

/**
 * How the receiver answers the n-th request (from 0): a status, a status after a while (so that requests
 * are in flight long enough for an overlap to show), a status once the test lets it go (to act while
 * the attempt is in flight), or never (to make the sender time out).
 */
export type Answer = (
  received: Received,
  index: number,
) => number | { status: number; afterMs: number } | { status: number; when: Promise<unknown> } | 'hang';

/**
 * A real HTTP server on loopback that records every webhook delivery it is sent, answering as told
 * (200 unless `answer` says otherwise), and every request that came while another of the same
 * webhook-id was still unanswered (`overlapping`: a delivery sent twice at once).
 */
export async function startReceiver(answer: Answer = () => 200, port = 0) {
  const received: Received[] = [];
  const overlapping: Received[] = [];
  const inFlight = new Set<string>();
  const hanging: ServerResponse[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const got: Received = {
        path: request.url ?? '',
        at: Date.now(),
        id: String(request.headers['webhook-id'] ?? ''),
        timestamp: String(request.headers['webhook-timestamp'] ?? ''),
        signature: String(request.headers['webhook-signature'] ?? ''),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const index = received.length;
      received.push(got);
      if (inFlight.has(got.id)) overlapping.push(got);
      inFlight.add(got.id);
      const told = answer(got, index);
      if (told === 'hang') {
        hanging.push(response);
        return;
      }
      const { status } = typeof told === 'number' ? { status: told } : told;
      const reply = () => {
        inFlight.delete(got.id);
        response.writeHead(status, { 'content-type': 'text/plain' }).end(`answer ${status}`);
      };
      if (typeof told === 'object' && 'when' in told) void told.when.then(reply);
      else if (typeof told === 'object' && told.afterMs > 0) setTimeout(reply, told.afterMs);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/hook`,
    port: bound,
    received,
    overlapping,
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls until `check` holds, failing at a generous limit (never a timed assertion). */
export async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, limitMs = 20_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
