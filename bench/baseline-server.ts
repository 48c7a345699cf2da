import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { installSecurityHeaders } from '../src/http/plugins/security-headers.ts';
import { OneLinePerRequest } from '../src/http/plugins/request-log.ts';

/**
 * The baselines, each in a child process with the same certificate as Portcullis, answering every request
 * with a fixed JSON body: `GET|POST /<bytes>` answers exactly that many bytes, so each figure is compared
 * with the same body size over the same TLS, client and connections. A request body is read to its end
 * first, as Portcullis must.
 * - `node`: a bare `node:https` server, the machine's ceiling for Node over TLS (the baseline).
 * - `fastify`: Fastify on that server with Portcullis's security headers and its request log line (to a
 *   file), parsing JSON bodies: what any route of Portcullis pays before it does its own work.
 *
 * Run as a child process: `node --import tsx bench/baseline-server.ts <node|fastify> <cert.pem> <key.pem>
 * [log file]`; prints `listening <port>` when ready.
 */

const [kind, certFile, keyFile, logFile] = process.argv.slice(2);
if ((kind !== 'node' && kind !== 'fastify') || !certFile || !keyFile) {
  throw new Error('usage: baseline-server.ts <node|fastify> <cert.pem> <key.pem> [log file]');
}
const tls = { cert: readFileSync(certFile), key: readFileSync(keyFile) };

const bodies = new Map<number, Buffer>();

/** A valid JSON document of exactly `bytes` bytes (at least 12). */
function bodyOf(path: string | undefined): Buffer {
  const requested = Number.parseInt((path ?? '/').slice(1), 10);
  const bytes = Number.isFinite(requested) ? requested : 64;
  let body = bodies.get(bytes);
  if (!body) {
    const frame = '{"data":""}';
    body = Buffer.from(`{"data":"${'x'.repeat(Math.max(0, bytes - frame.length))}"}`);
    bodies.set(bytes, body);
  }
  return body;
}

const ready = (port: number) => process.stdout.write(`listening ${port}\n`);

if (kind === 'node') {
  const server = createServer(tls, (request, response) => {
    const body = bodyOf(request.url);
    request.on('data', () => undefined);
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
      response.end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => ready((server.address() as AddressInfo).port));
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
} else {
  const app = Fastify({
    https: tls,
    logger: { level: 'info', stream: createWriteStream(logFile ?? '/dev/null') },
    logController: new OneLinePerRequest(),
  });
  installSecurityHeaders(app);
  const answer = async (request: FastifyRequest, reply: FastifyReply) => reply.type('application/json; charset=utf-8').send(bodyOf(request.url));
  app.get('/:bytes', answer);
  app.post('/:bytes', answer);
  await app.listen({ host: '127.0.0.1', port: 0 });
  ready((app.server.address() as AddressInfo).port);
  process.on('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
}
