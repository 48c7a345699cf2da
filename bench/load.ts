import { Agent, request as httpsRequest } from 'node:https';
import autocannon from 'autocannon';
import { pacedLoad } from './paced-load.ts';

/** How a load run went: throughput, latency, and anything that was not a 2xx. */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
}

export interface LoadSpec {
  port: number;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Each request's path and body, drawn afresh for every request. */
  next: () => { path: string; body?: string };
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** Requests per second across all connections, evenly paced (paced-load.ts); none: as fast as the server answers. */
  overallRate?: number;
}

async function cannon(spec: LoadSpec, seconds: number): Promise<LoadResult> {
  const { overallRate } = spec;
  if (overallRate !== undefined) return pacedLoad({ ...spec, overallRate }, seconds);
  const first = spec.next();
  const result = await autocannon({
    url: `https://127.0.0.1:${spec.port}`,
    connections: spec.connections,
    duration: seconds,
    headers: spec.headers,
    requests: [
      {
        method: spec.method,
        path: first.path,
        setupRequest: (request) => {
          const drawn = spec.next();
          return { ...request, path: drawn.path, ...(drawn.body === undefined ? {} : { body: drawn.body }) };
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/**
 * A warm-up run (JIT, connection pools, TLS sessions), then the measured run; `answered` counts the 2xx
 * answers of both, for checking what the server recorded.
 */
export async function load(spec: LoadSpec): Promise<LoadResult & { answered: number }> {
  const warmup = spec.warmupSeconds > 0 ? await cannon(spec, spec.warmupSeconds) : null;
  const measured = await cannon(spec, spec.seconds);
  return { ...measured, answered: measured.ok + (warmup?.ok ?? 0) };
}

/** One keep-alive connection to a self-signed server, as a sequential client (an importer, a poller) has. */
export function keepAliveAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
}

export interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: number;
  ms: number;
  /** The body, when asked for. */
  text?: string;
}

/** One request, timed from sending until the last byte of the answer. */
export function exchange(
  agent: Agent,
  port: number,
  options: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; headers?: Record<string, string>; body?: string; keepText?: boolean },
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method,
        path: options.path,
        agent,
        headers: {
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
          ...(options.body === undefined ? {} : { 'content-length': Buffer.byteLength(options.body) }),
        },
      },
      (response) => {
        let bytes = 0;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (options.keepText) chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            bytes,
            ms: performance.now() - started,
            ...(options.keepText ? { text: Buffer.concat(chunks).toString('utf8') } : {}),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
