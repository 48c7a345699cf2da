import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import { ID_TYPE, TIME_TYPE, idColumn } from './columns.ts';

/**
 * What the BAS-IP panel face adds to the one domain: users' panel settings, identifiers (credentials of
 * six kinds, with pass limits, locks and owners), time profiles (schedules with a repeat rule),
 * apartments, operator sessions and login throttling.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const site = (c: ColumnDefinitionBuilder) => c.notNull().references('site.id').onDelete('cascade');

  await db.schema
    .alterTable('user')
    .addColumn('info', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  // Comma-separated: face_id, card, input_code, qr, license_plate.
  await db.schema
    .alterTable('user')
    .addColumn('auth_factors', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  // 0 both locks, 1 the first, 2 the second.
  await db.schema
    .alterTable('user')
    .addColumn('lock_number', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('user')
    .addColumn('is_custom_user_access', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('user').addColumn('link_id', 'text').execute();
  await db.schema
    .alterTable('user')
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('user').addColumn('locked_until', TIME_TYPE).execute();
  await db.schema.createIndex('user_link_id_uq').on('user').columns(['site_id', 'link_id']).unique().execute();
  // Operators log in to the panel face without naming a site, so a username is unique everywhere.
  await db.schema.createIndex('user_username_global_uq').on('user').column('username_key').unique().execute();

  await db.schema
    .createTable('apartment')
    .addColumn('id', ID_TYPE, idColumn(db))
    .addColumn('site_id', 'integer', site)
    .addColumn('building', 'integer', (c) => c.notNull())
    .addColumn('unit', 'integer', (c) => c.notNull())
    .addColumn('floor', 'integer', (c) => c.notNull())
    .addColumn('room', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('residents_count', 'integer')
    .addColumn('photo_path', 'text')
    .addColumn('route_path', 'text')
    .addColumn('link_id', 'text')
    .addColumn('created_at', TIME_TYPE, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('apartment_address_uq').on('apartment').columns(['site_id', 'building', 'unit', 'floor', 'room']).unique().execute();
  await db.schema.createIndex('apartment_link_id_uq').on('apartment').columns(['site_id', 'link_id']).unique().execute();

  await db.schema
    .createTable('user_apartment')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('apartment_id', 'integer', (c) => c.notNull().references('apartment.id').onDelete('cascade'))
    .addColumn('site_id', 'integer', site)
    .addPrimaryKeyConstraint('user_apartment_pk', ['user_id', 'apartment_id'])
    .execute();

  // Identifiers are credentials. `card_num` holds the identifier number of every kind (unique in the site).
  await db.schema
    .alterTable('credential')
    .addColumn('identifier_type', 'text', (c) => c.notNull().defaultTo('card'))
    .execute();
  await db.schema
    .alterTable('credential')
    .addColumn('owner_type', 'text', (c) => c.notNull().defaultTo('owner'))
    .execute();
  await db.schema
    .alterTable('credential')
    .addColumn('owner_name', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('credential')
    .addColumn('lock', 'text', (c) => c.notNull().defaultTo('all'))
    .execute();
  // 1 when the identifier opens the site's panel locks by itself (made through the panel face), as on a panel.
  await db.schema
    .alterTable('credential')
    .addColumn('panel_access', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Null: unlimited passes.
  await db.schema.alterTable('credential').addColumn('max_passes', 'integer').execute();
  await db.schema.alterTable('credential').addColumn('passes_left', 'integer').execute();
  await db.schema
    .alterTable('credential')
    .addColumn('apartment_id', 'integer', (c) => c.references('apartment.id').onDelete('set null'))
    .execute();
  await db.schema.alterTable('credential').addColumn('link_id', 'text').execute();
  await db.schema.createIndex('credential_link_id_uq').on('credential').columns(['site_id', 'link_id']).unique().execute();

  // A time profile is a schedule whose rule is BAS-IP's (JSON of time_options and repeat_options).
  await db.schema.alterTable('schedule').addColumn('rule', 'text').execute();
  await db.schema.alterTable('schedule').addColumn('link_id', 'text').execute();
  await db.schema.createIndex('schedule_link_id_uq').on('schedule').columns(['site_id', 'link_id']).unique().execute();

  for (const [table, owner, ownerTable] of [
    ['credential_time_profile', 'credential_id', 'credential'],
    ['user_time_profile', 'user_id', 'user'],
  ] as const) {
    await db.schema
      .createTable(table)
      .addColumn(owner, 'integer', (c) => c.notNull().references(`${ownerTable}.id`).onDelete('cascade'))
      .addColumn('schedule_id', 'integer', (c) => c.notNull().references('schedule.id').onDelete('cascade'))
      .addColumn('site_id', 'integer', site)
      .addPrimaryKeyConstraint(`${table}_pk`, [owner, 'schedule_id'])
      .execute();
  }

  await db.schema
    .createTable('operator_session')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('site_id', 'integer', site)
    .addColumn('expires_at', TIME_TYPE, (c) => c.notNull())
    .addColumn('created_at', TIME_TYPE, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('operator_session_user_idx').on('operator_session').column('user_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['operator_session', 'user_time_profile', 'credential_time_profile', 'user_apartment']) {
    await db.schema.dropTable(table).execute();
  }
  for (const index of ['schedule_link_id_uq', 'credential_link_id_uq', 'user_username_global_uq', 'user_link_id_uq']) {
    await db.schema.dropIndex(index).execute();
  }
  for (const column of ['rule', 'link_id']) await db.schema.alterTable('schedule').dropColumn(column).execute();
  for (const column of [
    'identifier_type',
    'owner_type',
    'owner_name',
    'lock',
    'panel_access',
    'max_passes',
    'passes_left',
    'apartment_id',
    'link_id',
  ]) {
    await db.schema.alterTable('credential').dropColumn(column).execute();
  }
  await db.schema.dropTable('apartment').execute();
  for (const column of ['info', 'auth_factors', 'lock_number', 'is_custom_user_access', 'link_id', 'failed_logins', 'locked_until']) {
    await db.schema.alterTable('user').dropColumn(column).execute();
  }
}
