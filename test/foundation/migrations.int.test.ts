import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { DIALECTS, openTestStore } from '../harness.ts';

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
