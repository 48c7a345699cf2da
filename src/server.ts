import type { Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as NetServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import { buildApp } from './app.ts';
import type { ServerConfig } from './config.ts';
import { migrateToLatest } from './db/migrate.ts';
import { type Store, openStore } from './db/open.ts';
import { holdServeLock } from './db/serve-lock.ts';
import { httpsOnlyListener } from './http/https-only-listener.ts';
import { loadTlsMaterial } from './http/tls.ts';
import { MODE_SYNC_EVERY_MS } from './modules/door-modes/mode-sync-worker.ts';
import { loadWebhookKey } from './modules/webhooks/webhook-secrets.ts';

/**
 * How long a client may take, so a slow one (a trickled header or body, a stalled TLS handshake) cannot
 * hold a connection for ever. A long poll or an event stream is not affected: its request arrives at once.
 */
export const CLIENT_LIMITS = {
  /** Until the last header line. */
  headersTimeoutMs: 15_000,
  /** Until the whole request, body included (1 MiB in 30 s is 35 kB/s). */
  requestTimeoutMs: 30_000,
  /** Until the TLS handshake is done. */
  handshakeTimeoutMs: 10_000,
  /** How often Node looks for requests past those limits. */
  checkEveryMs: 1_000,
} as const;

function limitSlowClients(server: HttpServer): void {
  server.headersTimeout = CLIENT_LIMITS.headersTimeoutMs;
  server.requestTimeout = CLIENT_LIMITS.requestTimeoutMs;
  (server as HttpServer & { connectionsCheckingInterval: number }).connectionsCheckingInterval = CLIENT_LIMITS.checkEveryMs;
}

/** How long a shutdown lets requests in flight finish before it cuts the connections left (docs/faults.md). */
export const SHUTDOWN_DRAIN_MS = 8_000;

/**
 * Graceful shutdown, once the listener no longer accepts: the app's preClose ends long polls and event
 * streams (with a `retry:` hint), requests in flight are answered (each with `Connection: close`, their
 * shared commit included), idle connections are closed as they become idle, and whatever is still open
 * after SHUTDOWN_DRAIN_MS is cut. The app's close then stops the webhook worker (attempts in flight get
 * a short grace, then are cut and left due for the next process). Then the store is closed.
 */
async function shutDown(
  app: { close(): Promise<void> },
  server: HttpServer,
  allConnectionsEnded: Promise<void>,
  closeStore: () => Promise<void>,
): Promise<void> {
  const appClosed = app.close();
  const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
  server.closeIdleConnections();
  const drainLimit = new AbortController();
  await Promise.race([allConnectionsEnded, sleep(SHUTDOWN_DRAIN_MS, undefined, { signal: drainLimit.signal }).catch(() => undefined)]);
  // The limit's timer would keep the process alive after everything else has closed.
  drainLimit.abort();
  clearInterval(idleSweep);
  server.closeAllConnections();
  await appClosed;
  await closeStore();
}

/** Lost store connections are survived; they are also logged, so an operator sees a flapping store. */
function reportStoreProblems(store: Store, log: FastifyBaseLogger): void {
  store.onProblem((what, error) => log.warn({ err: error }, what));
}

export interface RunningServer {
  /** The port actually bound (useful with port 0). */
  port: number;
  url: string;
  close(): Promise<void>;
}

/** The store a server runs on, migrated and watching other processes' commits, and how to let it go. */
interface ServingStore {
  store: Store;
  close(): Promise<void>;
}

async function openServingStore(config: ServerConfig): Promise<ServingStore> {
  // Held before the store is touched, for the server's life: `portcullis restore` refuses while it is.
  const releaseServeLock = config.databaseUrl ? () => undefined : holdServeLock(config.dataDir);
  const store = openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  await migrateToLatest(store.db);
  // What the CLI or another Portcullis process commits reaches this one's caches before they answer.
  const stopWatching = await store.watchOtherProcesses();
  return {
    store,
    close: async () => {
      await stopWatching();
      await store.close();
      releaseServeLock();
    },
  };
}

/** What the app is built with on either listener. */
function appOptions(config: ServerConfig, store: Store) {
  return {
    db: store.db,
    bodyLimit: config.bodyLimit,
    logger: { level: config.logLevel },
    rateLimit: config.rateLimit,
    oneWriteAtATime: true,
    webhooks: {
      key: loadWebhookKey(config.dataDir, config.webhookKey),
      policy: config.webhookPolicy,
      deliver: {
        ...(config.webhookLeaseMs === undefined ? {} : { leaseMs: config.webhookLeaseMs }),
        ...(config.webhookRetentionDays === undefined ? {} : { retainMs: config.webhookRetentionDays * 86_400_000 }),
      },
    },
    doorModeSync: { everyMs: MODE_SYNC_EVERY_MS },
    metrics: config.metricsToken === undefined ? undefined : { token: config.metricsToken, pool: store.poolUse },
  };
}

/**
 * Process entry behind `portcullis serve`: open and migrate the store, build the app, listen. Over TLS
 * by default, with plain HTTP refused on the same port; behind a trusted proxy, plain HTTP that the
 * proxy vouches for.
 */
export async function startServer(config: ServerConfig, say: (line: string) => void): Promise<RunningServer> {
  const serving = await openServingStore(config);
  say(`Portcullis ${serving.store.dialect} store at ${serving.store.location}`);
  return config.trustedProxies.length > 0 ? listenBehindProxy(config, serving, say) : listenOverTls(config, serving, say);
}

/** The port a listening server took (the configured one, or the one the system chose for port 0). */
function portOf(server: NetServer): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The server is not listening on a TCP port');
  return address.port;
}

