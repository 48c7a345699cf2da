import { type Param, hotStatement } from '../../db/prepared.ts';

/** The statements of the hot path on `device` (src/db/prepared.ts says why they are compiled once). */

/** The device holding a key hash, with its site's columns: what authenticating a device reads when it is not remembered. */
export const deviceByKeyHash = hotStatement((db, param: Param<{ keyHash: string }>) =>
  db
    .selectFrom('device')
    .innerJoin('site', 'site.id', 'device.site_id')
    .selectAll('site')
    .select([
      'device.id as device_id',
      'device.name as device_name',
      'device.key_hash as device_key_hash',
      'device.revoked_at as device_revoked_at',
      'device.last_seen_at as device_last_seen_at',
      'device.created_at as device_created_at',
    ])
    .where(
      'device.key_hash',
      '=',
      param((v) => v.keyHash),
    ),
);

/** Notes when a device last called (at most once a minute, devices.service.ts). */
export const deviceSeen = hotStatement((db, param: Param<{ siteId: number; deviceId: number; at: number }>) =>
  db
    .updateTable('device')
    .set({ last_seen_at: param((v) => v.at) })
    .where(
      'site_id',
      '=',
      param((v) => v.siteId),
    )
    .where(
      'id',
      '=',
      param((v) => v.deviceId),
    ),
);
