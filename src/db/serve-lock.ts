import { errorFields } from './error-fields.ts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';

/**
 * Whether a server is running on an embedded store, known by a lock rather than a pid file: every `serve`
 * holds a shared lock on `<data>/serve.lock` for its whole life (a read transaction SQLite keeps open),
 * and the kernel lets it go when the process ends however it ends, SIGKILL included. A restore takes the
 * same file's exclusive lock, which it can have only while no server holds the shared one, and keeps it
 * until it is done, so a server started meanwhile refuses to start.
 */
const LOCK_FILE = 'serve.lock';
/** How long a starting server waits for a restore (or another server starting) to let go. */
const SERVER_WAITS_MS = 2_000;

/** SQLite's answer when another connection holds a lock that the one asked for conflicts with. */
function isBusy(error: unknown): boolean {
  return /^SQLITE_BUSY/.test(errorFields(error).code ?? '');
}

function openLock(dataDir: string, waitMs: number): SQLite.Database {
  mkdirSync(dataDir, { recursive: true });
  const lock = new SQLite(join(dataDir, LOCK_FILE), { timeout: waitMs });
  try {
    lock.exec('create table if not exists serving (since integer)');
    return lock;
  } catch (error) {
    lock.close();
    throw error;
  }
}

/** `serve` on an embedded store: holds the shared lock until the returned function is called. */
export function holdServeLock(dataDir: string): () => void {
  let lock: SQLite.Database | undefined;
  try {
    lock = openLock(dataDir, SERVER_WAITS_MS);
    lock.exec('begin');
    lock.prepare('select count(*) from serving').get();
  } catch (error) {
    lock?.close();
    if (isBusy(error)) throw new Error(`A restore is replacing the store in ${dataDir}; start the server once it has finished.`);
    throw error;
  }
  const held = lock;
  return () => held.close();
}

/**
 * `restore` on an embedded store: the exclusive lock, at once or not at all; throws when a server holds
 * the store. Released by the returned function.
 */
export function takeRestoreLock(dataDir: string): () => void {
  let lock: SQLite.Database | undefined;
  try {
    lock = openLock(dataDir, 0);
    lock.exec('begin exclusive');
  } catch (error) {
    lock?.close();
    if (isBusy(error)) throw new Error(`A Portcullis server is running on the store in ${dataDir}: stop it (every one) before restoring.`);
    throw error;
  }
  const held = lock;
  return () => held.close();
}
