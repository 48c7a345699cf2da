import { resolve } from 'node:path';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { exchange, keepAliveAgent, median } from './load.ts';
import { type Child, ROOT, cpuMsOf, startBaseline, startPortcullis } from './processes.ts';
import { formatNumber, table } from './report.ts';
import { apiHeaders, decisionRequests, deviceHeaders, userByIdPaths } from './requests.ts';
import { type Location, type SeededSite, freshLocation, seedSite, siteShape } from './seed.ts';

/**
 * `npx tsx bench/cpu-per-request.ts [--builds DIR,DIR] [--requests N] …`: the server's CPU time per
 * request, for decisions, `GET /user?id=` and the Fastify reference answering the same requests
 * (docs/performance.md). Throughput on this shared machine moves with whatever else runs; the CPU a
 * server spends on a fixed number of requests moves far less, so two builds can be compared by it.
 *
 * Each build (a checkout: this one by default, or worktrees of the commits to compare, which must share
 * the store's migrations) serves its own seeded SQLite store; one Fastify reference (bench/baseline-server.ts)
 * answers the same requests with fixed bodies of the same size. In every round each route is sent, in
 * turn to each server (the order turning by one each round), a warm-up and then `--requests` requests
 * at `--connections` (autocannon `amount`), and the server's CPU (all threads, from /proc, as
 * process.cpuUsage() would report it inside) is read before and after: µs per request. Ratios against
 * the reference are taken within a round, then the median over rounds. `--cpu-prof DIR` profiles each
 * build's server (`DIR/<n>/`, written when it stops; bench/profile-summary.ts reads it).
 */

const { values: flags } = parseArgs({
  options: {
    builds: { type: 'string' },
    requests: { type: 'string', default: '20000' },
    warmup: { type: 'string', default: '3000' },
    connections: { type: 'string', default: '50' },
    rate: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    users: { type: 'string', default: '10000' },
    routes: { type: 'string', default: 'decisions,user_by_id' },
    'log-level': { type: 'string', default: 'info' },
    'cpu-prof': { type: 'string' },
  },
  allowPositionals: false,
});

const ROUTES = ['decisions', 'user_by_id'] as const;
type Route = (typeof ROUTES)[number];
const routes = (flags.routes as string).split(',') as Route[];
for (const route of routes) if (!ROUTES.includes(route)) throw new Error(`--routes: unknown route ${route} (${ROUTES.join(', ')})`);
const builds = (flags.builds?.split(',') ?? [ROOT]).map((dir) => resolve(dir));
const requests = Number(flags.requests);
const warmup = Number(flags.warmup);
const connections = Number(flags.connections);
const rounds = Number(flags.rounds);
const rate = flags.rate === undefined ? undefined : Number(flags.rate);

const say = (line = '') => process.stdout.write(`${line}\n`);

interface Target {
  name: string;
  child: Child;
  /** The site it serves: keys are made afresh for each store. */
  site: SeededSite;
  /** The Fastify reference answers `/<bytes>` with a fixed body; Portcullis serves the real routes. */
  reference: boolean;
}

interface Sent {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  next: () => { path: string; body?: string };
}

/** What one route sends: the real request to Portcullis, the same request (as `/<answer bytes>`) to the reference. */
function requestsOf(route: Route, site: SeededSite, answerBytes: Map<Route, number>, reference: boolean): Sent {
  if (route === 'decisions') {
    const body = decisionRequests(site, 1);
    const path = reference ? `/${answerBytes.get(route)}` : '/api/v1/device/access';
    return { method: 'POST', headers: deviceHeaders(site), next: () => ({ path, body: body() }) };
  }
  const path = userByIdPaths(site, 2);
  const fixed = `/${answerBytes.get(route)}`;
  return { method: 'GET', headers: apiHeaders(site), next: () => ({ path: reference ? fixed : path() }) };
}

/** `amount` requests from autocannon; fails on any answer that is not a 2xx. */
async function send(port: number, sent: Sent, amount: number): Promise<number> {
  const first = sent.next();
  const started = performance.now();
  const result = await autocannon({
    url: `https://127.0.0.1:${port}`,
    connections,
    amount,
    ...(rate === undefined ? {} : { overallRate: rate }),
    headers: sent.headers,
    requests: [
      {
        method: sent.method,
        path: first.path,
        setupRequest: (request) => {
          const drawn = sent.next();
          return { ...request, path: drawn.path, ...(drawn.body === undefined ? {} : { body: drawn.body }) };
        },
      },
    ],
  });
  if (result.non2xx > 0) throw new Error(`${result.non2xx} non-2xx answers on port ${port}`);
  // A loaded machine can hold a request past autocannon's 10 s timeout: said, not fatal (it was answered, or retried).
  if (result.errors > 0) say(`  (${result.errors} errors, ${result.timeouts} of them timeouts, on port ${port})`);
  return amount / ((performance.now() - started) / 1000);
}

