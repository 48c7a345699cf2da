import { type Server, type Socket, createConnection, createServer } from 'node:net';

/**
 * A TCP relay on a loopback port in front of PostgreSQL, so a test can take the store away from the
 * server processes behind it (every connection cut, new ones refused) and give it back on the same port,
 * as a PostgreSQL restart or a network outage would, without touching the PostgreSQL other suites use.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private frozen = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Starts relaying (again, on the same port after `cut`). */
  async open(): Promise<number> {
    const server = createServer((client) => {
      const upstream = createConnection({ host: this.targetHost, port: this.targetPort });
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      if (this.frozen) this.freezePair(client, upstream);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this.port;
  }

  /**
   * The network goes silent: nothing more is relayed either way and nothing is closed, as when a route
   * drops packets; neither end hears of it.
   */
  freeze(): void {
    this.frozen = true;
    for (const socket of this.sockets) {
      socket.unpipe();
      socket.pause();
    }
  }

  private freezePair(a: Socket, b: Socket): void {
    a.unpipe();
    b.unpipe();
    a.pause();
    b.pause();
  }

  /** The store is gone: every relayed connection is reset and new ones are refused. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.frozen = false;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A relay opened in front of the PostgreSQL that `databaseUrl` names, and that URL turned to reach it. */
export async function proxyInFront(databaseUrl: string): Promise<{ proxy: TcpProxy; url: string }> {
  const target = new URL(databaseUrl);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  await proxy.open();
  const proxied = new URL(target);
  proxied.port = String(proxy.port);
  return { proxy, url: proxied.toString() };
}
