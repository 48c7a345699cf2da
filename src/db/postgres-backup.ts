import { spawn } from 'node:child_process';
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import pg from 'pg';
import { CHANGE_FEED_APPLICATION } from './open.ts';

/**
 * PostgreSQL backups are PostgreSQL's own: `pg_dump` in its custom format (a consistent snapshot taken
 * while servers go on writing) and `pg_restore`. These wrap them when they are installed, and otherwise
 * say exactly what to run.
 */

/** The URL without its password, which goes to the tools in PGPASSWORD rather than on a command line others can read. */
function splitPassword(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  if (parsed.password === '') return { url, env: process.env };
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { url: parsed.toString(), env: { ...process.env, PGPASSWORD: password } };
}

/** How to do it by hand, when the tools are not installed here. */
export function manualSteps(file: string): string {
  return [
    "pg_dump and pg_restore (the PostgreSQL client tools, of the server's major version or newer) are not installed here. Run, where they are:",
    `  backup:  pg_dump --format=custom --file '${file}' "$DATABASE_URL" && pg_restore --list '${file}' > /dev/null`,
    `  restore: stop every Portcullis server on the database, then pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error --dbname "$DATABASE_URL" '${file}'`,
  ].join('\n');
}

class ToolMissing extends Error {}

/** Runs a client tool; resolves with its output, rejects with what it printed on failure. */
function run(tool: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new ToolMissing(tool) : error));
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${tool} failed (exit ${code}): ${err.trim()}`))));
  });
}

/** Runs the tool, or fails with the manual steps when it is not installed. */
async function runOrExplain(tool: string, args: string[], env: NodeJS.ProcessEnv, file: string): Promise<string> {
  try {
    return await run(tool, args, env);
  } catch (error) {
    if (error instanceof ToolMissing) throw new Error(manualSteps(file));
    throw error;
  }
}

/** A custom-format archive pg_restore can read: its table of contents lists Portcullis's tables. */
async function checkArchive(file: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (!existsSync(file)) throw new Error(`No such file: ${file}`);
  const contents = await runOrExplain('pg_restore', ['--list', file], env, file);
  if (!/ TABLE \S+ kysely_migration /.test(contents))
    throw new Error(`${file} is a pg_dump archive but not of a Portcullis store (no kysely_migration table)`);
}

/** `portcullis backup` on PostgreSQL: pg_dump to a partial file, checked, then named `to`. */
export async function backupPostgres(databaseUrl: string, to: string): Promise<{ file: string; bytes: number }> {
  if (existsSync(to)) throw new Error(`${to} already exists; a backup never overwrites a file`);
  const { url, env } = splitPassword(databaseUrl);
  const partial = `${to}.partial`;
  try {
    await runOrExplain('pg_dump', ['--format=custom', '--file', partial, '--dbname', url], env, to);
    await checkArchive(partial, env);
    renameSync(partial, to);
  } finally {
    rmSync(partial, { force: true });
  }
  return { file: to, bytes: statSync(to).size };
}

/** How many Portcullis servers are connected to the database: each holds its change feed's LISTEN connection. */
async function serversOn(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ servers: number }>(
      'select count(*)::int as servers from pg_stat_activity where datname = current_database() and application_name = $1',
      [CHANGE_FEED_APPLICATION],
    );
    return rows[0]?.servers ?? 0;
  } finally {
    await client.end();
  }
}

/**
 * `portcullis restore` on PostgreSQL: checks the archive, refuses while a server is connected to the
 * database, then pg_restore in one transaction (all of it or nothing), replacing what the archive holds.
 */
export async function restorePostgres(databaseUrl: string, from: string): Promise<{ file: string }> {
  const { url, env } = splitPassword(databaseUrl);
  await checkArchive(from, env);
  const servers = await serversOn(databaseUrl);
  if (servers > 0) throw new Error(`${servers} Portcullis server(s) are connected to this database: stop every one before restoring.`);
  await runOrExplain(
    'pg_restore',
    ['--clean', '--if-exists', '--no-owner', '--single-transaction', '--exit-on-error', '--dbname', url, from],
    env,
    from,
  );
  return { file: from };
}
