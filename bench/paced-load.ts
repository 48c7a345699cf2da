import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { LoadResult, LoadSpec } from './load.ts';

/**
 * An open-loop load at an even pace: request i falls due at start + i / rate and is sent then, whatever
 * became of the earlier ones (queued for a free connection when all are busy), and its latency counts from
 * when it fell due, so a stall shows in every request it holds back (as wrk2 measures, free of coordinated
 * omission). autocannon's `overallRate` is not this: each connection sends its share of a second back to
 * back as the second starts, so its "1,000/s" is a burst at full speed every second and its percentiles
 * are those of a saturated server.
 */
export async function pacedLoad(spec: LoadSpec & { overallRate: number }, seconds: number): Promise<LoadResult> {
  const pool = new Pool(`https://127.0.0.1:${spec.port}`, {
    connections: spec.connections,
    pipelining: 1,
    connect: { rejectUnauthorized: false },
  });
  const total = Math.round(spec.overallRate * seconds);
  const latencies: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  /** One request of the spec's, answered and read to the end; its status. */
  const exchange = async () => {
    const { path, body } = spec.next();
    const answer = await pool.request({ method: spec.method, path, headers: spec.headers, ...(body === undefined ? {} : { body }) });
    await answer.body.dump();
    return answer.statusCode;
  };
  const send = async (dueAt: number) => {
    try {
      const status = await exchange();
      if (status >= 200 && status < 300) ok++;
      else non2xx++;
    } catch {
      errors++;
    }
    latencies.push(performance.now() - dueAt);
  };
  try {
    // Every connection opened first, by a request of its own that is not counted: a measured request pays no TLS handshake.
    await Promise.all(Array.from({ length: spec.connections }, exchange));
    const started = performance.now();
    const dueAt = (i: number) => started + (i * 1000) / spec.overallRate;
    const inFlight: Promise<void>[] = [];
    let next = 0;
    while (next < total) {
      const now = performance.now();
      while (next < total && dueAt(next) <= now) inFlight.push(send(dueAt(next++)));
      if (next < total) await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt(next) - performance.now())));
    }
    await Promise.all(inFlight);
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const at = (q: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0) * 10) / 10;
    return { rps: Math.round((ok + non2xx) / elapsed), p50: at(0.5), p99: at(0.99), ok, non2xx, errors };
  } finally {
    await pool.close();
  }
}
