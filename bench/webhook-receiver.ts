import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The webhooks phase's receiver, in a process of its own (as an integrator's would be): in the load
 * generator's process its answers waited behind autocannon's work, and that wait counted as delivery lag.
 * `POST /hook` records the arrival time and the body; `GET /arrivals` answers them as
 * `[[arrived, db_time], …]` (ms), `DELETE /arrivals` forgets them. It takes the same 2 CPUs as the server
 * and the load generator, so it does as little per delivery as an integrator's minimal receiver: it
 * answers at once and reads the bodies only when asked (the tests verify signatures; the benchmark does not).
 */
const arrivals: [number, string][] = [];
/** [arrived, db_time] of the arrivals read so far: each body is read once, by the first GET after it came. */
const times: [number, number][] = [];

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    if (request.method === 'POST') {
      arrivals.push([Date.now(), Buffer.concat(chunks).toString('utf8')]);
      response.writeHead(204).end();
    } else if (request.method === 'GET') {
      for (const [at, body] of arrivals.slice(times.length)) {
        times.push([at, Date.parse((JSON.parse(body) as { data: { db_time: string } }).data.db_time)]);
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(times));
    } else {
      arrivals.length = 0;
      times.length = 0;
      response.writeHead(204).end();
    }
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
