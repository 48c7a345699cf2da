import type { Kysely } from 'kysely';
import { TIME_TYPE } from './columns.ts';

/**
 * Operators of different sites may share a username (every BAS-IP client logs in as `admin`): the
 * global unique index goes, the per-site one (`user_username_uq`) stays. Failed logins are counted per
 * source address and account in `login_throttle` instead of on the account, so a stranger's guesses
 * slow and lock out the stranger's address, never the owner's; the account's own counters go. An
 * operator account may be given a larger request budget than the server's default (`rate_limit`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('user_username_global_uq').execute();
  for (const column of ['failed_logins', 'locked_until']) await db.schema.alterTable('user').dropColumn(column).execute();
  // Requests a window this operator may make; null: the server's budget.
  await db.schema.alterTable('user').addColumn('rate_limit', 'integer').execute();
  await db.schema
    .createTable('login_throttle')
    // The client address as the rate limit counts it (an IPv6 /64 is one address).
    .addColumn('address', 'text', (c) => c.notNull())
    // The account tried: the site the login named (0: none) and the folded username, whether or not it exists.
    .addColumn('site_scope', 'integer', (c) => c.notNull())
    .addColumn('username_key', 'text', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    // A keyed hash of the last wrong password (the key lives only in the process): a repeat is not a new guess.
    .addColumn('last_wrong', 'text')
    .addColumn('locked_until', TIME_TYPE)
    .addColumn('updated_at', TIME_TYPE, (c) => c.notNull())
    .addPrimaryKeyConstraint('login_throttle_pk', ['address', 'site_scope', 'username_key'])
    .execute();
  await db.schema.createIndex('login_throttle_account_idx').on('login_throttle').columns(['site_scope', 'username_key']).execute();
  await db.schema.createIndex('login_throttle_updated_idx').on('login_throttle').column('updated_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('login_throttle').execute();
  await db.schema.alterTable('user').dropColumn('rate_limit').execute();
  await db.schema
    .alterTable('user')
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('user').addColumn('locked_until', TIME_TYPE).execute();
  await db.schema.createIndex('user_username_global_uq').on('user').column('username_key').unique().execute();
}
