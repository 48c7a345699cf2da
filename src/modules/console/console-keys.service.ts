import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { Site } from '../../domain/site.ts';
import type { Clock } from '../../lib/clock.ts';
import {
  type ApiKeyInfo,
  type ApiKeySettingsChange,
  changeApiKeySettings,
  issueApiKey,
  listApiKeys,
  revokeApiKey,
} from '../api-keys/api-keys.service.ts';

export type ConsoleApiKey = Omit<ApiKeyInfo, 'site_id'>;

const shown = ({ site_id: _site, ...key }: ApiKeyInfo): ConsoleApiKey => key;

/** The site's API keys, revoked ones too (they say when a key stopped), never a secret. */
export async function siteApiKeys(db: Queryable, site: Site): Promise<ConsoleApiKey[]> {
  return (await listApiKeys(db, site.id)).map(shown);
}

/** A key of the site; another site's, or none, is not found (the api-keys service looks by apiuser alone). */
async function requireSiteKey(db: Queryable, site: Site, apiuser: string): Promise<void> {
  if (!(await listApiKeys(db, site.id)).some((k) => k.apiuser === apiuser)) throw ERRORS.notFound(`No API key with apiuser ${apiuser}.`);
}

/** A new key of the site: its secret shown once, as `portcullis key create` shows it. */
export function createSiteApiKey(db: Queryable, site: Site, clock: Clock) {
  return issueApiKey(db, site.id, clock);
}

export async function changeSiteApiKey(db: Queryable, site: Site, apiuser: string, change: ApiKeySettingsChange): Promise<ConsoleApiKey> {
  await requireSiteKey(db, site, apiuser);
  return shown(await changeApiKeySettings(db, apiuser, change));
}

export async function revokeSiteApiKey(db: Queryable, site: Site, apiuser: string, clock: Clock): Promise<ConsoleApiKey> {
  await requireSiteKey(db, site, apiuser);
  return shown(await revokeApiKey(db, apiuser, clock));
}
