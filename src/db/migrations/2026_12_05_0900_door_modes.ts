import type { Kysely } from 'kysely';
import { ID_TYPE, TIME_TYPE, idColumn } from './columns.ts';

/**
 * Door modes (docs/door-modes.md): what a door does by itself, apart from who may open it.
 *
 * - `door_mode_schedule`: a door's unlock schedule, one row per schedule and the mode it holds while that
 *   schedule is active (`unlocked`, `locked`, `card_and_pin`); `first_person_in` makes an `unlocked` row
 *   wait, each day, for a holder of a first-person-in access level to be granted at the door.
 * - `holiday`: the site's calendar of dated exceptions (`YYYY-MM-DD`, site-local, inclusive), optionally
 *   every year. On a holiday unlock schedules do not apply, nor access schedules that observe holidays
 *   (`schedule.observes_holidays`).
 * - `door_override`: an operator's timed override, at most one per door; no row: the door follows its
 *   schedule. `until` null: until an operator returns it to schedule.
 * - `lockdown_plan` with `lockdown_plan_door` (scope `doors`) and `lockdown_plan_responder` (the access
 *   levels whose holders still pass while it is active): `active_since` null means not started.
 * - `door_first_in`: the day a door's first person in was granted, per door and site-local date.
 * - `door_state.mode`: the mode the door's device last said it applied.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('door_mode_schedule')
    .addColumn('id', ID_TYPE, idColumn(db))
    .addColumn('site_id', ID_TYPE, (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addColumn('door_id', ID_TYPE, (c) => c.notNull().references('door.id').onDelete('cascade'))
    .addColumn('schedule_id', ID_TYPE, (c) => c.notNull().references('schedule.id').onDelete('cascade'))
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('first_person_in', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', TIME_TYPE, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('door_mode_schedule_door_idx').on('door_mode_schedule').columns(['door_id', 'schedule_id']).unique().execute();
  await db.schema.createIndex('door_mode_schedule_site_idx').on('door_mode_schedule').columns(['site_id', 'door_id']).execute();

  await db.schema
    .createTable('holiday')
    .addColumn('id', ID_TYPE, idColumn(db))
    .addColumn('site_id', ID_TYPE, (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('start_date', 'text', (c) => c.notNull())
    .addColumn('end_date', 'text', (c) => c.notNull())
    .addColumn('yearly', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', TIME_TYPE, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('holiday_name_idx').on('holiday').columns(['site_id', 'name_key']).unique().execute();

  await db.schema
    .alterTable('schedule')
    .addColumn('observes_holidays', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('access_level')
    .addColumn('first_person_in', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('door_override')
    .addColumn('door_id', ID_TYPE, (c) => c.primaryKey().references('door.id').onDelete('cascade'))
    .addColumn('site_id', ID_TYPE, (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('since', TIME_TYPE, (c) => c.notNull())
    .addColumn('until', TIME_TYPE)
    .addColumn('actor', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('door_override_site_idx').on('door_override').column('site_id').execute();

  await db.schema
    .createTable('lockdown_plan')
    .addColumn('id', ID_TYPE, idColumn(db))
    .addColumn('site_id', ID_TYPE, (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('location_id', ID_TYPE, (c) => c.references('location.id').onDelete('cascade'))
    .addColumn('auto_revert_ms', TIME_TYPE)
    .addColumn('active_since', TIME_TYPE)
    .addColumn('active_until', TIME_TYPE)
    .addColumn('active_by', 'text')
    .addColumn('created_at', TIME_TYPE, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('lockdown_plan_name_idx').on('lockdown_plan').columns(['site_id', 'name_key']).unique().execute();
  await db.schema
    .createTable('lockdown_plan_door')
    .addColumn('plan_id', ID_TYPE, (c) => c.notNull().references('lockdown_plan.id').onDelete('cascade'))
    .addColumn('door_id', ID_TYPE, (c) => c.notNull().references('door.id').onDelete('cascade'))
    .addColumn('site_id', ID_TYPE, (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('lockdown_plan_door_pk', ['plan_id', 'door_id'])
    .execute();
  await db.schema
    .createTable('lockdown_plan_responder')
    .addColumn('plan_id', ID_TYPE, (c) => c.notNull().references('lockdown_plan.id').onDelete('cascade'))
    .addColumn('access_level_id', ID_TYPE, (c) => c.notNull().references('access_level.id').onDelete('cascade'))
    .addColumn('site_id', ID_TYPE, (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('lockdown_plan_responder_pk', ['plan_id', 'access_level_id'])
    .execute();

  await db.schema
    .createTable('door_first_in')
    .addColumn('door_id', ID_TYPE, (c) => c.notNull().references('door.id').onDelete('cascade'))
    .addColumn('site_id', ID_TYPE, (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('user_id', ID_TYPE)
    .addColumn('at', TIME_TYPE, (c) => c.notNull())
    .addPrimaryKeyConstraint('door_first_in_pk', ['door_id', 'day'])
    .execute();

  await db.schema.alterTable('door_state').addColumn('mode', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('door_state').dropColumn('mode').execute();
  await db.schema.dropTable('door_first_in').execute();
  await db.schema.dropTable('lockdown_plan_responder').execute();
  await db.schema.dropTable('lockdown_plan_door').execute();
  await db.schema.dropTable('lockdown_plan').execute();
  await db.schema.dropTable('door_override').execute();
  await db.schema.alterTable('access_level').dropColumn('first_person_in').execute();
  await db.schema.alterTable('schedule').dropColumn('observes_holidays').execute();
  await db.schema.dropTable('holiday').execute();
  await db.schema.dropTable('door_mode_schedule').execute();
}
