import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { CLIENT_SCHEMA_FILE, clientSchemaText } from '../../scripts/client-schema.ts';

it('client/src/schema.d.ts is what `npm run client:generate` writes from the current routes', async () => {
  const fresh = readFileSync(CLIENT_SCHEMA_FILE, 'utf8') === (await clientSchemaText());
  expect(fresh, 'client/src/schema.d.ts is stale: run `npm run client:generate` and commit it').toBe(true);
});
