import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Dialect } from '../src/db/open.ts';

/** Where a store lives for one run: a fresh directory (the certificate too), and for PostgreSQL a fresh database. */
export interface Location {
  dataDir: string;
  databaseUrl?: string | undefined;
  remove(): Promise<void>;
}

/** A fresh store of `dialect` (PostgreSQL: a new database on DATABASE_URL's server); `keep` leaves it after the run. */
export async function freshLocation(dialect: Dialect, tag: string, keep: boolean): Promise<Location> {
  const dataDir = mkdtempSync(join(tmpdir(), `portcullis-bench-${tag}-`));
  const removeDir = () => {
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  };
  if (dialect === 'sqlite') return { dataDir, remove: async () => removeDir() };
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('PostgreSQL needs DATABASE_URL');
  const name = `portcullis_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    dataDir,
    databaseUrl: url.toString(),
    async remove() {
      removeDir();
      if (keep) return;
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
