import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The webhooks phase's receiver, in a process of its own (as an integrator's would be): in the load
 * generator's process its answers waited behind autocannon's work, and that wait counted as delivery lag.
 * `POST /hook` records the arrival time and the event's db_time (ms); `GET /arrivals` answers them as
 * `[[arrived, db_time], …]`, `DELETE /arrivals` forgets them.
 */
const arrivals: [number, number][] = [];

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    if (request.method === 'POST') {
      const at = Date.now();
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { db_time: string } };
      arrivals.push([at, Date.parse(event.data.db_time)]);
      response.writeHead(204).end();
    } else if (request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(arrivals));
    } else {
      arrivals.length = 0;
      response.writeHead(204).end();
    }
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
