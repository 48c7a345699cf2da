import type { Kysely } from 'kysely';

/**
 * Mode commands (docs/door-modes.md): `door_command.mode`, set on a `mode` command, is the mode the door's
 * device is to apply (an override or a lockdown started or ended); null on an unlock.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('door_command').addColumn('mode', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('door_command').dropColumn('mode').execute();
}
