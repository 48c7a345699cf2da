import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverConfig } from '../../src/config.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openStore } from '../../src/db/open.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { createSite } from '../../src/modules/sites/sites.service.ts';
import { CLIENT_LIMITS, type RunningServer, startServer } from '../../src/server.ts';

/**
 * Slow clients over a real socket (slowloris): a client that trickles its headers, one that trickles its
 * body, and one that starts a TLS handshake and stops. None may hang the server or other clients, and the
 * server must close each of them in the end. The waits are the test's timeout, not timed assertions.
 */
describe.concurrent('slow clients over a real socket', () => {
  let dataDir: string;
  let server: RunningServer;
  let credentials: { apiuser: string; apikey: string };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'portcullis-slow-'));
    const store = openStore({ dataDir });
    await migrateToLatest(store.db);
    const created = await createSite(store.db, { name: 'Slow' }, systemClock);
    credentials = { apiuser: created.apiuser, apikey: created.apikey };
    await store.close();
    server = await startServer(serverConfig({ data: dataDir, host: '127.0.0.1', port: 0, logLevel: 'silent' }, {}), () => undefined);
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function ping(): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: server.port, path: '/api/v1/ping', headers: credentials, rejectUnauthorized: false, agent: false },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  /**
   * A TLS client that sends `head` and then one more byte of `drip` every `everyMs` for as long as the
   * connection lives. Resolves, once the server has closed it, with what the server answered.
   */
  function trickle(head: string, drip: string, everyMs: number): { closed: Promise<string> } {
    const socket = tlsConnect({ host: '127.0.0.1', port: server.port, rejectUnauthorized: false });
    let answered = '';
    let timer: NodeJS.Timeout | undefined;
    socket.once('secureConnect', () => {
      socket.write(head);
      let at = 0;
      timer = setInterval(() => {
        if (!socket.writable) return;
        socket.write(drip[at % drip.length] ?? 'x');
        at++;
      }, everyMs);
    });
    socket.on('data', (chunk: Buffer) => {
      answered += chunk.toString('utf8');
    });
    socket.on('error', () => undefined);
    const closed = new Promise<string>((resolve) =>
      socket.once('close', () => {
        clearInterval(timer);
        resolve(answered);
      }),
    );
    return { closed };
  }

  it(
    'closes a client trickling its headers or its body, and answers everyone else meanwhile',
    async () => {
      const headers = trickle('GET /api/v1/ping HTTP/1.1\r\nHost: slow\r\n', 'X-Slow: still coming\r\n', 200);
      const auth = `apiuser: ${credentials.apiuser}\r\napikey: ${credentials.apikey}\r\n`;
      const body = trickle(
        `POST /api/v1/user HTTP/1.1\r\nHost: slow\r\n${auth}Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"users":[`,
        '{"id":-1},',
        200,
      );
      // While both hold their connections open, ordinary requests are answered.
      for (let i = 0; i < 5; i++) expect(await ping()).toBe(200);
      const [headersAnswer, bodyAnswer] = await Promise.all([headers.closed, body.closed]);
      expect(headersAnswer === '' || headersAnswer.startsWith('HTTP/1.1 408')).toBe(true);
      expect(bodyAnswer === '' || bodyAnswer.startsWith('HTTP/1.1 408')).toBe(true);
      expect(await ping()).toBe(200);
    },
    CLIENT_LIMITS.requestTimeoutMs + 30_000,
  );

  it(
    'drops a connection that begins a TLS handshake and never finishes it',
    async () => {
      const socket = netConnect(server.port, '127.0.0.1');
      socket.on('error', () => undefined);
      // A TLS record header announcing a handshake message that never comes.
      socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]));
      expect(await ping()).toBe(200);
      await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    },
    CLIENT_LIMITS.handshakeTimeoutMs + 30_000,
  );
});
