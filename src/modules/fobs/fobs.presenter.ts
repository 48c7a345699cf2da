import { fromFlag } from '../../db/conventions.ts';
import { formatIsoUtc } from '../../lib/site-time.ts';
import { presentLevels } from '../users/users.presenter.ts';
import type { FobView } from './fobs.service.ts';

/** A fob on the wire; its access levels are those of the user holding it. */
export function presentFob({ row, levels }: FobView) {
  return {
    id: row.id,
    id_num: row.id_num ?? '',
    name: row.name,
    card_num: row.card_num ?? '',
    credential_key: row.credential_key,
    enabled: fromFlag(row.enabled),
    access_effective: row.access_effective === null ? '' : formatIsoUtc(row.access_effective),
    access_expires: row.access_expires === null ? '' : formatIsoUtc(row.access_expires),
    accesslevels: presentLevels(levels),
  };
}
