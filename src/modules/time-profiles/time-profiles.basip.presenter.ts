import { type RepeatOptions, type TimeOptions, storedTimeProfile } from '../../access/time-profile.ts';

/**
 * A time profile on the wire, as the seed's `timeprofiles` items show it: the stored rule's
 * `time_options` and `repeat_options` as they were accepted, with the profile's uid and link_id.
 */
export function presentTimeProfile(row: { id: number; name: string; rule: string | null; link_id: string | null }): {
  item_uid: number;
  name: string;
  link_id: string | null;
  time_options: TimeOptions;
  repeat_options: RepeatOptions;
} {
  // A schedule without a BAS-IP rule (a Lockt weekly schedule) shows a window that never opens.
  const rule = storedTimeProfile(row.rule);
  return {
    item_uid: row.id,
    name: row.name,
    link_id: row.link_id,
    time_options: rule.time_options,
    repeat_options: rule.repeat_options,
  };
}
