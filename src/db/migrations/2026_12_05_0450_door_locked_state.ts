import type { Kysely } from 'kysely';

/**
 * Whether a door's lock is locked, as its device reports it (`POST /device/state`'s optional `locked`,
 * docs/devices.md). Null: the device has not said (older devices, or a lock that cannot tell).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('door_state').addColumn('locked', 'integer').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('door_state').dropColumn('locked').execute();
}
