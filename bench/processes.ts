import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** The repository root: the server runs from here, as `npm start` runs it. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface Child {
  pid: number;
  port: number;
  /** Where the child's stdout and stderr go. */
  logFile: string;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const done = await Promise.race([exited(child).then(() => true), sleep(15_000).then(() => false)]);
  if (!done) {
    child.kill('SIGKILL');
    await exited(child);
  }
}

/** Waits for a line of the log matching `pattern`; fails if the child exits first or it takes too long. */
async function waitForLine(child: ChildProcess, logFile: string, pattern: RegExp, what: string): Promise<RegExpMatchArray> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const match = readFileSync(logFile, 'utf8').match(pattern);
    if (match) return match;
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}; see ${logFile}:\n${readFileSync(logFile, 'utf8')}`);
    await sleep(50);
  }
  await stopChild(child);
  throw new Error(`${what} did not start within 60 s; see ${logFile}`);
}

function launch(args: string[], env: NodeJS.ProcessEnv, logFile: string, cwd = ROOT): ChildProcess {
  const log = openSync(logFile, 'w');
  try {
    // Spawned without a shell: the child's pid is the node process whose memory is sampled.
    return spawn(process.execPath, args, { cwd, env, stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
}

export interface ServerOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  logLevel: string;
  /** Directory for `node --cpu-prof`'s profile, written when the server stops; none: no profile. */
  cpuProfDir?: string | undefined;
  /** The log's file name in `dataDir`, so several servers on one store keep separate logs. */
  logName?: string | undefined;
  /** The checkout whose `bin/portcullis.js` serves (another worktree, to compare builds); default: this one. */
  root?: string | undefined;
}

/** The bearer token of the benchmark servers' `/metrics`, which a monitored site would have on too. */
export const BENCH_METRICS_TOKEN = 'portcullis-bench-metrics';

/**
 * `node bin/portcullis.js serve` on the seeded store: the real HTTPS server, as `npm start` runs it, on a
 * free port of 127.0.0.1. The per-caller rate limit is switched off (`--rate-limit 0`): the benchmark
 * measures what one server can do, and the default limit would answer 429 after 600 requests a minute.
 * The one-write-at-a-time rule stays on: decisions are exempt from it and the import sends one batch at
 * a time.
 */
export async function startPortcullis(options: ServerOptions): Promise<Child> {
  const logFile = join(options.dataDir, options.logName ?? 'server.log');
  const env: NodeJS.ProcessEnv = { ...process.env, PORTCULLIS_METRICS_TOKEN: BENCH_METRICS_TOKEN };
  delete env.DATABASE_URL;
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  const profile = options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : [];
  const child = launch(
    [
      ...profile,
      'bin/portcullis.js',
      'serve',
      '--data',
      options.dataDir,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--log-level',
      options.logLevel,
      '--rate-limit',
      '0',
      // The webhooks phase's receiver listens on loopback, over plain HTTP.
      '--webhook-allow-http',
      '--webhook-allow-private',
    ],
    env,
    logFile,
    options.root,
  );
  const match = await waitForLine(child, logFile, /Listening on https:\/\/127\.0\.0\.1:(\d+)/, 'portcullis serve');
  return { pid: child.pid as number, port: Number(match[1]), logFile, stop: () => stopChild(child) };
}

/** A baseline of baseline-server.ts (`node`: bare `node:https`; `fastify`: Fastify as Portcullis sets it up) with the certificate `serve` made in `dataDir`. */
export async function startBaseline(dataDir: string, kind: 'node' | 'fastify'): Promise<Child> {
  const logFile = join(dataDir, `baseline-${kind}.log`);
  const tls = join(dataDir, 'tls');
  const child = launch(
    [
      '--import',
      'tsx',
      './bench/baseline-server.ts',
      kind,
      join(tls, 'cert.pem'),
      join(tls, 'key.pem'),
      join(dataDir, `baseline-${kind}-requests.log`),
    ],
    process.env,
    logFile,
  );
  const match = await waitForLine(child, logFile, /listening (\d+)/, `${kind} baseline server`);
  return { pid: child.pid as number, port: Number(match[1]), logFile, stop: () => stopChild(child) };
}

/** The resident set of a process now, in bytes, from /proc/<pid>/status. */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

/** utime + stime of a /proc stat file, in ms (clock ticks of 10 ms, as on every Linux the benchmark runs on). */
function statCpuMs(file: string): number {
  const stat = readFileSync(file, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The CPU time a process has used so far, in ms: all its threads, and its main thread alone. */
export function cpuMsOf(pid: number): { all: number; main: number } {
  return { all: statCpuMs(`/proc/${pid}/stat`), main: statCpuMs(`/proc/${pid}/task/${pid}/stat`) };
}

/** Samples a process's RSS every few milliseconds until stopped; returns the peak seen. */
export function rssSampler(pid: number, everyMs = 5): { stop(): number } {
  let peak = rssOf(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssOf(pid));
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, rssOf(pid));
      return peak;
    },
  };
}

/** The webhooks phase's loopback receiver (webhook-receiver.ts), in its own process. */
export async function startWebhookReceiver(dataDir: string): Promise<Child> {
  const logFile = join(dataDir, 'webhook-receiver.log');
  const child = launch(['--import', 'tsx', './bench/webhook-receiver.ts'], process.env, logFile);
  const match = await waitForLine(child, logFile, /listening (\d+)/, 'webhook receiver');
  return { pid: child.pid as number, port: Number(match[1]), logFile, stop: () => stopChild(child) };
}
