import { sql } from 'kysely';
import { type Param, hotStatement } from '../../db/prepared.ts';
import { USER_COLUMNS } from './users.repository.ts';

/** The statements of `GET /user?id=` (src/db/prepared.ts says why they are compiled once). */

/** A cardholder by id, if its id is above `afterId` (the paging extension's `after_id`). */
export const cardholderById = hotStatement((db, param: Param<{ siteId: number; id: number; afterId: number }>) =>
  db
    .selectFrom('user')
    .select(USER_COLUMNS)
    .where(
      'site_id',
      '=',
      param((v) => v.siteId),
    )
    .where('role', '=', 'cardholder')
    .where(
      'id',
      '=',
      param((v) => v.id),
    )
    .where(
      'id',
      '>',
      param((v) => v.afterId),
    ),
);

/**
 * A user's access levels and credentials in one read: the levels first (`credential` 0, with the
 * credential columns null), then the credentials, each in id order.
 */
export const levelsAndCredentialsOf = hotStatement((db, param: Param<{ siteId: number; userId: number }>) =>
  db
    .selectFrom('user_access_level as ual')
    .innerJoin('access_level as al', 'al.id', 'ual.access_level_id')
    .select([
      sql<0 | 1>`0`.as('credential'),
      'al.id',
      'al.name',
      sql<number | null>`null`.as('is_fob'),
      sql<string | null>`null`.as('card_num'),
      sql<string | null>`null`.as('credential_key'),
    ])
    .where(
      'ual.site_id',
      '=',
      param((v) => v.siteId),
    )
    .where(
      'ual.user_id',
      '=',
      param((v) => v.userId),
    )
    .unionAll(
      db
        .selectFrom('credential as c')
        .select([sql<0 | 1>`1`.as('credential'), 'c.id', 'c.name', 'c.is_fob', 'c.card_num', 'c.credential_key'])
        .where(
          'c.site_id',
          '=',
          param((v) => v.siteId),
        )
        .where(
          'c.user_id',
          '=',
          param((v) => v.userId),
        ),
    )
    .orderBy('credential')
    .orderBy('id'),
);
