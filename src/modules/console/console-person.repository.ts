import type { Queryable } from '../../db/queryable.ts';
import type { Columns } from '../../db/schema.ts';

/** A delegation: a delegate level, who gave it (its `delegated_by_user_id`) and who holds it. */
export type DelegationRow = Columns<'access_level', 'id' | 'access_effective' | 'access_expires'> & {
  from_user_id: number | null;
  from_first_name: string | null;
  from_last_name: string | null;
  to_user_id: number;
  to_first_name: string;
  to_last_name: string;
};

/** The delegations a person gave or was given, in level id order: one query. */
export function delegationsOf(db: Queryable, siteId: number, userId: number): Promise<DelegationRow[]> {
  return db
    .selectFrom('access_level as al')
    .innerJoin('user_access_level as ual', (join) => join.onRef('ual.access_level_id', '=', 'al.id').on('ual.site_id', '=', siteId))
    .innerJoin('user as receiver', 'receiver.id', 'ual.user_id')
    .leftJoin('user as giver', (join) => join.onRef('giver.id', '=', 'al.delegated_by_user_id').on('giver.site_id', '=', siteId))
    .select([
      'al.id',
      'al.access_effective',
      'al.access_expires',
      'al.delegated_by_user_id as from_user_id',
      'giver.first_name as from_first_name',
      'giver.last_name as from_last_name',
      'ual.user_id as to_user_id',
      'receiver.first_name as to_first_name',
      'receiver.last_name as to_last_name',
    ])
    .where('al.site_id', '=', siteId)
    .where('al.is_delegate', '=', 1)
    .where((eb) => eb.or([eb('al.delegated_by_user_id', '=', userId), eb('ual.user_id', '=', userId)]))
    .orderBy('al.id')
    .execute();
}
