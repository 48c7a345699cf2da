import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * The baseline: a bare `node:https` server with the same certificate as Portcullis, answering every
 * request with a fixed JSON body. `GET|POST /<bytes>` answers exactly that many bytes, so each figure is
 * compared with the same body size over the same TLS, client and connections. A request body is read
 * to its end first, as Portcullis must.
 *
 * Run as a child process: `node --import tsx bench/baseline-server.ts <cert.pem> <key.pem>`; prints
 * `listening <port>` when ready.
 */

const [certFile, keyFile] = process.argv.slice(2);
if (!certFile || !keyFile) throw new Error('usage: baseline-server.ts <cert.pem> <key.pem>');

const bodies = new Map<number, Buffer>();

/** A valid JSON document of exactly `bytes` bytes (at least 12). */
function bodyOf(bytes: number): Buffer {
  let body = bodies.get(bytes);
  if (!body) {
    const frame = '{"data":""}';
    body = Buffer.from(`{"data":"${'x'.repeat(Math.max(0, bytes - frame.length))}"}`);
    bodies.set(bytes, body);
  }
  return body;
}

const server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (request, response) => {
  const bytes = Number.parseInt((request.url ?? '/').slice(1), 10);
  const body = bodyOf(Number.isFinite(bytes) ? bytes : 64);
  request.on('data', () => undefined);
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    response.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
