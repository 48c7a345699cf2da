import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/**
 * Long hostile-input runs: `npm run fuzz -- --runs 1000 [--seed N] [vitest arguments…]`. Runs
 * test/fuzz/hostile-input.int.test.ts with N requests per endpoint (on SQLite, and on PostgreSQL when the
 * run has one, as `npm test` does) and a random seed unless one is given; the seed is printed so a
 * failure can be replayed. Anything else on the line goes to vitest, e.g. `-t "POST /api/v1/user"`.
 */
const USAGE = 'usage: npm run fuzz -- --runs N [--seed S] [vitest arguments…]';

function parse(argv: string[]): { runs: number; seed: number; rest: string[] } {
  let runs = 1000;
  let seed = randomInt(2 ** 31);
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [name, inline] = arg.split('=', 2);
    if (name === '--runs' || name === '--seed') {
      const value = inline ?? argv[++i];
      if (value === undefined || !/^\d+$/.test(value)) throw new Error(`${name} needs a whole number\n${USAGE}`);
      if (name === '--runs') runs = Number(value);
      else seed = Number(value);
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else rest.push(arg);
  }
  if (runs < 1) throw new Error(`--runs must be at least 1\n${USAGE}`);
  return { runs, seed, rest };
}

let options: ReturnType<typeof parse>;
try {
  options = parse(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}

const root = fileURLToPath(new URL('../', import.meta.url));
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
process.stdout.write(`fuzz: ${options.runs} requests per endpoint, seed ${options.seed}\n`);
const child = spawn(process.execPath, [vitest, 'run', 'test/fuzz/hostile-input.int.test.ts', ...options.rest], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PORTCULLIS_FUZZ_RUNS: String(options.runs), PORTCULLIS_FUZZ_SEED: String(options.seed) },
});
child.on('exit', (code, signal) => {
  process.stdout.write(`fuzz: seed ${options.seed} (replay: npm run fuzz -- --runs ${options.runs} --seed ${options.seed})\n`);
  process.exit(code ?? (signal ? 1 : 0));
});
