import { type Param, hotStatement } from '../../db/prepared.ts';
import type { SessionKind } from '../../db/schema.ts';
import type { OperatorRoleColumn } from './operator-sessions.repository.ts';

/** The statements of the hot path on `operator_session` (src/db/prepared.ts says why they are compiled once). */

/**
 * The enabled operator of an unexpired session token, with the session's times and its site's columns:
 * what authenticating a panel or console call reads when its caller is not remembered.
 */
export const operatorSession = hotStatement((db, param: Param<{ tokenHash: string; kind: SessionKind; now: number }>) =>
  db
    .selectFrom('operator_session as s')
    .innerJoin('user as u', 'u.id', 's.user_id')
    .innerJoin('site', 'site.id', 's.site_id')
    .selectAll('site')
    .select([
      'u.id as user_id',
      'u.username as username',
      'u.role as role',
      'u.rate_limit as rate_limit',
      'u.identifier_scope as identifier_scope',
      's.expires_at as session_expires_at',
      's.created_at as session_created_at',
    ])
    .where(
      's.token_hash',
      '=',
      param((v) => v.tokenHash),
    )
    .where(
      's.kind',
      '=',
      param((v) => v.kind),
    )
    .where(
      's.expires_at',
      '>',
      param((v) => v.now),
    )
    .where('u.enabled', '=', 1)
    .where('u.role', '!=', 'cardholder')
    .$narrowType<{ role: OperatorRoleColumn }>(),
);
