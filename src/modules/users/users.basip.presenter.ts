import { fromFlag } from '../../db/conventions.ts';
import { presentApartment } from '../apartments/apartments.basip.presenter.ts';
import { presentEmbeddedIdentifier } from '../credentials/identifiers.basip.presenter.ts';
import { presentTimeProfile } from '../time-profiles/time-profiles.basip.presenter.ts';
import type { BasipUserView, LinkedUserDeleted, LinkedUserWritten, UserWritten } from './users.basip.service.ts';
import { basipUserName } from './users.basip.service.ts';

/** A user as the seed shows it; `auth_factors` is [] until set. */
export function presentBasipUser({ row, identifiers, identifierProfiles, apartments, timeProfiles }: BasipUserView) {
  return {
    auth_factors: row.auth_factors.split(',').filter((factor) => factor !== ''),
    item_uid: row.id,
    link_id: row.link_id,
    name: basipUserName(row.first_name, row.last_name),
    lock_number: row.lock_number,
    is_custom_user_access: fromFlag(row.is_custom_user_access),
    info: row.info,
    identifiers: identifiers.map((identifier) => presentEmbeddedIdentifier(identifier, identifierProfiles)),
    apartments: apartments.map(presentApartment),
    timeprofiles: timeProfiles.map(presentTimeProfile),
  };
}

/** A user's change as the panel answers it: `has_dublicates` (sic) when another user has the same name. */
export const presentUserWrite = ({ nameShared }: UserWritten) => ({ has_dublicates: nameShared });

export const presentUserCreated = ({ id, nameShared }: UserWritten) => ({ item_uid: id, has_dublicates: nameShared });

export function presentLinkedUsers(results: LinkedUserWritten[]) {
  return {
    result: results.map(({ linkId, created, nameShared }) => ({
      link_id: linkId,
      success: true,
      extended_info: created ? 'created' : 'updated',
      has_dublicates: nameShared,
    })),
  };
}

export function presentLinkedUserDeletions(results: LinkedUserDeleted[]) {
  return {
    result: results.map(({ linkId, deleted }) => ({ link_id: linkId, success: deleted, extended_info: deleted ? 'deleted' : 'not_found' })),
  };
}