/** The average answer size of a route, so the reference answers as many bytes. */
async function answerBytesOf(route: Route, port: number, site: SeededSite): Promise<number> {
  const agent = keepAliveAgent();
  const sent = requestsOf(route, site, new Map(), false);
  let bytes = 0;
  const probes = 50;
  for (let i = 0; i < probes; i++) {
    const { path, body } = sent.next();
    const answer = await exchange(agent, port, {
      method: sent.method,
      path,
      headers: sent.headers,
      ...(body === undefined ? {} : { body }),
      keepText: true,
    });
    if (answer.status !== 200) throw new Error(`${sent.method} ${path} answered ${answer.status}: ${answer.text}`);
    bytes += answer.bytes;
  }
  agent.destroy();
  return Math.round(bytes / probes);
}

interface Measure {
  cpuUs: number;
  mainUs: number;
  rps: number;
}

async function measure(target: Target, sent: Sent): Promise<Measure> {
  await send(target.child.port, sent, warmup);
  const before = cpuMsOf(target.child.pid);
  const rps = await send(target.child.port, sent, requests);
  const after = cpuMsOf(target.child.pid);
  return { cpuUs: ((after.all - before.all) * 1000) / requests, mainUs: ((after.main - before.main) * 1000) / requests, rps };
}

async function main(): Promise<void> {
  say(
    `CPU per request: ${builds.length} build(s), ${formatNumber(requests)} requests (after ${formatNumber(warmup)} warm-up) per route and server, ` +
      `${connections} connections${rate === undefined ? '' : `, ${rate}/s offered`}, ${rounds} rounds; load average ${formatNumber(loadavg()[0] ?? 0)} at start`,
  );
  const locations: Location[] = [];
  const targets: Target[] = [];
  try {
    for (const [index, root] of builds.entries()) {
      const location = await freshLocation('sqlite', `cpu-${index}`);
      locations.push(location);
      // The same seed in every store: the same users, cards and doors, so the same requests fit every build.
      const site = await seedSite(location, siteShape(Number(flags.users), 0));
      const cpuProfDir = flags['cpu-prof'] === undefined ? undefined : resolve(flags['cpu-prof'], String(index + 1));
      const child = await startPortcullis({ dataDir: location.dataDir, logLevel: flags['log-level'] as string, root, cpuProfDir });
      targets.push({ name: `${builds.length > 1 ? `#${index + 1} ` : ''}${root}`, child, site, reference: false });
    }
    const first = targets[0];
    if (!first || !locations[0]) throw new Error('no build to measure');
    const fastify = await startBaseline(locations[0].dataDir, 'fastify');
    targets.push({ name: 'Fastify reference', child: fastify, site: first.site, reference: true });

    const answerBytes = new Map<Route, number>();
    for (const route of routes) answerBytes.set(route, await answerBytesOf(route, first.child.port, first.site));
    // What each server spends doing nothing (its timers and background work), to set beside the figures.
    const idleBefore = targets.map((t) => cpuMsOf(t.child.pid).all);
    await sleep(2_000);
    const idle = targets.map((t, i) => (cpuMsOf(t.child.pid).all - (idleBefore[i] as number)) / 2);

    // Every server warmed on every route before anything is measured: a server's first requests also pay
    // for its start (the access index reading the site whole, JIT), which would fall on whoever came first.
    for (const route of routes)
      for (const target of targets) await send(target.child.port, requestsOf(route, target.site, answerBytes, target.reference), warmup);

    const results = new Map<string, Measure[]>();
    const key = (route: Route, target: Target) => `${route}\u0000${target.name}`;
    for (let round = 0; round < rounds; round++) {
      const shift = round % targets.length;
      for (const route of routes) {
        for (const target of [...targets.slice(shift), ...targets.slice(0, shift)]) {
          const m = await measure(target, requestsOf(route, target.site, answerBytes, target.reference));
          results.set(key(route, target), [...(results.get(key(route, target)) ?? []), m]);
          say(
            `  round ${round + 1}, ${route}, ${target.name}: ${formatNumber(m.cpuUs)} µs CPU per request (main thread ${formatNumber(m.mainUs)}), ${formatNumber(m.rps)} req/s; load ${formatNumber(loadavg()[0] ?? 0)}`,
          );
        }
      }
    }

    say();
    const rows = [
      ['route', 'server', 'CPU µs/request per round', 'median', 'main thread', 'of the reference (median of rounds)', 'req/s', 'idle CPU ms/s'],
    ];
    for (const route of routes) {
      const reference = results.get(key(route, targets[targets.length - 1] as Target)) ?? [];
      for (const [i, target] of targets.entries()) {
        const ms = results.get(key(route, target)) ?? [];
        const ratios = ms.map((m, round) => m.cpuUs / (reference[round]?.cpuUs ?? Number.NaN));
        rows.push([
          route,
          target.name,
          ms.map((m) => formatNumber(m.cpuUs)).join(', '),
          formatNumber(median(ms.map((m) => m.cpuUs))),
          formatNumber(median(ms.map((m) => m.mainUs))),
          target.reference ? '' : `${formatNumber(median(ratios))}× (${formatNumber(100 / median(ratios))}% of its rate at equal CPU)`,
          formatNumber(median(ms.map((m) => m.rps))),
          formatNumber(idle[i] as number),
        ]);
      }
    }
    say(table(rows));
    say(`answers: ${routes.map((r) => `${r} ~${answerBytes.get(r)} bytes`).join(', ')}; load average ${formatNumber(loadavg()[0] ?? 0)} at the end`);
  } finally {
    for (const target of targets) await target.child.stop();
    for (const location of locations) await location.remove();
  }
}

await main();
