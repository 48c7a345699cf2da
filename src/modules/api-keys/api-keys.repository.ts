import type { Queryable } from '../../db/queryable.ts';
import type { ApiKeyRow, SiteRow } from '../../db/schema.ts';
import { apiKeyWithSite } from './api-keys.statements.ts';

export interface NewApiKey {
  site_id: number;
  apiuser: string;
  key_hash: string;
  created_at: number;
}

export function insertApiKey(db: Queryable, row: NewApiKey): Promise<ApiKeyRow> {
  return db.insertInto('api_key').values(row).returningAll().executeTakeFirstOrThrow();
}

export function listApiKeys(db: Queryable, siteId: number): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_key').selectAll().where('site_id', '=', siteId).orderBy('id').execute();
}

export function findApiKey(db: Queryable, apiuser: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_key').selectAll().where('apiuser', '=', apiuser).executeTakeFirst();
}

/** The key with its site, in one round trip: what authenticating a request needs. */
export async function findApiKeyWithSite(db: Queryable, apiuser: string): Promise<{ key: ApiKeyRow; site: SiteRow } | undefined> {
  const row = await apiKeyWithSite.first(db, { apiuser });
  if (!row) return undefined;
  const { key_id, key_apiuser, key_hash, key_max_batch_size, key_enabled, key_revoked_at, key_created_at, ...site } = row;
  return {
    site,
    key: {
      id: key_id,
      site_id: site.id,
      apiuser: key_apiuser,
      key_hash,
      max_batch_size: key_max_batch_size,
      enabled: key_enabled,
      revoked_at: key_revoked_at,
      created_at: key_created_at,
    },
  };
}

export type ApiKeyChanges = Partial<Pick<ApiKeyRow, 'max_batch_size' | 'enabled' | 'revoked_at'>>;

export function updateApiKey(db: Queryable, apiuser: string, changes: ApiKeyChanges): Promise<ApiKeyRow | undefined> {
  return db.updateTable('api_key').set(changes).where('apiuser', '=', apiuser).returningAll().executeTakeFirst();
}