/** Plain HTTP, for a TLS-terminating proxy trusted from `config.trustedProxies`. */
async function listenBehindProxy(config: ServerConfig, serving: ServingStore, say: (line: string) => void): Promise<RunningServer> {
  const app = await buildApp({ ...appOptions(config, serving.store), trustedProxies: config.trustedProxies });
  limitSlowClients(app.server);
  reportStoreProblems(serving.store, app.log);
  await app.listen({ host: config.host, port: config.port });
  const port = portOf(app.server);
  say(`Listening on http://${config.host}:${port} behind a TLS proxy trusted from ${config.trustedProxies.join(', ')}`);
  return {
    port,
    url: `http://${config.host}:${port}`,
    close: async () => {
      // Fastify stops this server accepting at close, and its 'close' waits for every connection.
      const ended = new Promise<void>((resolve) => app.server.once('close', () => resolve()));
      await shutDown(app, app.server, ended, serving.close);
    },
  };
}

/** HTTPS on the port, plain HTTP on the same port refused. */
async function listenOverTls(config: ServerConfig, serving: ServingStore, say: (line: string) => void): Promise<RunningServer> {
  const tls = await loadTlsMaterial(config.dataDir, config.tlsCert, config.tlsKey);
  const app = await buildApp({
    ...appOptions(config, serving.store),
    serverFactory: (handler) => {
      const server = createHttpsServer({ key: tls.key, cert: tls.cert, handshakeTimeout: CLIENT_LIMITS.handshakeTimeoutMs }, handler);
      limitSlowClients(server);
      return server;
    },
  });
  reportStoreProblems(serving.store, app.log);
  const listener: NetServer = httpsOnlyListener(app.server as unknown as import('node:tls').Server);
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(config.port, config.host, () => resolve());
  });
  // The HTTPS server is handed its connections and never listens itself, and Node starts enforcing the
  // limits above (and tracking connections for closeAllConnections) only on 'listening': without this a
  // client trickling its headers or body held its connection for ever.
  app.server.emit('listening');
  const port = portOf(listener);
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  say(`Listening on https://${shownHost}:${port} (plain HTTP is refused)`);
  if (tls.selfSigned) say(`Self-signed certificate in ${config.dataDir}/tls, SHA-256 fingerprint ${tls.fingerprint}`);
  return {
    port,
    url: `https://${shownHost}:${port}`,
    close: async () => {
      // Stop accepting; the listener's close waits for every connection it handed to the HTTPS server.
      const ended = new Promise<void>((resolve) => listener.close(() => resolve()));
      await shutDown(app, app.server, ended, serving.close);
    },
  };
}
