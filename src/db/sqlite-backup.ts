import { errorFields } from './error-fields.ts';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { DEFAULT_MIGRATION_TABLE } from 'kysely';
import { sqliteFileOf } from './open.ts';
import { takeRestoreLock } from './serve-lock.ts';

/** What a backup or a restore checked, for the command to print. */
export interface CheckedCopy {
  file: string;
  bytes: number;
  /** The last migration the copy's schema has (`portcullis migrate` brings it forward). */
  schema: string;
}

/**
 * SQLite copies every page in one step when told so: pages copied in several steps start over whenever
 * another process commits in between, which under a steady stream of decisions could be for ever. One
 * step reads one snapshot (WAL lets the server go on writing meanwhile) and takes the WAL's pages with it.
 */
const ALL_PAGES = 0x7fffffff;

/**
 * Whether `file` is a whole, readable Portcullis store: `PRAGMA integrity_check` says ok and it has a
 * migration record. Returns its last migration; throws saying what is wrong.
 */
export function checkStoreFile(file: string): string {
  if (!existsSync(file)) throw new Error(`No such file: ${file}`);
  let database: SQLite.Database;
  try {
    database = new SQLite(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new Error(`${file} is not a SQLite database: ${errorFields(error).message}`);
  }
  try {
    const integrity = database.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`${file} failed PRAGMA integrity_check: ${String(integrity)}`);
    const hasMigrations = database.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(DEFAULT_MIGRATION_TABLE);
    if (!hasMigrations) throw new Error(`${file} is a SQLite database but not a Portcullis store (no ${DEFAULT_MIGRATION_TABLE} table)`);
    const last = database.prepare(`select name from ${DEFAULT_MIGRATION_TABLE} order by name desc limit 1`).pluck().get();
    return typeof last === 'string' ? last : '(none)';
  } catch (error) {
    if (/not a database|malformed/i.test(errorFields(error).message ?? ''))
      throw new Error(`${file} is not a readable SQLite database: ${errorFields(error).message}`);
    throw error;
  } finally {
    database.close();
  }
}

/**
 * Copies the embedded store in `dataDir` to `to` with SQLite's online backup, while servers go on
 * writing. The copy holds everything committed before it was read (the WAL's pages included), is
 * switched to a rollback journal so that it is one file that opens by itself, and is checked before it
 * is given its name: an interrupted or failed backup leaves no file at `to`.
 */
export async function backupSqlite(dataDir: string, to: string): Promise<CheckedCopy> {
  const file = sqliteFileOf(dataDir);
  if (!existsSync(file)) throw new Error(`No embedded store at ${file}`);
  if (existsSync(to)) throw new Error(`${to} already exists; a backup never overwrites a file`);
  const partial = `${to}.partial`;
  rmSync(partial, { force: true });
  const source = new SQLite(file, { fileMustExist: true });
  try {
    await source.backup(partial, { progress: () => ALL_PAGES });
  } finally {
    source.close();
  }
  try {
    const copy = new SQLite(partial, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    const schema = checkStoreFile(partial);
    renameSync(partial, to);
    return { file: to, bytes: statSync(to).size, schema };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/**
 * Replaces the embedded store in `dataDir` with the backup `from`, once that is checked, and only while
 * no server runs on it (and none can start until it is done: src/db/serve-lock.ts). The store it replaces
 * is kept beside it, its WAL folded in, as `portcullis.sqlite.replaced-<time>`. Returns that name too.
 */
export function restoreSqlite(dataDir: string, from: string, now: Date): CheckedCopy & { replaced: string | null } {
  const schema = checkStoreFile(from);
  mkdirSync(dataDir, { recursive: true });
  const release = takeRestoreLock(dataDir);
  try {
    const target = sqliteFileOf(dataDir);
    const incoming = `${target}.restoring`;
    copyFileSync(from, incoming);
    const copy = new SQLite(incoming, { fileMustExist: true });
    try {
      // The mode `serve` opens it in; closing the only connection leaves no -wal file behind.
      copy.pragma('journal_mode = WAL');
      if (copy.pragma('quick_check', { simple: true }) !== 'ok') throw new Error(`The copy of ${from} failed PRAGMA quick_check`);
    } finally {
      copy.close();
    }
    let replaced: string | null = null;
    if (existsSync(target)) {
      // Fold the old store's WAL into it, so that no stale -wal file is ever read with the new one.
      const old = new SQLite(target, { fileMustExist: true });
      try {
        old.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        old.close();
      }
      replaced = `${target}.replaced-${now.toISOString().replace(/[:.]/g, '-')}`;
      renameSync(target, replaced);
    }
    for (const leftover of [`${target}-wal`, `${target}-shm`]) rmSync(leftover, { force: true });
    renameSync(incoming, target);
    return { file: target, bytes: statSync(target).size, schema, replaced };
  } finally {
    release();
  }
}
