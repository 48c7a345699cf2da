import { sql } from 'kysely';
import { type Param, hotStatement } from '../../db/prepared.ts';
import { USER_COLUMNS } from './users.repository.ts';

/** The statement of `GET /user?id=` (src/db/prepared.ts says why it is compiled once). */

/**
 * A cardholder by id, if its id is above `afterId` (the paging extension's `after_id`), with its access
 * levels and credentials, in one read: a row for each level (`held_credential` 0) and each credential
 * (`held_credential` 1), levels first and each in id order, the cardholder's columns on every row; one row
 * with the `held_` columns null when it holds none; no row when there is no such cardholder.
 */
export const cardholderWithHoldings = hotStatement((db, param: Param<{ siteId: number; id: number; afterId: number }>) => {
  const held = db
    .selectFrom('user_access_level as ual')
    .innerJoin('access_level as al', 'al.id', 'ual.access_level_id')
    .select([
      sql<0 | 1>`0`.as('held_credential'),
      'al.id as held_id',
      'al.name as held_name',
      sql<number | null>`null`.as('held_is_fob'),
      sql<string | null>`null`.as('held_card_num'),
      sql<string | null>`null`.as('held_key'),
    ])
    .where(
      'ual.site_id',
      '=',
      param((v) => v.siteId),
    )
    .where(
      'ual.user_id',
      '=',
      param((v) => v.id),
    )
    .unionAll(
      db
        .selectFrom('credential as c')
        .select([
          sql<0 | 1>`1`.as('held_credential'),
          'c.id as held_id',
          'c.name as held_name',
          'c.is_fob as held_is_fob',
          'c.card_num as held_card_num',
          'c.credential_key as held_key',
        ])
        .where(
          'c.site_id',
          '=',
          param((v) => v.siteId),
        )
        .where(
          'c.user_id',
          '=',
          param((v) => v.id),
        ),
    )
    .as('held');
  return db
    .selectFrom('user')
    .leftJoin(held, (join) => join.onTrue())
    .select(USER_COLUMNS)
    .select(['held.held_credential', 'held.held_id', 'held.held_name', 'held.held_is_fob', 'held.held_card_num', 'held.held_key'])
    .where(
      'user.site_id',
      '=',
      param((v) => v.siteId),
    )
    .where('user.role', '=', 'cardholder')
    .where(
      'user.id',
      '=',
      param((v) => v.id),
    )
    .where(
      'user.id',
      '>',
      param((v) => v.afterId),
    )
    .orderBy('held.held_credential')
    .orderBy('held.held_id');
});
