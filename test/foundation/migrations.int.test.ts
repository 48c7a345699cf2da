import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { DIALECTS, openTestStore, requirePgUrl } from '../harness.ts';

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  it('run from empty once, then find nothing to do', async () => {
    const store = await openTestStore(dialect, { migrated: false });
    try {
      expect(await migrateToLatest(store.db)).toEqual(expect.arrayContaining(['2026_11_23_0001_foundation']));
      expect(await migrateToLatest(store.db)).toEqual([]);
      const tables = await store.db.introspection.getTables();
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['site', 'api_key', 'maintenance_window', 'door', 'user', 'credential']));
    } finally {
      await store.close();
    }
  });
});

describe.runIf(DIALECTS.includes('postgres'))('migrations on postgres in a shared database', () => {
  it('look only at their own schema, so another schema dropped meanwhile does not fail them', async () => {
    // Other tenants of the database create and drop schemas while this store migrates. A migrator that
    // lists every schema's tables meets one that vanished between its catalog read and a name lookup
    // ("schema … does not exist"): it happened between test files running in parallel.
    const store = await openTestStore('postgres');
    const churn = new pg.Client({ connectionString: requirePgUrl() });
    await churn.connect();
    let churning = true;
    const churned = (async () => {
      for (let round = 0; churning; round++) {
        const schema = `churn_${randomBytes(4).toString('hex')}_${round}`;
        const tables = Array.from({ length: 20 }, (_, i) => `CREATE TABLE ${schema}.t${i} (id serial PRIMARY KEY, note text);`);
        await churn.query(`CREATE SCHEMA ${schema}; ${tables.join(' ')}`);
        await churn.query(`DROP SCHEMA ${schema} CASCADE`);
      }
    })();
    try {
      for (let run = 0; run < 25; run++) expect(await migrateToLatest(store.db)).toEqual([]);
    } finally {
      churning = false;
      await churned;
      await churn.end();
      await store.close();
    }
  });
});
