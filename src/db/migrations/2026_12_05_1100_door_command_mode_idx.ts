import type { Kysely } from 'kysely';

/**
 * The door-mode sync (docs/door-modes.md) reads, every tick, the latest mode command of each door and device of a
 * site; without this index that read scans every command the site ever queued.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('door_command_mode_idx').on('door_command').columns(['site_id', 'command', 'door_id', 'device_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('door_command_mode_idx').execute();
}
