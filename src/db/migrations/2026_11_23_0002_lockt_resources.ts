import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import { ID_TYPE, TIME_TYPE, idColumn } from './columns.ts';

/**
 * The Lockt resources: location types, locations, doors and their reported state, schedules, access
 * levels (delegate levels among them), users (cardholders and operators), credentials (fobs among them).
 * Names unique within a site are enforced by unique indexes on (site_id, key) so concurrent batches can
 * never both write a duplicate.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const site = (c: ColumnDefinitionBuilder) => c.notNull().references('site.id').onDelete('cascade');

  await db.schema
    .createTable('location_type')
    .addColumn('id', ID_TYPE, idColumn(db))
    .addColumn('site_id', 'integer', site)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('created_at', TIME_TYPE, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('location_type_name_uq').on('location_type').columns(['site_id', 'name_key']).unique().execute();

  await db.schema
    .createTable('location')
    .addColumn('id', ID_TYPE, idColumn(db))
    .addColumn('site_id', 'integer', site)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('location_type_id', 'integer', (c) => c.notNull().references('location_type.id'))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', TIME_TYPE, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('location_name_uq').on('location').columns(['site_id', 'name_key']).unique().execute();
  await db.schema.createIndex('location_type_idx').on('location').column('location_type_id').execute();

  await db.schema
    .createTable('door')
    .addColumn('id', ID_TYPE, idColumn(db))
    .addColumn('site_id', 'integer', site)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    // No cascade: a location in use cannot be deleted (DELETE /location refuses it; a race ends in a retry).
    .addColumn('location_id', 'integer', (c) => c.references('location.id'))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', TIME_TYPE, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('door_name_uq').on('door').columns(['site_id', 'name_key']).unique().execute();
  await db.schema.createIndex('door_location_idx').on('door').column('location_id').execute();

  await db.schema
    .createTable('door_state')
    .addColumn('door_id', 'integer', (c) => c.primaryKey().references('door.id').onDelete('cascade'))
    .addColumn('site_id', 'integer', site)
    .addColumn('battery_level', 'real')
    .addColumn('online', 'integer')
    .addColumn('door_open', 'integer')
    .addColumn('reported_at', TIME_TYPE, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('schedule')
    .addColumn('id', ID_TYPE, idColumn(db))
    .addColumn('site_id', 'integer', site)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('d0', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('d1', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('d2', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('d3', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('d4', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('d5', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('d6', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('start_time', 'text', (c) => c.notNull())
    .addColumn('stop_time', 'text', (c) => c.notNull())
    .addColumn('created_at', TIME_TYPE, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('schedule_name_uq').on('schedule').columns(['site_id', 'name_key']).unique().execute();

  await db.schema
    .createTable('user')
    .addColumn('id', ID_TYPE, idColumn(db))
    .addColumn('site_id', 'integer', site)
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('cardholder'))
    .addColumn('id_num', 'text')
    .addColumn('first_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('last_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('email', 'text')
    .addColumn('email_key', 'text')
    .addColumn('phone', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('pin_hash', 'text')
    .addColumn('username', 'text')
    .addColumn('username_key', 'text')
    .addColumn('password_hash', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('access_effective', TIME_TYPE)
    .addColumn('access_expires', TIME_TYPE)
    .addColumn('created_at', TIME_TYPE, (c) => c.notNull())
    .addColumn('updated_at', TIME_TYPE, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('user_id_num_uq').on('user').columns(['site_id', 'id_num']).unique().execute();
  await db.schema.createIndex('user_email_uq').on('user').columns(['site_id', 'email_key']).unique().execute();
  await db.schema.createIndex('user_username_uq').on('user').columns(['site_id', 'username_key']).unique().execute();
  await db.schema.createIndex('user_pin_idx').on('user').columns(['site_id', 'pin_hash']).execute();
  await db.schema.createIndex('user_role_idx').on('user').columns(['site_id', 'role', 'id']).execute();

  await db.schema
    .createTable('credential')
    .addColumn('id', ID_TYPE, idColumn(db))
    .addColumn('site_id', 'integer', site)
    .addColumn('user_id', 'integer', (c) => c.references('user.id').onDelete('cascade'))
    .addColumn('is_fob', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text')
    .addColumn('id_num', 'text')
    .addColumn('card_num', 'text')
    .addColumn('credential_key', 'text', (c) => c.notNull().unique())
    .addColumn('claimed_at', TIME_TYPE)
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('access_effective', TIME_TYPE)
    .addColumn('access_expires', TIME_TYPE)
    .addColumn('created_at', TIME_TYPE, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('credential_card_num_uq').on('credential').columns(['site_id', 'card_num']).unique().execute();
  // Only fobs carry a name that must be unique; other credentials leave name_key null.
  await db.schema.createIndex('credential_fob_name_uq').on('credential').columns(['site_id', 'name_key']).unique().execute();
  await db.schema.createIndex('credential_user_idx').on('credential').columns(['user_id']).execute();
  // Listing users fetches their credentials a chunk of users at a time, within one site.
  await db.schema.createIndex('credential_site_user_idx').on('credential').columns(['site_id', 'user_id']).execute();
  await db.schema.createIndex('credential_site_idx').on('credential').columns(['site_id', 'is_fob', 'id']).execute();

  await db.schema
    .createTable('access_level')
    .addColumn('id', ID_TYPE, idColumn(db))
    .addColumn('site_id', 'integer', site)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('is_delegate', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('delegated_by_user_id', 'integer', (c) => c.references('user.id').onDelete('cascade'))
    .addColumn('access_effective', TIME_TYPE)
    .addColumn('access_expires', TIME_TYPE)
    .addColumn('created_at', TIME_TYPE, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('access_level_name_uq').on('access_level').columns(['site_id', 'name_key']).unique().execute();

  await db.schema
    .createTable('access_level_door')
    .addColumn('access_level_id', 'integer', (c) => c.notNull().references('access_level.id').onDelete('cascade'))
    .addColumn('door_id', 'integer', (c) => c.notNull().references('door.id').onDelete('cascade'))
    .addColumn('schedule_id', 'integer', (c) => c.references('schedule.id'))
    .addColumn('site_id', 'integer', site)
    .addPrimaryKeyConstraint('access_level_door_pk', ['access_level_id', 'door_id'])
    .execute();
  await db.schema.createIndex('access_level_door_door_idx').on('access_level_door').column('door_id').execute();

  await db.schema
    .createTable('user_access_level')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('access_level_id', 'integer', (c) => c.notNull().references('access_level.id').onDelete('cascade'))
    .addColumn('site_id', 'integer', site)
    .addPrimaryKeyConstraint('user_access_level_pk', ['user_id', 'access_level_id'])
    .execute();
  await db.schema.createIndex('user_access_level_level_idx').on('user_access_level').column('access_level_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'user_access_level',
    'access_level_door',
    'access_level',
    'credential',
    'user',
    'schedule',
    'door_state',
    'door',
    'location',
    'location_type',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
