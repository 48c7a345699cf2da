import type { Actor } from '../../audit/audit-log.ts';
import { writeTransaction } from '../../db/change-feed.ts';
import type { Queryable } from '../../db/queryable.ts';
import { fromFlag, toFlag } from '../../db/conventions.ts';
import type { ApiKeyRow } from '../../db/schema.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { UNMATCHABLE_HASH, hashSecret, randomToken, secretMatches } from '../../lib/secrets.ts';
import type { Site } from '../../domain/site.ts';
import { siteFromRow } from '../sites/site.ts';
import * as repo from './api-keys.repository.ts';

/** Length of both halves of a Lockt credential pair, as the spec's examples show. */
const CREDENTIAL_LENGTH = 32;
export const DEFAULT_MAX_BATCH_SIZE = 100;
/** Upper bound for `max_batch_size`, so one request cannot hold the store for long. */
export const MAX_MAX_BATCH_SIZE = 10_000;

/** What a caller authenticated with an API key may act as. */
export interface ApiKeyPrincipal {
  kind: 'api_key';
  keyId: number;
  apiuser: string;
  maxBatchSize: number;
  site: Site;
  /** How the audit trail names this caller. */
  actor: Actor;
}

/** A key as listed: never its secret. */
export interface ApiKeyInfo {
  apiuser: string;
  site_id: number;
  max_batch_size: number;
  enabled: boolean;
  revoked: boolean;
  created_at: number;
}

export interface IssuedApiKey {
  apiuser: string;
  /** The secret, shown once: only its hash is kept. */
  apikey: string;
}

function info(row: ApiKeyRow): ApiKeyInfo {
  return {
    apiuser: row.apiuser,
    site_id: row.site_id,
    max_batch_size: row.max_batch_size,
    enabled: fromFlag(row.enabled),
    revoked: row.revoked_at !== null,
    created_at: row.created_at,
  };
}

export async function issueApiKey(db: Queryable, siteId: number, clock: Clock): Promise<IssuedApiKey> {
  const apiuser = randomToken(CREDENTIAL_LENGTH);
  const apikey = randomToken(CREDENTIAL_LENGTH);
  await repo.insertApiKey(db, {
    site_id: siteId,
    apiuser,
    key_hash: hashSecret(apikey),
    created_at: clock.now(),
  });
  return { apiuser, apikey };
}

export async function listApiKeys(db: Queryable, siteId: number): Promise<ApiKeyInfo[]> {
  return (await repo.listApiKeys(db, siteId)).map(info);
}

/** The key of this apiuser, or a 404. */
async function requireKey(db: Queryable, apiuser: string): Promise<ApiKeyRow> {
  const existing = await repo.findApiKey(db, apiuser);
  if (!existing) throw ERRORS.notFound(`No API key with apiuser ${apiuser}.`);
  return existing;
}

export async function revokeApiKey(db: Queryable, apiuser: string, clock: Clock): Promise<ApiKeyInfo> {
  return updateKey(db, await requireKey(db, apiuser), { revoked_at: clock.now(), enabled: 0 });
}

/**
 * Changes a key as a write of its site, so that every process stops remembering it
 * (src/http/plugins/caller-cache.ts): at once here, within the change feed's bound elsewhere.
 */
async function updateKey(db: Queryable, key: ApiKeyRow, changes: repo.ApiKeyChanges): Promise<ApiKeyInfo> {
  const row = await writeTransaction(db, key.site_id, (trx) => repo.updateApiKey(trx, key.apiuser, changes));
  if (!row) throw ERRORS.notFound(`No API key with apiuser ${key.apiuser}.`);
  return info(row);
}

export interface ApiKeySettingsChange {
  maxBatchSize?: number | undefined;
  enabled?: boolean | undefined;
}

export async function changeApiKeySettings(db: Queryable, apiuser: string, change: ApiKeySettingsChange): Promise<ApiKeyInfo> {
  const existing = await requireKey(db, apiuser);
  if (change.enabled === true && existing.revoked_at !== null) {
    throw ERRORS.badRequest(`API key ${apiuser} is revoked and cannot be enabled again; create a new key.`);
  }
  const { maxBatchSize } = change;
  if (maxBatchSize !== undefined && !(Number.isInteger(maxBatchSize) && maxBatchSize >= 1 && maxBatchSize <= MAX_MAX_BATCH_SIZE)) {
    throw ERRORS.badRequest(`max_batch_size must be a whole number from 1 to ${MAX_MAX_BATCH_SIZE}, got ${maxBatchSize}.`);
  }
  return updateKey(db, existing, {
    ...(maxBatchSize !== undefined ? { max_batch_size: maxBatchSize } : {}),
    ...(change.enabled !== undefined ? { enabled: toFlag(change.enabled) } : {}),
  });
}

/** Whether an authenticated key still holds: not revoked, not switched off, its site still there. */
export async function apiKeyStillValid(db: Queryable, principal: ApiKeyPrincipal): Promise<boolean> {
  const found = await repo.findApiKeyWithSite(db, principal.apiuser);
  return found !== undefined && found.key.id === principal.keyId && found.key.revoked_at === null && fromFlag(found.key.enabled);
}

/**
 * Checks an apiuser/apikey pair. Unknown apiusers are compared against a hash no key has, so the answer
 * takes the same time whether or not the apiuser exists, and every failure reads the same.
 */
export async function authenticateApiKey(db: Queryable, apiuser: string, apikey: string): Promise<ApiKeyPrincipal> {
  const found = await repo.findApiKeyWithSite(db, apiuser);
  const matches = secretMatches(apikey, found?.key.key_hash ?? UNMATCHABLE_HASH);
  if (!found || !matches || found.key.revoked_at !== null || !fromFlag(found.key.enabled)) {
    throw ERRORS.unauthorized();
  }
  return {
    kind: 'api_key',
    keyId: found.key.id,
    apiuser: found.key.apiuser,
    maxBatchSize: found.key.max_batch_size,
    site: siteFromRow(found.site),
    actor: { kind: 'api_key', name: found.key.apiuser },
  };
}
