import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ROOT } from './processes.ts';

/**
 * `npx tsx bench/profile-summary.ts <file.cpuprofile> [top] [from-s] [to-s]`: where a `node --cpu-prof`
 * profile of the server spent its time, between `from-s` and `to-s` seconds after the profile began (to
 * leave out start-up and the baseline's turns). Self time by function, then inclusive time by function
 * and by source (a file of src/, a package of node_modules, or node's own internals), so a hot path
 * shows without DevTools. Idle time is left out of the percentages.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg, fromArg, toArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top] [from-s] [to-s]');
const top = Number(topArg ?? 25);
const fromMicros = Number(fromArg ?? 0) * 1e6;
const toMicros = toArg === undefined ? Number.POSITIVE_INFINITY : Number(toArg) * 1e6;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

let idleMicros = 0;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

// Self time per node, from the samples and the time between them (microseconds).
const selfMicros = new Map<number, number>();
let at = 0;
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  at += delta;
  if (at < fromMicros || at > toMicros) return;
  if (byId.get(id)?.callFrame.functionName === '(idle)') {
    idleMicros += delta;
    return;
  }
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
});

function source(url: string): string {
  if (url === '') return '(native / vm)';
  if (url.startsWith('node:')) return url;
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = path.slice(modules + 'node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? path);
  }
  return relative(ROOT, path);
}

const label = (node: ProfileNode) => `${node.callFrame.functionName || '(anonymous)'} ${source(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;

const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);
const special = [...selfMicros.entries()]
  .filter(([id]) => ['(program)', '(garbage collector)'].includes(byId.get(id)?.callFrame.functionName ?? ''))
  .map(([id, micros]) => [byId.get(id)?.callFrame.functionName ?? '', micros] as const);

const self = new Map<string, number>();
const inclusiveFn = new Map<string, number>();
const inclusiveSource = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const node = byId.get(id);
  if (!node) continue;
  self.set(label(node), (self.get(label(node)) ?? 0) + micros);
  // Each function and source on the stack counts once per sample, however often it recurs.
  const seenFn = new Set<string>();
  const seenSource = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const frame = byId.get(at) as ProfileNode;
    if (frame.callFrame.functionName === '(root)') break;
    seenFn.add(label(frame));
    seenSource.add(source(frame.callFrame.url));
  }
  for (const key of seenFn) inclusiveFn.set(key, (inclusiveFn.get(key) ?? 0) + micros);
  for (const key of seenSource) inclusiveSource.set(key, (inclusiveSource.get(key) ?? 0) + micros);
}

const pct = (micros: number) => `${((micros / total) * 100).toFixed(1).padStart(5)}%`;
const ms = (micros: number) => `${(micros / 1000).toFixed(0).padStart(7)} ms`;
function print(title: string, entries: Map<string, number>): void {
  process.stdout.write(`\n${title}\n`);
  for (const [key, micros] of [...entries.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${pct(micros)} ${ms(micros)}  ${key}\n`);
  }
}

process.stdout.write(
  `${file}: ${(profile.timeDeltas.reduce((a, b) => a + b, 0) / 1e6).toFixed(1)} s profiled; in the window ${(total / 1e6).toFixed(1)} s busy, ` +
    `${(idleMicros / 1e6).toFixed(1)} s idle; ${special.map(([name, micros]) => `${name} ${pct(micros).trim()}`).join(', ')}\n`,
);
print('Self time by function', self);
print('Inclusive time by function', inclusiveFn);
print('Inclusive time by source', inclusiveSource);
