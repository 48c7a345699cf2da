import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Agent } from 'node:https';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { Dialect } from '../src/db/open.ts';
import { type Exchange, type LoadResult, type LoadSpec, exchange, keepAliveAgent, load, median } from './load.ts';
import {
  BENCH_METRICS_TOKEN,
  type Child,
  ROOT,
  cpuMsOf,
  rssOf,
  rssSampler,
  startBaseline,
  startPortcullis,
  startWebhookReceiver,
} from './processes.ts';
import { FIGURE_NAMES, type Figure, type FigureName, figure, figureTable, formatNumber, table } from './report.ts';
import { apiHeaders, decisionRequests, deviceHeaders, userByIdPaths } from './requests.ts';
import { type Location, type SeededSite, countEvents, freshLocation, seedSite, siteShape } from './seed.ts';

/**
 * `npm run bench [-- --quick]`: issue 6 §1. Seeds a site straight into a fresh store, starts the real
 * HTTPS server (`node bin/portcullis.js serve`) and a bare `node:https` baseline as child processes, drives
 * both with autocannon from this process, prints the figures beside their targets and writes
 * bench/results.json. docs/performance.md explains the figures and what the profiles showed.
 */

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    users: { type: 'string' },
    seconds: { type: 'string' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string' },
    'no-scale': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
    stores: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'seed-sql': { type: 'string' },
    'csv-rows': { type: 'string' },
  },
  allowPositionals: false,
});

const quick = flags.quick === true;
const PHASES = ['decisions', 'webhooks', 'multi_node', 'tenants', 'user_by_id', 'user_list', 'events', 'import', 'csv_import', 'lockdown'] as const;
type Phase = (typeof PHASES)[number];
const only = new Set<Phase>((flags.only?.split(',') ?? PHASES) as Phase[]);
for (const phase of only) if (!PHASES.includes(phase)) throw new Error(`--only: unknown phase ${phase} (${PHASES.join(', ')})`);

const config = {
  users: Number(flags.users ?? (quick ? 10_000 : 100_000)),
  events: quick ? 25_000 : 100_000,
  seconds: Number(flags.seconds ?? (quick ? 3 : 10)),
  warmupSeconds: quick ? 1 : 3,
  connections: Number(flags.connections),
  listRuns: quick ? 2 : 3,
  eventPages: quick ? 5 : 20,
  importBatches: quick ? 30 : 100,
  importWarmupBatches: quick ? 2 : 5,
  csvRows: Number(flags['csv-rows'] ?? (quick ? 10_000 : 100_000)),
  scaleSizes: flags['no-scale'] ? [] : quick ? [1_000, 10_000] : [1_000, 10_000, 100_000],
  scaleRounds: quick ? 2 : 3,
  scaleSeconds: quick ? 2 : 5,
  multiNodeRounds: quick ? 2 : 3,
  logLevel: flags['log-level'] as string,
  cpuProfDir: flags['cpu-prof'],
};
const BATCH = 100;
/** Issue 18: the offered rate at which the door's latency is measured. */
const FIXED_DECISION_RATE = 1_000;
const stores: Dialect[] = flags.stores ? (flags.stores.split(',') as Dialect[]) : process.env.DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

const say = (line = '') => process.stdout.write(`${line}\n`);
const step = (line: string) => say(`  · ${line}`);

function fail(message: string): never {
  throw new Error(message);
}

function describeLoad(r: LoadResult): string {
  return `${formatNumber(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.ok} ok, ${r.non2xx} non-2xx, ${r.errors} errors`;
}

interface Running {
  server: Child;
  baseline: Child | null;
  /** Fastify with Portcullis's headers and log line, answering a fixed body: what the framework alone costs. */
  framework: Child | null;
  site: SeededSite;
  location: Location;
}

/**
 * The same load against the bare `node:https` baseline and the Fastify reference, answering bodies of the
 * measured endpoint's size.
 */
async function loadReferences(run: Running, answerBytes: number, spec: Pick<LoadSpec, 'method' | 'headers' | 'next'>) {
  const against = async (child: Child | null, what: string) => {
    if (!child) return null;
    const result = await load({
      ...spec,
      port: child.port,
      connections: config.connections,
      seconds: config.seconds,
      warmupSeconds: config.warmupSeconds,
    });
    step(`${what} (${answerBytes}-byte answers): ${describeLoad(result)}`);
    return result;
  };
  return { baseline: await against(run.baseline, 'baseline'), framework: await against(run.framework, 'Fastify reference') };
}

/**
 * Sends `probes` requests one at a time before a load, each answer checked by `check` (which fails the run
 * on a wrong one), so a load is only measured against a route that answers right. The answers' mean size.
 */
async function probeAnswers(
  port: number,
  probes: number,
  request: () => Omit<Parameters<typeof exchange>[2], 'keepText'>,
  check: (answer: Exchange) => void,
): Promise<number> {
  const agent = keepAliveAgent();
  let bytes = 0;
  for (let i = 0; i < probes; i++) {
    const answer = await exchange(agent, port, { ...request(), keepText: true });
    check(answer);
    bytes += answer.bytes;
  }
  agent.destroy();
  return Math.round(bytes / probes);
}

