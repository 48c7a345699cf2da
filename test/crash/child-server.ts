import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, request } from 'node:https';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * A real `portcullis serve` in a child process, for tests that must kill it the hard way (SIGKILL) and
 * start it again on the same store, plus a small HTTPS client that trusts its self-signed certificate.
 */

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/portcullis.js', import.meta.url));
const READY_TIMEOUT_MS = 60_000;

/** Where the child keeps its data: the SQLite directory, and a PostgreSQL URL when the store is PG. */
export interface ChildStore {
  dataDir: string;
  databaseUrl?: string | undefined;
}

export interface ChildServer {
  port: number;
  pid: number;
  /** Resolves with the exit code (null when killed by a signal) once the process has gone. */
  exited: Promise<number | null>;
  /** Everything the child printed, for failure messages. */
  output(): string;
  /** SIGKILL: no handler runs, nothing is flushed, the store is left as the kernel found it. */
  kill(): Promise<void>;
  /** SIGTERM: the orderly shutdown `serve` does on Ctrl-C. */
  stop(): Promise<number | null>;
}

/** A port nobody listens on right now (the child's output cannot report the port it bound for --port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function spawnServe(store: ChildStore, port: number, extraEnv: NodeJS.ProcessEnv): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  delete env.DATABASE_URL;
  delete env.PORTCULLIS_DATA;
  if (store.databaseUrl) env.DATABASE_URL = store.databaseUrl;
  // The driver writes far faster than the per-caller request budget allows; crash safety is the point here.
  env.PORTCULLIS_RATE_LIMIT = '0';
  return spawn(process.execPath, [BIN, 'serve', '--data', store.dataDir, '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warn'], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Spawns `serve` without waiting for it: `ready` resolves once it prints its listening line, and rejects
 * if it exits or stays silent too long. Output is always drained, so a chatty child never blocks on a pipe.
 */
export function launch(store: ChildStore, port: number, extraEnv: NodeJS.ProcessEnv = {}): { server: ChildServer; ready: Promise<void> } {
  const child = spawnServe(store, port, extraEnv);
  let printed = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start within ${READY_TIMEOUT_MS} ms:\n${printed}`)), READY_TIMEOUT_MS);
    const seen = (chunk: Buffer) => {
      printed += chunk.toString('utf8');
      if (/Listening on /.test(printed)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', seen);
    child.stderr?.on('data', (chunk: Buffer) => {
      printed += chunk.toString('utf8');
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before listening:\n${printed}`));
    });
  });
  // A kill during start-up rejects `ready` on purpose; callers that do not await it must not crash the run.
  ready.catch(() => undefined);
  const server: ChildServer = {
    port,
    pid: child.pid as number,
    exited,
    output: () => printed,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  return { server, ready };
}

/**
 * Starts `serve` on a free port and waits until it listens; retries if another process took the port
 * meanwhile. `extraEnv` adds to the environment it inherits (webhook flags, for one).
 */
export async function startServe(store: ChildStore, extraEnv: NodeJS.ProcessEnv = {}): Promise<ChildServer> {
  for (let attempt = 1; ; attempt++) {
    const { server, ready } = launch(store, await freePort(), extraEnv);
    try {
      await ready;
      return server;
    } catch (error) {
      await server.kill();
      if (attempt >= 3 || !/EADDRINUSE/.test(server.output())) throw error;
    }
  }
}

export interface Answer {
  status: number;
  body: any;
  headers?: Record<string, string | string[] | undefined>;
}

/** An HTTPS client of one child: kept-alive connections, the self-signed certificate trusted (tests only). */
export class Client {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false });

  constructor(
    private readonly port: number,
    private readonly headers: Record<string, string>,
  ) {}

  /** Resolves with the answer, or rejects when the connection fails (the child died mid-request). */
  call(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path,
          agent: this.agent,
          timeout: 30_000,
          headers: { ...this.headers, ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text), headers: res.headers });
            } catch {
              reject(new Error(`not JSON (${res.statusCode}): ${text.slice(0, 200)}`));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
