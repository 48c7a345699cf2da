import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { buildApp } from './app.ts';
import type { ServerConfig } from './config.ts';
import { migrateToLatest } from './db/migrate.ts';
import { openStore } from './db/open.ts';
import { httpsOnlyListener } from './http/https-only-listener.ts';
import { loadTlsMaterial } from './http/tls.ts';

export interface RunningServer {
  /** The port actually bound (useful with port 0). */
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * Process entry behind `portcullis serve`: open and migrate the store, build the app, listen. Over TLS
 * by default, with plain HTTP refused on the same port; behind a trusted proxy, plain HTTP that the
 * proxy vouches for.
 */
export async function startServer(config: ServerConfig, say: (line: string) => void): Promise<RunningServer> {
  const store = openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  await migrateToLatest(store.db);
  // What the CLI or another Portcullis process commits reaches this one's caches within a second.
  const stopWatching = await store.watchOtherProcesses();
  const closeStore = async () => {
    await stopWatching();
    await store.close();
  };
  const logger = { level: config.logLevel };
  const proxied = config.trustedProxies.length > 0;

  if (proxied) {
    const app = await buildApp({ db: store.db, bodyLimit: config.bodyLimit, trustedProxies: config.trustedProxies, logger });
    await app.listen({ host: config.host, port: config.port });
    const port = (app.server.address() as AddressInfo).port;
    say(`Portcullis ${store.dialect} store at ${store.location}`);
    say(`Listening on http://${config.host}:${port} behind a TLS proxy trusted from ${config.trustedProxies.join(', ')}`);
    return {
      port,
      url: `http://${config.host}:${port}`,
      close: async () => {
        await app.close();
        await closeStore();
      },
    };
  }

  const tls = await loadTlsMaterial(config.dataDir, config.tlsCert, config.tlsKey);
  const app = await buildApp({
    db: store.db,
    bodyLimit: config.bodyLimit,
    logger,
    serverFactory: (handler) => createHttpsServer({ key: tls.key, cert: tls.cert }, handler),
  });
  const listener: NetServer = httpsOnlyListener(app.server as unknown as import('node:tls').Server);
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(config.port, config.host, () => resolve());
  });
  const port = (listener.address() as AddressInfo).port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  say(`Portcullis ${store.dialect} store at ${store.location}`);
  say(`Listening on https://${shownHost}:${port} (plain HTTP is refused)`);
  if (tls.selfSigned) say(`Self-signed certificate in ${config.dataDir}/tls, SHA-256 fingerprint ${tls.fingerprint}`);
  return {
    port,
    url: `https://${shownHost}:${port}`,
    close: async () => {
      // Stop accepting, then end the kept-alive TLS connections, which the listener alone would wait on.
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      app.server.closeAllConnections();
      await closed;
      await app.close();
      await closeStore();
    },
  };
}