/** How many times the server's access index has read a site whole so far (its `/metrics`). */
async function indexRebuilds(agent: Agent, port: number): Promise<number> {
  const answer = await exchange(agent, port, {
    method: 'GET',
    path: '/metrics',
    headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` },
    keepText: true,
  });
  const count = /^portcullis_access_index_rebuild_duration_seconds_count (\d+)$/m.exec(answer.text ?? '')?.[1];
  if (answer.status !== 200 || count === undefined) fail(`GET /metrics answered ${answer.status} without the index's rebuild count`);
  return Number(count);
}

/**
 * Call on a server just started, or after a write that drops the site from the access index: sends
 * decisions until the index has read the site whole (60 s at most). A 100,000-user site is answered from
 * the store, fact by fact, until then, and under full load it takes 5–16 s to be read: a load measured
 * meanwhile would measure that read, not the steady state.
 */
async function untilIndexReadWhole(port: number, site: SeededSite): Promise<void> {
  const agent = keepAliveAgent();
  const body = decisionRequests(site, 3);
  try {
    const before = await indexRebuilds(agent, port);
    const started = Date.now();
    while ((await indexRebuilds(agent, port)) === before) {
      if (Date.now() - started > 60_000) fail('the access index did not read the site whole within 60 s');
      await exchange(agent, port, { method: 'POST', path: '/api/v1/device/access', headers: deviceHeaders(site), body: body() });
      await sleep(50);
    }
    step(`access index: the site read whole ${formatNumber(Date.now() - started)} ms after the first decision`);
  } finally {
    agent.destroy();
  }
}

/** Decisions at 50 connections; every answered decision must have been recorded as an event. */
async function measureDecisions(run: Running, withBaseline: boolean, seconds = config.seconds) {
  const { server, site } = run;
  const body = decisionRequests(site, 1);
  let granted = 0;
  const probes = 100;
  const request = () => ({ method: 'POST' as const, path: '/api/v1/device/access', headers: deviceHeaders(site), body: body() });
  const answerBytes = await probeAnswers(server.port, probes, request, (answer) => {
    if (answer.status !== 200) fail(`POST /api/v1/device/access answered ${answer.status}: ${answer.text}`);
    if ((JSON.parse(answer.text as string) as { data: { granted: boolean } }).data.granted) granted++;
  });
  step(`decision answers ~${answerBytes} bytes; ${granted} of ${probes} random card/door pairs granted`);

  const decisions: LoadSpec = {
    port: server.port,
    method: 'POST',
    headers: deviceHeaders(site),
    next: () => ({ path: '/api/v1/device/access', body: body() }),
    connections: config.connections,
    seconds,
    warmupSeconds: config.warmupSeconds,
  };
  const before = await countEvents(run.location, site.siteId);
  const measured = await load(decisions);
  const recorded = (await countEvents(run.location, site.siteId)) - before;
  step(`decisions: ${describeLoad(measured)}; ${recorded} events recorded for ${measured.answered} answers`);
  if (recorded < measured.answered) fail(`only ${recorded} events recorded for ${measured.answered} answered decisions`);

  // The latency a person at a door feels on a busy site, below saturation (issue 18); in the main run only.
  const fixedRate = withBaseline ? await load({ ...decisions, warmupSeconds: 0, overallRate: FIXED_DECISION_RATE }) : null;
  if (fixedRate) step(`decisions at a fixed ${formatNumber(FIXED_DECISION_RATE)}/s: ${describeLoad(fixedRate)}`);

  const baselineBody = decisionRequests(site, 1);
  const referenceSpec = {
    method: 'POST' as const,
    headers: deviceHeaders(site),
    next: () => ({ path: `/${answerBytes}`, body: baselineBody() }),
  };
  const references = withBaseline ? await loadReferences(run, answerBytes, referenceSpec) : { baseline: null, framework: null };
  // The same pace against the Fastify reference: the floor this machine and this load generator give a
  // request that does no work of Portcullis's.
  const fixedRateReference =
    fixedRate && run.framework
      ? await load({
          ...referenceSpec,
          port: run.framework.port,
          connections: config.connections,
          seconds: config.seconds,
          warmupSeconds: 0,
          overallRate: FIXED_DECISION_RATE,
        })
      : null;
  if (fixedRateReference) step(`Fastify reference at a fixed ${formatNumber(FIXED_DECISION_RATE)}/s: ${describeLoad(fixedRateReference)}`);
  return { measured, fixedRate, fixedRateReference, ...references, recorded };
}

/**
 * Issue 17: decisions with one webhook subscription taking every event from a loopback receiver, against
 * the same load just before with the subscription disabled, and how long the outbox takes to empty after
 * that load; then the lag of each delivery (received, less the event's db_time) at 1,000 decisions a
 * second. Creating and enabling the subscription are site writes, which drop the site from the access
 * index: each load starts once the index has read the site whole again, so both measure the steady state.
 */
async function measureWebhooks(run: Running) {
  const receiver = await startWebhookReceiver(run.location.dataDir);
  const receiverUrl = `http://127.0.0.1:${receiver.port}`;
  /** What the receiver got: [arrived, the event's db_time], in ms. */
  const arrivals = async () => (await (await fetch(`${receiverUrl}/arrivals`)).json()) as [number, number][];
  const agent = keepAliveAgent();
  const headers = { ...apiHeaders(run.site), 'content-type': 'application/json' };
  const write = async (method: 'POST' | 'PUT' | 'DELETE', webhook: Record<string, unknown>) => {
    const answer = await exchange(agent, run.server.port, {
      method,
      path: '/api/v1/webhook',
      headers,
      body: JSON.stringify({ webhooks: [webhook] }),
      keepText: true,
    });
    if (answer.status !== 200) fail(`${method} /api/v1/webhook answered ${answer.status}: ${answer.text}`);
    return answer.text as string;
  };
  try {
    const created = await write('POST', { url: `${receiverUrl}/hook`, enabled: false });
    const id = (JSON.parse(created) as { shown_once: { id: number }[] }).shown_once[0]?.id;
    await untilIndexReadWhole(run.server.port, run.site);
    // CPU per decision, from the start of each load to the end of its deliveries: where the rate goes, since
    // the server, its sending thread, the receiver and the load generator share the same CPUs.
    const serverBefore = cpuMsOf(run.server.pid);
    const { measured: without, recorded: recordedWithout } = await measureDecisions(run, false);
    const serverWithout = cpuMsOf(run.server.pid);
    await write('PUT', { id, enabled: true });
    await untilIndexReadWhole(run.server.port, run.site);
    const requests = decisionRequests(run.site, 2);
    /** Waits until `count` deliveries have arrived; how long that took, and what arrived. */
    const delivered = async (count: number) => {
      const started = Date.now();
      let got = await arrivals();
      while (got.length < count && Date.now() - started < 300_000) {
        await sleep(50);
        got = await arrivals();
      }
      if (got.length < count) fail(`only ${got.length} of ${count} events delivered 5 minutes after the load`);
      return { ms: Date.now() - started, got };
    };
    const serverStart = cpuMsOf(run.server.pid);
    const receiverStart = cpuMsOf(receiver.pid).all;
    const { measured: withHook, recorded } = await measureDecisions(run, false);
    const drainedMs = (await delivered(recorded)).ms;
    const serverWith = cpuMsOf(run.server.pid);
    const perEvent = (ms: number, events: number) => `${formatNumber((ms * 1000) / events)} µs`;
    step(
      `CPU per decision: server ${perEvent(serverWithout.all - serverBefore.all, recordedWithout)} (main thread ${perEvent(serverWithout.main - serverBefore.main, recordedWithout)}) without the subscription; ` +
        `with it server ${perEvent(serverWith.all - serverStart.all, recorded)} (main thread ${perEvent(serverWith.main - serverStart.main, recorded)}), receiver ${perEvent(cpuMsOf(receiver.pid).all - receiverStart, recorded)}`,
    );
    // The lag at the rate, 1,000 decisions a second, once the outbox is empty.
    await fetch(`${receiverUrl}/arrivals`, { method: 'DELETE' });
    const before = await countEvents(run.location, run.site.siteId);
    const paced = await load({
      port: run.server.port,
      method: 'POST',
      headers: deviceHeaders(run.site),
      next: () => ({ path: '/api/v1/device/access', body: requests() }),
      connections: config.connections,
      seconds: config.seconds,
      warmupSeconds: 0,
      overallRate: 1_000,
    });
    const { got } = await delivered((await countEvents(run.location, run.site.siteId)) - before);
    const lags = got.map(([at, dbTime]) => at - dbTime).sort((a, b) => a - b);
    const p99 = lags[Math.min(lags.length - 1, Math.floor(lags.length * 0.99))] ?? 0;
    step(
      `webhooks: outbox empty ${drainedMs} ms after the full load; at ${formatNumber(paced.rps)} decisions/s, lag p50 ${lags[Math.floor(lags.length / 2)] ?? 0} ms, p99 ${p99} ms over ${lags.length} deliveries`,
    );
    await write('DELETE', { id });
    return { without, withHook, p99, drainedMs, pacedRps: paced.rps, deliveries: lags.length };
  } finally {
    agent.destroy();
    await receiver.stop();
  }
}

/**
 * Issue 12: decisions against one node, then against three nodes on the same store with the same total
 * number of connections split among them, in alternating rounds; each figure is the median of its rounds.
 * Three nodes are as fast as one when nothing serializes their commits.
 */
async function measureMultiNode(run: Running) {
  const { server, site, location } = run;
  const others = await Promise.all(
    [2, 3].map((n) =>
      startPortcullis({ dataDir: location.dataDir, databaseUrl: location.databaseUrl, logLevel: config.logLevel, logName: `server-${n}.log` }),
    ),
  );
  try {
    const body = decisionRequests(site, 3);
    const against = (port: number, connections: number) =>
      load({
        port,
        method: 'POST',
        headers: deviceHeaders(site),
        next: () => ({ path: '/api/v1/device/access', body: body() }),
        connections,
        seconds: config.seconds,
        warmupSeconds: config.warmupSeconds,
      });
    const one: LoadResult[] = [];
    const three: LoadResult[][] = [];
    // The new nodes start cold (no index read yet, no JIT): a first round of all three is not counted.
    await Promise.all([server, ...others].map((node) => against(node.port, Math.round(config.connections / 3))));
    for (let round = 1; round <= config.multiNodeRounds; round++) {
      one.push(await against(server.port, config.connections));
      step(`one node, ${config.connections} connections: ${describeLoad(one[one.length - 1] as LoadResult)}`);
      const share = Math.round(config.connections / 3);
      three.push(await Promise.all([server, ...others].map((node) => against(node.port, share))));
      const total = (three[three.length - 1] as LoadResult[]).reduce((sum, r) => sum + r.rps, 0);
      step(
        `three nodes, ${share} connections each: ${formatNumber(total)} req/s in all (${(three[three.length - 1] as LoadResult[]).map(describeLoad).join(' | ')})`,
      );
    }
    const failed = [...one, ...three.flat()].reduce((sum, r) => sum + r.non2xx + r.errors, 0);
    if (failed > 0) fail(`${failed} decisions failed while measuring several nodes`);
    return {
      one: median(one.map((r) => r.rps)),
      three: median(three.map((results) => results.reduce((sum, r) => sum + r.rps, 0))),
      p99One: median(one.map((r) => r.p99)),
      p99Three: median(three.map((results) => Math.max(...results.map((r) => r.p99)))),
    };
  } finally {
    await Promise.all(others.map((node) => node.stop()));
  }
}

/** The small tenant of the `tenants` phase. */
const SMALL_TENANT_USERS = 1_000;

/**
 * Issue 14, item 4: decisions for a 1,000-user site (10 connections) on the same store and server as the
 * large site, which takes one write a second (a new door) while a trickle of its own decisions makes the
 * server read it whole again after each. The figure is the small site's p99; its baseline, the same load
 * with no writes to the large site. Rounds alternate, and each figure is the median of its rounds.
 */
async function measureTenants(run: Running) {
  const { server, site: large, location } = run;
  const small = await seedSite(location, siteShape(SMALL_TENANT_USERS, 0));
  step(`seeded a ${SMALL_TENANT_USERS.toLocaleString('en-US')}-user site beside the ${large.counts.users.toLocaleString('en-US')}-user one`);
  const smallLoad = () =>
    load({
      port: server.port,
      method: 'POST',
      headers: deviceHeaders(small),
      next: ((body) => () => ({ path: '/api/v1/device/access', body: body() }))(decisionRequests(small, 4)),
      connections: 10,
      seconds: config.seconds,
      warmupSeconds: config.warmupSeconds,
    });
  /** One write a second to the large site, and a decision of its own every 50 ms, until stopped. */
  const churnLargeSite = () => {
    let stopped = false;
    const agent = keepAliveAgent();
    const decisions = keepAliveAgent();
    const next = decisionRequests(large, 5);
    const writing = (async () => {
      for (let n = 0; !stopped; n++) {
        const answer = await exchange(agent, server.port, {
          method: 'POST',
          path: '/api/v1/door',
          headers: apiHeaders(large),
          body: JSON.stringify({ doors: [{ name: `Churn ${Date.now()}-${n}` }] }),
          keepText: true,
        });
        if (answer.status !== 200) fail(`POST /door to the large site answered ${answer.status}: ${answer.text}`);
        await sleep(1_000);
      }
    })();
    const asking = (async () => {
      while (!stopped) {
        await exchange(decisions, server.port, { method: 'POST', path: '/api/v1/device/access', headers: deviceHeaders(large), body: next() });
        await sleep(50);
      }
    })();
    return async () => {
      stopped = true;
      await Promise.all([writing, asking]);
      agent.destroy();
      decisions.destroy();
    };
  };
  const quiet: LoadResult[] = [];
  const churned: LoadResult[] = [];
  for (let round = 1; round <= config.multiNodeRounds; round++) {
    quiet.push(await smallLoad());
    step(`small site, large site quiet: ${describeLoad(quiet[quiet.length - 1] as LoadResult)}`);
    const stop = churnLargeSite();
    churned.push(await smallLoad());
    await stop();
    step(`small site, large site written every second: ${describeLoad(churned[churned.length - 1] as LoadResult)}`);
  }
  // The last write dropped the large site, whose read whole takes seconds: the phases after this one measure it read.
  await untilIndexReadWhole(server.port, large);
  return { p99: median(churned.map((r) => r.p99)), quietP99: median(quiet.map((r) => r.p99)), rps: median(churned.map((r) => r.rps)) };
}

async function measureUserById(run: Running, withBaseline: boolean, seconds = config.seconds) {
  const { server, site } = run;
  const path = userByIdPaths(site, 2);
  const answerBytes = await probeAnswers(
    server.port,
    50,
    () => ({ method: 'GET', path: path(), headers: apiHeaders(site) }),
    (answer) => {
      if (answer.status !== 200) fail(`GET /api/v1/user?id= answered ${answer.status}: ${answer.text}`);
      if ((JSON.parse(answer.text as string) as { data: unknown[] }).data.length !== 1) fail(`GET /api/v1/user?id= found no user: ${answer.text}`);
    },
  );
  const measured = await load({
    port: server.port,
    method: 'GET',
    headers: apiHeaders(site),
    next: () => ({ path: path() }),
    connections: config.connections,
    seconds,
    warmupSeconds: config.warmupSeconds,
  });
  step(`GET /user?id=: ${describeLoad(measured)} (answers ~${answerBytes} bytes)`);
  if (measured.non2xx > 0 || measured.errors > 0) fail('GET /user?id= had failures under load');
  const references = withBaseline
    ? await loadReferences(run, answerBytes, { method: 'GET', headers: apiHeaders(site), next: () => ({ path: `/${answerBytes}` }) })
    : { baseline: null, framework: null };
  return { measured, ...references };
}

/** The whole list, once per run: wall time, and the server's peak RSS above what it held before. */
async function measureUserList(run: Running) {
  const { server, site } = run;
  const times: number[] = [];
  const growths: number[] = [];
  let bytes = 0;
  for (let i = 0; i < config.listRuns; i++) {
    const agent = keepAliveAgent();
    const before = rssOf(server.pid);
    const sampler = rssSampler(server.pid);
    const answer = await exchange(agent, server.port, { method: 'GET', path: '/api/v1/user', headers: apiHeaders(site), keepText: i === 0 });
    const peak = sampler.stop();
    agent.destroy();
    if (answer.status !== 200) fail(`GET /api/v1/user answered ${answer.status}`);
    if (i === 0) {
      const listed = (JSON.parse(answer.text as string) as { data: unknown[] }).data.length;
      if (listed < site.counts.users) fail(`GET /api/v1/user listed ${listed} users, expected ${site.counts.users}`);
    }
    times.push(answer.ms / 1000);
    growths.push((peak - before) / 2 ** 20);
    bytes = answer.bytes;
    step(
      `GET /user (all): ${formatNumber(answer.ms / 1000)} s, ${formatNumber(answer.bytes / 2 ** 20)} MiB, RSS ${formatNumber(before / 2 ** 20)} → peak ${formatNumber(peak / 2 ** 20)} MiB`,
    );
  }
  let baseline: number | null = null;
  if (run.baseline) {
    const baselineTimes: number[] = [];
    for (let i = 0; i < config.listRuns; i++) {
      const agent = keepAliveAgent();
      baselineTimes.push((await exchange(agent, run.baseline.port, { method: 'GET', path: `/${bytes}` })).ms / 1000);
      agent.destroy();
    }
    baseline = median(baselineTimes);
    step(`baseline (${formatNumber(bytes / 2 ** 20)} MiB body): ${formatNumber(baseline)} s`);
  }
  return { seconds: median(times), rssMb: Math.max(...growths), baseline };
}

/** Pages of `/events?id=` (the site's events_limit, 5,000): walked once to warm up, then timed. */
/** Decisions in flight at once while a lockdown's doors are checked. */
const LOCKDOWN_CHECKERS = 32;

/**
 * Issue 20: a lockdown of the whole site (2,000 doors). Its one commit queues every door's mode commands
 * and drops the site from the access index, so from the acknowledgement on every door denies: the figure
 * is the time from sending the start until a decision after it is denied (the acknowledgement, then the
 * first decision answered from the store while the index is read again). Then every door is asked once,
 * with a card whose holder may open it where one exists, and a single grant fails the run; how long those
 * 2,000 decisions take is the checkers' pace, not the lockdown's, and is only noted.
 */
async function measureLockdown(run: Running) {
  const { server, site } = run;
  const agent = keepAliveAgent();
  const post = (path: string, headers: Record<string, string>, body: unknown) =>
    exchange(agent, server.port, {
      method: 'POST',
      path,
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      keepText: true,
    });
  const name = `Bench lockdown ${randomBytes(3).toString('hex')}`;
  const created = await post('/api/v1/lockdown', apiHeaders(site), { lockdowns: [{ name }] });
  if (created.status !== 200) fail(`POST /api/v1/lockdown answered ${created.status}: ${created.text}`);
  const cardOf = new Map<number, string>();
  site.cardDoors.forEach((doors, card) => {
    for (const door of doors) if (!cardOf.has(door)) cardOf.set(door, site.cardNums[card] as string);
  });
  const doors = Array.from({ length: site.doorIds.last - site.doorIds.first + 1 }, (_, i) => site.doorIds.first + i);
  const decide = async (door: number) => {
    const answer = await post('/api/v1/device/access', deviceHeaders(site), {
      door_id: door,
      card_num: cardOf.get(door) ?? (site.cardNums[0] as string),
    });
    if (answer.status !== 200) fail(`POST /api/v1/device/access answered ${answer.status}`);
    return (JSON.parse(answer.text as string) as { data: { granted: boolean } }).data.granted;
  };
  // A door its card opens now (some levels' schedules are closed at this hour).
  let probe: number | undefined;
  for (const door of cardOf.keys()) {
    if (await decide(door)) {
      probe = door;
      break;
    }
  }
  if (probe === undefined) fail('no door granted before the lockdown');
  const started = performance.now();
  const start = await post('/api/v1/lockdown/start', apiHeaders(site), { lockdowns: [{ name }] });
  if (start.status !== 200) fail(`POST /api/v1/lockdown/start answered ${start.status}: ${start.text}`);
  const acknowledged = performance.now() - started;
  if (await decide(probe)) fail('a door granted after the lockdown was acknowledged');
  const ms = performance.now() - started;
  const pending = [...doors];
  const checker = async () => {
    for (let door = pending.pop(); door !== undefined; door = pending.pop()) if (await decide(door)) fail(`door ${door} granted during the lockdown`);
  };
  const checking = performance.now();
  await Promise.all(Array.from({ length: LOCKDOWN_CHECKERS }, checker));
  const checkedMs = performance.now() - checking;
  const cleared = await post('/api/v1/lockdown/clear', apiHeaders(site), { lockdowns: [{ name }] });
  if (cleared.status !== 200) fail(`POST /api/v1/lockdown/clear answered ${cleared.status}`);
  agent.destroy();
  step(
    `lockdown of ${doors.length} doors: acknowledged in ${formatNumber(acknowledged)} ms, a decision denied ${formatNumber(ms)} ms after sending it; every door denied at its first ask (${formatNumber(checkedMs)} ms for the ${doors.length} decisions)`,
  );
  return { ms, acknowledged, doors: doors.length, checkedMs };
}

async function measureEventPages(run: Running) {
  const { server, site } = run;
  const agent = keepAliveAgent();
  const walk = async (): Promise<Exchange[]> => {
    const pages: Exchange[] = [];
    let after = 0;
    for (let i = 0; i < config.eventPages; i++) {
      const page = await exchange(agent, server.port, {
        method: 'GET',
        path: `/api/v1/events?id=${after}`,
        headers: apiHeaders(site),
        keepText: true,
      });
      if (page.status !== 200) fail(`GET /api/v1/events?id=${after} answered ${page.status}`);
      const rows = (JSON.parse(page.text as string) as { data: { id: number }[] }).data;
      if (rows.length < 5_000) break;
      pages.push(page);
      after = (rows[rows.length - 1] as { id: number }).id;
    }
    return pages;
  };
  await walk();
  const pages = await walk();
  agent.destroy();
  if (pages.length === 0) fail('no full page of 5,000 events');
  const ms = median(pages.map((p) => p.ms));
  const bytes = Math.round(median(pages.map((p) => p.bytes)));
  step(
    `GET /events?id=: ${pages.length} pages of 5,000, median ${formatNumber(ms)} ms, max ${formatNumber(Math.max(...pages.map((p) => p.ms)))} ms, ~${formatNumber(bytes / 2 ** 20)} MiB each`,
  );
  let baseline: number | null = null;
  if (run.baseline) {
    const baseAgent = keepAliveAgent();
    const times: number[] = [];
    for (let i = 0; i < pages.length + 1; i++) times.push((await exchange(baseAgent, run.baseline.port, { method: 'GET', path: `/${bytes}` })).ms);
    baseAgent.destroy();
    baseline = median(times.slice(1));
    step(`baseline (${bytes}-byte body): ${formatNumber(baseline)} ms`);
  }
  return { ms, baseline };
}

/** New users, 100 a batch, one batch at a time (the one-write-at-a-time rule allows no more per key). */
async function measureImport(run: Running) {
  const { server, site } = run;
  let sequence = 0;
  const batch = () => {
    const users = Array.from({ length: BATCH }, () => {
      const n = sequence++;
      return {
        id: -1,
        id_num: `IMP-${n}`,
        first_name: 'Imported',
        last_name: `Person ${n}`,
        email: `imported${n}@bench.example`,
        phone: '8184365134',
        pin: String(100_000 + ((n * 7_919) % 900_000)),
        card_num: String(9_000_000_000 + n),
      };
    });
    return JSON.stringify({ users });
  };
  const post = async (agent: Agent, port: number, path: string, body: string) => {
    const answer = await exchange(agent, port, { method: 'POST', path, headers: { ...apiHeaders(site) }, body, keepText: path === '/api/v1/user' });
    if (answer.status !== 200) fail(`POST ${path} answered ${answer.status}: ${answer.text}`);
    return answer;
  };
  const agent = keepAliveAgent();
  let answerBytes = 0;
  for (let i = 0; i < config.importWarmupBatches; i++) answerBytes = (await post(agent, server.port, '/api/v1/user', batch())).bytes;
  const bodies = Array.from({ length: config.importBatches }, batch);
  const started = performance.now();
  for (const body of bodies) {
    const answer = await post(agent, server.port, '/api/v1/user', body);
    const inserted = (JSON.parse(answer.text as string) as { data: { inserted: number } }).data.inserted;
    if (inserted !== BATCH) fail(`POST /api/v1/user inserted ${inserted} of ${BATCH}: ${answer.text}`);
  }
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  const usersPerSecond = (config.importBatches * BATCH) / seconds;
  step(`POST /user: ${config.importBatches} batches of ${BATCH} in ${formatNumber(seconds)} s = ${formatNumber(usersPerSecond)} users/s`);
  let baseline: number | null = null;
  if (run.baseline) {
    const baseAgent = keepAliveAgent();
    for (let i = 0; i < config.importWarmupBatches; i++) await post(baseAgent, run.baseline.port, `/${answerBytes}`, batch());
    const baseStarted = performance.now();
    for (const body of bodies) await post(baseAgent, run.baseline.port, `/${answerBytes}`, body);
    baseline = (config.importBatches * BATCH) / ((performance.now() - baseStarted) / 1000);
    baseAgent.destroy();
    step(`baseline (same bodies, ${answerBytes}-byte answers): ${formatNumber(baseline)} users/s`);
  }
  return { usersPerSecond, baseline };
}

/**
 * A people file of new people through POST /user/import (issue 19), one request of `csvRows` rows, each
 * with a card and an access level by name: rows/s, and the server's peak RSS above what it held before,
 * which the chunked import keeps bounded whatever the file's length. Baseline: the same bytes posted to
 * the bare server, which reads and drops them.
 */
async function measureCsvImport(run: Running) {
  const { server, site } = run;
  const header = 'id_num,first_name,last_name,email,phone,card_num,pin,accesslevels,enabled';
  const lines = Array.from(
    { length: config.csvRows },
    (_, n) =>
      `CSV-${n},Moved,In ${n},moved${n}@bench.example,8184365134,${8_000_000_000 + n},${100_000 + ((n * 7_919) % 900_000)},Level ${1 + (n % 500)},true`,
  );
  const body = `${header}\n${lines.join('\n')}\n`;
  const headers = { ...apiHeaders(site), 'content-type': 'text/csv' };
  const agent = keepAliveAgent();
  const before = rssOf(server.pid);
  const sampler = rssSampler(server.pid);
  const answer = await exchange(agent, server.port, { method: 'POST', path: '/api/v1/user/import', headers, body, keepText: true });
  const peak = sampler.stop();
  agent.destroy();
  if (answer.status !== 200) fail(`POST /api/v1/user/import answered ${answer.status}: ${answer.text?.slice(0, 500)}`);
  const inserted = (JSON.parse(answer.text as string) as { data: { inserted: number } }).data.inserted;
  if (inserted !== config.csvRows) fail(`POST /api/v1/user/import inserted ${inserted} of ${config.csvRows}: ${answer.text?.slice(0, 500)}`);
  const rowsPerSecond = config.csvRows / (answer.ms / 1000);
  const rssMb = (peak - before) / 2 ** 20;
  step(
    `POST /user/import: ${config.csvRows.toLocaleString('en-US')} rows (${formatNumber(Buffer.byteLength(body) / 2 ** 20)} MiB) in ${formatNumber(answer.ms / 1000)} s = ${formatNumber(rowsPerSecond)} rows/s; RSS ${formatNumber(before / 2 ** 20)} → peak ${formatNumber(peak / 2 ** 20)} MiB`,
  );
  let baseline: number | null = null;
  if (run.baseline) {
    const baseAgent = keepAliveAgent();
    const sent = await exchange(baseAgent, run.baseline.port, { method: 'POST', path: `/${answer.bytes}`, headers, body });
    baseAgent.destroy();
    baseline = config.csvRows / (sent.ms / 1000);
    step(`baseline (same body, ${answer.bytes}-byte answer): ${formatNumber(baseline)} rows/s`);
  }
  return { rowsPerSecond, rssMb, baseline };
}

/** Starts serve (and the baseline) on a seeded store; `work` runs against them; everything stops after. */
async function withServer<T>(
  dialect: Dialect,
  users: number,
  events: number,
  options: { baseline: boolean; cpuProf?: string | undefined },
  work: (run: Running) => Promise<T>,
): Promise<T> {
  const location = await freshLocation(dialect, `${dialect}-${users}`, flags.keep);
  let server: Child | null = null;
  let baseline: Child | null = null;
  let framework: Child | null = null;
  try {
    const site = await seedSite(location, siteShape(users, events), flags['seed-sql']);
    step(
      `seeded ${dialect}: ${site.counts.users} users, ${site.counts.credentials} credentials, ${site.counts.doors} doors, ` +
        `${site.counts.accessLevels} levels, ${site.counts.schedules} schedules, ${site.counts.events} events in ${formatNumber(site.seconds)} s`,
    );
    server = await startPortcullis({
      dataDir: location.dataDir,
      databaseUrl: location.databaseUrl,
      logLevel: config.logLevel,
      cpuProfDir: options.cpuProf,
    });
    if (options.baseline) {
      baseline = await startBaseline(location.dataDir, 'node');
      framework = await startBaseline(location.dataDir, 'fastify');
    }
    const pingAgent = keepAliveAgent();
    const ping = await exchange(pingAgent, server.port, { method: 'GET', path: '/api/v1/ping', headers: apiHeaders(site), keepText: true });
    pingAgent.destroy();
    if (ping.status !== 200) fail(`ping answered ${ping.status}: ${ping.text}`);
    const limit = ping.headers['ratelimit-limit'] ?? ping.headers['x-ratelimit-limit'];
    if (limit !== undefined) fail(`the server still limits each caller to ${String(limit)} requests a window; see ${server.logFile}`);
    await untilIndexReadWhole(server.port, site);
    return await work({ server, baseline, framework, site, location });
  } finally {
    await framework?.stop();
    await baseline?.stop();
    await server?.stop();
    await location.remove();
  }
}

/** The note's share of the Fastify reference: how far the route is from what the framework alone allows. */
function ofFramework(measured: LoadResult, framework: LoadResult | null): string {
  return framework ? `; Fastify reference ${formatNumber(framework.rps)} req/s, ${formatNumber((100 * measured.rps) / framework.rps)}% of it` : '';
}

/** A figure's median over the rounds of the scale comparison. */
interface Medians {
  rps: number;
  p99: number;
}

interface ScalePoint {
  store: Dialect;
  users: number;
  decisions: Medians | null;
  userById: Medians | null;
}

/** One server per site size at once, so that the sizes can take turns: `work` gets them in `sizes`' order. */
async function withServers(dialect: Dialect, sizes: number[], work: (runs: Running[]) => Promise<void>): Promise<void> {
  const [first, ...rest] = sizes;
  if (first === undefined) return work([]);
  return withServer(dialect, first, 0, { baseline: false }, (run) => withServers(dialect, rest, (runs) => work([run, ...runs])));
}

/**
 * Does the cost grow with the site? The sizes take turns, round after round, and each figure is the
 * median of its rounds: measured one size after the other, the machine's drift over minutes (±30% here)
 * was larger than any difference between sizes.
 */
async function measureScale(dialect: Dialect, sites: [number, Running][]): Promise<ScalePoint[]> {
  const sizes = sites.map(([users, run]) => ({ users, run, decisions: [] as LoadResult[], userById: [] as LoadResult[] }));
  for (let round = 1; round <= config.scaleRounds; round++) {
    // Each round starts one size later, so that no size always runs first (or always after the same one).
    const shift = (round - 1) % sizes.length;
    for (const size of [...sizes.slice(shift), ...sizes.slice(0, shift)]) {
      say(
        `-- ${dialect}: ${size.users.toLocaleString('en-US')}-user site, round ${round} of ${config.scaleRounds} (does the cost grow with the site?) --`,
      );
      if (only.has('decisions')) size.decisions.push((await measureDecisions(size.run, false, config.scaleSeconds)).measured);
      if (only.has('user_by_id')) size.userById.push((await measureUserById(size.run, false, config.scaleSeconds)).measured);
    }
  }
  const medians = (results: LoadResult[]): Medians | null =>
    results.length === 0 ? null : { rps: median(results.map((r) => r.rps)), p99: median(results.map((r) => r.p99)) };
  return sizes.map((size) => ({ store: dialect, users: size.users, decisions: medians(size.decisions), userById: medians(size.userById) }));
}

async function benchStore(dialect: Dialect) {
  say(`\n== ${dialect}: ${config.users.toLocaleString('en-US')}-user site ==`);
  const figures: Figure[] = [];
  const notes: Partial<Record<FigureName, string>> = {};
  const scale: ScalePoint[] = [];
  const cpuProf = config.cpuProfDir ? join(config.cpuProfDir, dialect) : undefined;
  await withServer(dialect, config.users, config.events, { baseline: true, cpuProf }, async (run) => {
    if (only.has('decisions')) {
      const d = await measureDecisions(run, true);
      figures.push(figure(dialect, 'decisions_rps', d.measured.rps, 'req/s', d.baseline?.rps ?? null, d.framework?.rps ?? null));
      figures.push(figure(dialect, 'decisions_p99_ms', d.measured.p99, 'ms', d.baseline?.p99 ?? null));
      if (d.fixedRate) {
        figures.push(figure(dialect, 'decisions_fixed_rate_p99_ms', d.fixedRate.p99, 'ms', null, d.fixedRateReference?.p99 ?? null));
        notes.decisions_fixed_rate_p99_ms = `${formatNumber(d.fixedRate.rps)} req/s answered, ${formatNumber(FIXED_DECISION_RATE)}/s offered, evenly paced; p50 ${d.fixedRate.p50} ms; the Fastify reference at that pace: p99 ${d.fixedRateReference?.p99 ?? '—'} ms, p50 ${d.fixedRateReference?.p50 ?? '—'} ms`;
      }
      notes.decisions_rps = `p50 ${d.measured.p50} ms; ${d.measured.non2xx + d.measured.errors} failed${ofFramework(d.measured, d.framework)}`;
      notes.decisions_p99_ms = `baseline p50 ${d.baseline?.p50 ?? '—'} ms`;
    }
    if (only.has('webhooks')) {
      const w = await measureWebhooks(run);
      figures.push(figure(dialect, 'webhook_decisions_rps', w.withHook.rps, 'req/s', w.without.rps));
      figures.push(figure(dialect, 'webhook_lag_p99_ms', w.p99, 'ms', null));
      notes.webhook_decisions_rps = `one subscription taking every event (baseline: the same load just before, with it disabled; each load on the site read whole); p99 ${w.withHook.p99} ms against ${w.without.p99} ms`;
      notes.webhook_lag_p99_ms = `received less db_time, ${w.deliveries} deliveries at ${formatNumber(w.pacedRps)} decisions/s; after the full load (${formatNumber(w.withHook.rps)}/s) the outbox was empty ${formatNumber(w.drainedMs)} ms later`;
    }
    if (only.has('multi_node')) {
      const m = await measureMultiNode(run);
      figures.push(figure(dialect, 'multi_node_rps', m.three, 'req/s', m.one));
      notes.multi_node_rps = `three nodes against one (the baseline here), same ${config.connections} connections in all; p99 ${m.p99Three} ms against ${m.p99One} ms`;
    }
    if (only.has('tenants')) {
      const t = await measureTenants(run);
      figures.push(figure(dialect, 'small_tenant_p99_ms', t.p99, 'ms', t.quietP99));
      notes.small_tenant_p99_ms = `1,000-user site, 10 connections, ${formatNumber(t.rps)} req/s, while the large site takes a write a second (baseline: the large site quiet)`;
    }
    if (only.has('user_by_id')) {
      const u = await measureUserById(run, true);
      figures.push(figure(dialect, 'user_by_id_rps', u.measured.rps, 'req/s', u.baseline?.rps ?? null, u.framework?.rps ?? null));
      notes.user_by_id_rps = `p50 ${u.measured.p50} ms, p99 ${u.measured.p99} ms${ofFramework(u.measured, u.framework)}`;
    }
    if (only.has('user_list')) {
      const l = await measureUserList(run);
      figures.push(figure(dialect, 'user_list_s', l.seconds, 's', l.baseline));
      figures.push(figure(dialect, 'user_list_rss_mb', l.rssMb, 'MB', null));
      notes.user_list_s = `${config.users.toLocaleString('en-US')} users, median of ${config.listRuns}`;
      notes.user_list_rss_mb = `peak RSS growth, worst of ${config.listRuns}`;
    }
    if (only.has('events')) {
      const e = await measureEventPages(run);
      figures.push(figure(dialect, 'events_page_ms', e.ms, 'ms', e.baseline));
    }
    if (only.has('import')) {
      const i = await measureImport(run);
      figures.push(figure(dialect, 'import_users_per_s', i.usersPerSecond, 'users/s', i.baseline));
    }
    if (only.has('csv_import')) {
      const c = await measureCsvImport(run);
      figures.push(figure(dialect, 'csv_import_rows_per_s', c.rowsPerSecond, 'rows/s', c.baseline));
      figures.push(figure(dialect, 'csv_import_rss_mb', c.rssMb, 'MB', null));
      notes.csv_import_rows_per_s = `${config.csvRows.toLocaleString('en-US')} new people in one file (a card and a level each), into the ${config.users.toLocaleString('en-US')}-user site`;
      notes.csv_import_rss_mb = 'peak RSS growth of the server during the import';
    }
    if (only.has('lockdown')) {
      const l = await measureLockdown(run);
      figures.push(figure(dialect, 'lockdown_apply_ms', l.ms, 'ms', null));
      notes.lockdown_apply_ms = `${l.doors} doors, acknowledged in ${formatNumber(l.acknowledged)} ms (mode commands queued); then every door denied at its first ask`;
    }
    if (config.scaleSizes.length > 0 && (only.has('decisions') || only.has('user_by_id'))) {
      const others = config.scaleSizes.filter((size) => size !== config.users);
      await withServers(dialect, others, async (runs) => {
        scale.push(...(await measureScale(dialect, [[config.users, run], ...runs.map((r, i): [number, Running] => [others[i] as number, r])])));
      });
    }
  });

  scale.sort((a, b) => a.users - b.users);
  figures.sort((a, b) => FIGURE_NAMES.indexOf(a.name) - FIGURE_NAMES.indexOf(b.name));
  return { figures, notes, scale };
}

/** (max − min) / median of the figures, as a percentage: how much a figure moved across site sizes. */
function spread(values: number[]): string {
  if (values.length < 2) return '—';
  return `${formatNumber(((Math.max(...values) - Math.min(...values)) / median(values)) * 100)}%`;
}

function scaleTable(points: ScalePoint[]): string {
  const rows = [['store', 'users', 'decisions req/s', 'decisions p99 ms', 'user?id req/s', 'user?id p99 ms']];
  for (const store of new Set(points.map((p) => p.store))) {
    const of = points.filter((p) => p.store === store);
    for (const p of of) {
      rows.push([
        p.store,
        p.users.toLocaleString('en-US'),
        p.decisions ? formatNumber(p.decisions.rps) : '—',
        p.decisions ? String(p.decisions.p99) : '—',
        p.userById ? formatNumber(p.userById.rps) : '—',
        p.userById ? String(p.userById.p99) : '—',
      ]);
    }
    const values = (pick: (p: ScalePoint) => number | undefined) => of.map(pick).filter((v): v is number => v !== undefined);
    rows.push([
      store,
      'spread',
      spread(values((p) => p.decisions?.rps)),
      spread(values((p) => p.decisions?.p99)),
      spread(values((p) => p.userById?.rps)),
      spread(values((p) => p.userById?.p99)),
    ]);
  }
  return table(rows);
}

async function main(): Promise<void> {
  const started = performance.now();
  const load1 = loadavg()[0] ?? 0;
  say(
    `Portcullis benchmark${quick ? ' (--quick)' : ''}: node ${process.version}, ${cpus().length} CPUs, load average ${formatNumber(load1)} at start`,
  );
  say(
    `stores: ${stores.join(', ')}; ${config.connections} connections, ${config.warmupSeconds} s warm-up + ${config.seconds} s per load run; ` +
      `server log level ${config.logLevel}; serve --rate-limit 0`,
  );
  if (cpus().length <= 2 || load1 > cpus().length / 2) {
    say('NOTE: the server, the baseline and the load generator share this machine; with few CPUs or other work running, figures are noisy.');
  }
  const all: Figure[] = [];
  const allNotes: { figures: Figure[]; notes: Partial<Record<FigureName, string>> }[] = [];
  const allScale: ScalePoint[] = [];
  for (const store of stores) {
    const result = await benchStore(store);
    all.push(...result.figures);
    allNotes.push(result);
    allScale.push(...result.scale);
  }

  say(`\n== Results (${config.users.toLocaleString('en-US')} users${quick ? ', quick' : ''}) ==`);
  for (const { figures, notes } of allNotes) say(`${figureTable(figures, config.users, notes)}\n`);
  if (allScale.length > 1) {
    say('== Cost against site size (should not grow) ==');
    say(scaleTable(allScale));
    say('');
  }
  const resultsFile = join(ROOT, 'bench', 'results.json');
  writeFileSync(resultsFile, `${JSON.stringify(all, null, 2)}\n`);
  writeFileSync(
    join(ROOT, 'bench', 'results-scale.json'),
    `${JSON.stringify(
      allScale.map((p) => ({
        store: p.store,
        users: p.users,
        decisions_rps: p.decisions?.rps ?? null,
        decisions_p99_ms: p.decisions?.p99 ?? null,
        user_by_id_rps: p.userById?.rps ?? null,
        user_by_id_p99_ms: p.userById?.p99 ?? null,
      })),
      null,
      2,
    )}\n`,
  );
  say(
    `Wrote bench/results.json and bench/results-scale.json in ${formatNumber((performance.now() - started) / 1000)} s total; load average ${formatNumber(loadavg()[0] ?? 0)} at the end.`,
  );
  if (config.cpuProfDir)
    say(`Server CPU profiles: ${config.cpuProfDir}/<store>/ (open in Chrome DevTools, or: npx tsx bench/profile-summary.ts <file>)`);
}

await main();
