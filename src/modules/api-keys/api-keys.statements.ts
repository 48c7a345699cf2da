import { type Param, hotStatement } from '../../db/prepared.ts';

/** The statements of the hot path that read `api_key` (src/db/prepared.ts says why they are compiled once). */

/** The key of an apiuser with its site's columns: what authenticating a request reads when its caller is not remembered. */
export const apiKeyWithSite = hotStatement((db, param: Param<{ apiuser: string }>) =>
  db
    .selectFrom('api_key')
    .innerJoin('site', 'site.id', 'api_key.site_id')
    .selectAll('site')
    .select([
      'api_key.id as key_id',
      'api_key.apiuser as key_apiuser',
      'api_key.key_hash as key_hash',
      'api_key.max_batch_size as key_max_batch_size',
      'api_key.enabled as key_enabled',
      'api_key.revoked_at as key_revoked_at',
      'api_key.created_at as key_created_at',
    ])
    .where(
      'api_key.apiuser',
      '=',
      param((v) => v.apiuser),
    ),
);
