import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { DIALECTS, openTestStore } from '../harness.ts';

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  it('run once, then find nothing to do', async () => {
    const store = await openTestStore(dialect);
    try {
      expect(await migrateToLatest(store.db)).toEqual([]);
      const tables = await store.db.introspection.getTables();
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['site', 'api_key', 'maintenance_window', 'door', 'user', 'credential']));
    } finally {
      await store.close();
    }
  });
});
