import type { Kysely } from 'kysely';
import { TIME_TYPE } from './columns.ts';

/**
 * The panel settings BAS-IP clients read and write (sip, volume, lock timeouts, ntp, …): one row per
 * site and setting path (`device/settings/volume`, `access/general/lock/timeout/2`), holding the JSON an
 * operator last saved over the documented defaults; and the site's call forwarding, one row per flat.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('panel_setting')
    .addColumn('site_id', 'integer', (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addColumn('setting', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', TIME_TYPE, (c) => c.notNull())
    .addPrimaryKeyConstraint('panel_setting_pk', ['site_id', 'setting'])
    .execute();
  await db.schema
    .createTable('panel_forward')
    .addColumn('site_id', 'integer', (c) => c.notNull().references('site.id').onDelete('cascade'))
    .addColumn('forward_number', 'integer', (c) => c.notNull())
    // JSON array of the SIP numbers or URIs a call to the flat goes to.
    .addColumn('entity_list', 'text', (c) => c.notNull())
    .addColumn('updated_at', TIME_TYPE, (c) => c.notNull())
    .addPrimaryKeyConstraint('panel_forward_pk', ['site_id', 'forward_number'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('panel_forward').execute();
  await db.schema.dropTable('panel_setting').execute();
}
