import type { Kysely } from 'kysely';
import { TIME_TYPE } from './columns.ts';

/**
 * Mode commands fail closed (docs/door-modes.md): `door_command.valid_until` is the instant (epoch ms) the
 * engine computed a mode command's mode ends, after which the device falls back to `access_controlled` by
 * itself; null when the mode has no end the engine knows, and on an unlock.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('door_command').addColumn('valid_until', TIME_TYPE).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('door_command').dropColumn('valid_until').execute();
}
