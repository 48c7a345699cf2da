import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import { ID_TYPE, TIME_TYPE, idColumn } from './columns.ts';

/**
 * Devices (door controllers and panels) with the doors they drive, the event log, the audit trail,
 * and the queue of commands (remote unlock) waiting for a device to collect them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const site = (c: ColumnDefinitionBuilder) => c.notNull().references('site.id').onDelete('cascade');

  await db.schema
    .createTable('device')
    .addColumn('id', ID_TYPE, idColumn(db))
    .addColumn('site_id', 'integer', site)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('revoked_at', TIME_TYPE)
    .addColumn('last_seen_at', TIME_TYPE)
    .addColumn('created_at', TIME_TYPE, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('device_name_uq').on('device').columns(['site_id', 'name_key']).unique().execute();

  await db.schema
    .createTable('device_door')
    .addColumn('device_id', 'integer', (c) => c.notNull().references('device.id').onDelete('cascade'))
    .addColumn('door_id', 'integer', (c) => c.notNull().references('door.id').onDelete('cascade'))
    .addColumn('lock_number', 'integer', (c) => c.notNull())
    .addColumn('site_id', 'integer', site)
    .addPrimaryKeyConstraint('device_door_pk', ['device_id', 'door_id'])
    .execute();
  await db.schema.createIndex('device_door_lock_uq').on('device_door').columns(['device_id', 'lock_number']).unique().execute();
  await db.schema.createIndex('device_door_door_idx').on('device_door').column('door_id').execute();

  // Names are copied into the event when it is written: the log keeps what was true then, and reads
  // need no joins. Ids are kept too, for filtering and anonymisation.
  await db.schema
    .createTable('event')
    .addColumn('id', ID_TYPE, idColumn(db))
    .addColumn('site_id', 'integer', site)
    .addColumn('code', 'integer', (c) => c.notNull())
    .addColumn('subcode', 'integer')
    .addColumn('category', 'integer', (c) => c.notNull())
    .addColumn('device_id', 'integer')
    .addColumn('device_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('controller', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('door_id', 'integer')
    .addColumn('door_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('location_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('schedule_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('credential_id', 'integer')
    .addColumn('card_num', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('user_id', 'integer')
    .addColumn('user_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('hw_time', TIME_TYPE, (c) => c.notNull())
    .addColumn('db_time', TIME_TYPE, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('event_site_id_idx').on('event').columns(['site_id', 'id']).execute();
  await db.schema.createIndex('event_user_idx').on('event').columns(['site_id', 'user_id']).execute();

  await db.schema
    .createTable('audit')
    .addColumn('id', ID_TYPE, idColumn(db))
    .addColumn('site_id', 'integer', site)
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('record_ids', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('at', TIME_TYPE, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_site_id_idx').on('audit').columns(['site_id', 'id']).execute();

  await db.schema
    .createTable('door_command')
    .addColumn('id', ID_TYPE, idColumn(db))
    .addColumn('site_id', 'integer', site)
    .addColumn('door_id', 'integer', (c) => c.notNull().references('door.id').onDelete('cascade'))
    .addColumn('device_id', 'integer', (c) => c.notNull().references('device.id').onDelete('cascade'))
    .addColumn('command', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', TIME_TYPE, (c) => c.notNull())
    .addColumn('delivered_at', TIME_TYPE)
    .addColumn('acked_at', TIME_TYPE)
    .addColumn('result', 'text')
    .execute();
  await db.schema.createIndex('door_command_device_idx').on('door_command').columns(['device_id', 'acked_at', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['door_command', 'audit', 'event', 'device_door', 'device']) {
    await db.schema.dropTable(table).execute();
  }
}
