import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryConnections, MAX_RESPONSE_BYTES, type TargetPolicy, postDelivery, targetOf } from './webhook-target.ts';

/** A receiver on loopback whose every answer is `answer`'s; it counts the requests and the connections. */
async function receiver(answer: (request: IncomingMessage, response: ServerResponse) => void) {
  const seen = { requests: 0, connections: 0 };
  const server: Server = createServer((request, response) => {
    seen.requests += 1;
    request.resume();
    request.on('end', () => answer(request, response));
  });
  server.on('connection', () => {
    seen.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, seen, url: `http://127.0.0.1:${port}/hook`, port };
}

const OPEN: TargetPolicy = { allowHttp: true, allowPrivate: true };
const servers: Server[] = [];
const pools: DeliveryConnections[] = [];

function post(url: string, policy: TargetPolicy = OPEN, timeoutMs = 2_000) {
  const connections = new DeliveryConnections(policy);
  pools.push(connections);
  const target = targetOf(url, policy);
  if (typeof target === 'string') throw new Error(target);
  return { connections, send: () => postDelivery(target, { 'webhook-id': 'msg_1' }, '{"a":1}', { timeoutMs, connections }) };
}

afterEach(async () => {
  for (const pool of pools.splice(0)) pool.close();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('postDelivery', () => {
  it('posts the body with its headers and keeps one connection for the deliveries that follow', async () => {
    const bodies: string[] = [];
    const r = await receiver((request, response) => {
      bodies.push(String(request.headers['webhook-id']));
      response.writeHead(204).end();
    });
    servers.push(r.server);
    const { send } = post(r.url);
    const results = [await send(), await send(), await send()];
    expect(results.map((result) => [result.status, result.error])).toEqual([
      [204, ''],
      [204, ''],
      [204, ''],
    ]);
    expect(bodies).toEqual(['msg_1', 'msg_1', 'msg_1']);
    expect(r.seen.connections).toBe(1);
  });

  it('does not follow a redirect: the 3xx is the attempt’s answer', async () => {
    const elsewhere = await receiver((_request, response) => response.writeHead(204).end());
    const r = await receiver((_request, response) => response.writeHead(302, { location: elsewhere.url }).end('moved'));
    servers.push(r.server, elsewhere.server);
    const result = await post(r.url).send();
    expect(result.status).toBe(302);
    expect(result.responseHead).toBe('moved');
    expect(elsewhere.seen.requests).toBe(0);
  });

  it('reads at most 64 KiB of an answer and logs its first kilobyte', async () => {
    const r = await receiver((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      // Far more than is read: the sender must stop reading, not wait for the end.
      const chunk = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 64; i += 1) response.write(chunk);
      response.end();
    });
    servers.push(r.server);
    const result = await post(r.url).send();
    expect(result.status).toBe(200);
    expect(result.error).toBe('');
    expect(result.responseHead).toHaveLength(1024);
    expect(MAX_RESPONSE_BYTES).toBe(64 * 1024);
  });

  it('times out a receiver that does not answer, as a failed attempt with no status', async () => {
    const r = await receiver(() => undefined);
    servers.push(r.server);
    const result = await post(r.url, OPEN, 300).send();
    expect(result.status).toBeUndefined();
    expect(result.error).toBe('timed out after 300 ms');
  });

  it('refuses at connect a name that resolves to a private address unless the policy allows it', async () => {
    const r = await receiver((_request, response) => response.writeHead(204).end());
    servers.push(r.server);
    const byName = `http://localhost:${r.port}/hook`;
    const refused = await post(byName, { allowHttp: true, allowPrivate: false }).send();
    expect(refused.status).toBeUndefined();
    expect(refused.error).toMatch(/^localhost resolves to a non-public address/);
    expect(r.seen.requests).toBe(0);
    expect((await post(byName).send()).status).toBe(204);
  });

  it('sends again, once, on a new connection when the receiver closed the kept one while it was idle', async () => {
    let answered = 0;
    const r = await receiver((request, response) => {
      answered += 1;
      // Each answer promises a kept connection, and the receiver then drops it without a word.
      const { socket } = request;
      response.writeHead(204, { connection: 'keep-alive', 'keep-alive': 'timeout=60' }).end();
      response.on('finish', () => setTimeout(() => socket.destroy(), 20));
    });
    servers.push(r.server);
    const { send } = post(r.url);
    expect((await send()).status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await send()).status).toBe(204);
    expect(answered).toBe(2);
    expect(r.seen.connections).toBe(2);
  });

  it('ends the attempts in flight when the connections are closed', async () => {
    const r = await receiver(() => undefined);
    servers.push(r.server);
    const { connections, send } = post(r.url, OPEN, 10_000);
    const pending = send();
    await new Promise((resolve) => setTimeout(resolve, 100));
    connections.close();
    const result = await pending;
    expect(result.status).toBeUndefined();
    expect(result.error).toBe('cut by shutdown');
  });
});
