import { type Expression, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import { toFlag } from '../../db/conventions.ts';
import { dialectOf } from '../../db/dialect.ts';
import { settledLogIds } from '../../db/log-ids.ts';
import type { Queryable } from '../../db/queryable.ts';
import type { Columns, Database } from '../../db/schema.ts';

/** An event as the console shows it: with the ids its row links to. */
export type ConsoleEventRow = Columns<
  'event',
  'id' | 'code' | 'subcode' | 'category' | 'door_id' | 'door_name' | 'device_id' | 'device_name' | 'user_id' | 'user_name' | 'card_num' | 'hw_time'
>;

/** The site's settled events (src/db/log-ids.ts), so a feed that goes on from an id misses none. */
function consoleEvents(db: Queryable, siteId: number) {
  const settled = settledLogIds(db);
  const query = db
    .selectFrom('event')
    .select(['id', 'code', 'subcode', 'category', 'door_id', 'door_name', 'device_id', 'device_name', 'user_id', 'user_name', 'card_num', 'hw_time'])
    .where('site_id', '=', siteId);
  return settled ? query.where('id', '<', settled) : query;
}

export function newestEvents(db: Queryable, siteId: number, limit: number): Promise<ConsoleEventRow[]> {
  return consoleEvents(db, siteId).orderBy('id', 'desc').limit(limit).execute();
}

export function eventsAfter(db: Queryable, siteId: number, afterId: number, limit: number): Promise<ConsoleEventRow[]> {
  return consoleEvents(db, siteId).where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

/** A person's newest events (event_user_idx). */
export function personEvents(db: Queryable, siteId: number, userId: number, limit: number): Promise<ConsoleEventRow[]> {
  return consoleEvents(db, siteId).where('user_id', '=', userId).orderBy('id', 'desc').limit(limit).execute();
}

/** Decisions (granted and denied) per hour since `since`, counted by the store from event_category_time_idx alone. */
export async function decisionsPerHour(
  db: Queryable,
  siteId: number,
  since: number,
  categories: readonly number[],
): Promise<{ hour: number; category: number; count: number }[]> {
  const hour = sql<number>`(hw_time / 3600000)`;
  const rows = await db
    .selectFrom('event')
    .select([hour.as('hour'), 'category', (eb) => eb.fn.countAll<number>().as('count')])
    .where('site_id', '=', siteId)
    .where('hw_time', '>=', since)
    .where('category', 'in', categories)
    .groupBy([hour, 'category'])
    .execute();
  return rows.map((r) => ({ hour: Number(r.hour), category: r.category, count: Number(r.count) }));
}

export type DoorWithStateRow = Columns<'door', 'id' | 'name' | 'enabled' | 'location_id'> & {
  location_name: string | null;
  online: number | null;
  door_open: number | null;
  locked: number | null;
  reported_at: number | null;
};

/** The site's doors by location (or the one door asked for), with what each one's device last reported. */
export function doorsWithState(db: Queryable, siteId: number, limit: number, doorId?: number): Promise<DoorWithStateRow[]> {
  let query = db
    .selectFrom('door')
    .leftJoin('location', (join) => join.onRef('location.id', '=', 'door.location_id').onRef('location.site_id', '=', 'door.site_id'))
    .leftJoin('door_state', (join) => join.onRef('door_state.door_id', '=', 'door.id').onRef('door_state.site_id', '=', 'door.site_id'))
    .select([
      'door.id',
      'door.name',
      'door.enabled',
      'door.location_id',
      'location.name as location_name',
      'door_state.online',
      'door_state.door_open',
      'door_state.locked',
      'door_state.reported_at',
    ])
    .where('door.site_id', '=', siteId);
  if (doorId !== undefined) query = query.where('door.id', '=', doorId);
  return query.orderBy('location.name').orderBy('door.name').limit(limit).execute();
}

/** Each door's newest alarm of these codes (of this category) since `since`, by kind (event_category_time_idx). */
export async function doorAlarmsSince(
  db: Queryable,
  siteId: number,
  since: number,
  alarm: { category: number; codes: readonly number[] },
): Promise<{ door_id: number; code: number; at: number }[]> {
  const rows = await db
    .selectFrom('event')
    .select(['door_id', 'code', (eb) => eb.fn.max('hw_time').as('at')])
    .where('site_id', '=', siteId)
    .where('category', '=', alarm.category)
    .where('hw_time', '>=', since)
    .where('code', 'in', alarm.codes)
    .where('door_id', 'is not', null)
    .groupBy(['door_id', 'code'])
    .execute();
  return rows.flatMap((r) => (r.door_id === null ? [] : [{ door_id: r.door_id, code: r.code, at: Number(r.at) }]));
}

/** A door's newest events (event_door_idx). */
export function doorEvents(db: Queryable, siteId: number, doorId: number, limit: number): Promise<ConsoleEventRow[]> {
  return consoleEvents(db, siteId).where('door_id', '=', doorId).orderBy('id', 'desc').limit(limit).execute();
}

/** What the events screen filters by; every field optional. */
export interface EventFilter {
  from?: number;
  to?: number;
  doorId?: number;
  personId?: number;
  categories?: readonly number[];
  subcode?: number;
}

function filteredEvents(db: Queryable, siteId: number, filter: EventFilter) {
  let query = consoleEvents(db, siteId);
  if (filter.from !== undefined) query = query.where('hw_time', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('hw_time', '<', filter.to);
  if (filter.doorId !== undefined) query = query.where('door_id', '=', filter.doorId);
  if (filter.personId !== undefined) query = query.where('user_id', '=', filter.personId);
  if (filter.categories !== undefined) query = query.where('category', 'in', filter.categories);
  if (filter.subcode !== undefined) query = query.where('subcode', '=', filter.subcode);
  return query;
}

/** The events the filter keeps, newest first, older than `beforeId` (none: from the newest). */
export function filteredEventsBefore(db: Queryable, siteId: number, filter: EventFilter, beforeId: number | undefined, limit: number) {
  const query = filteredEvents(db, siteId, filter);
  return (beforeId === undefined ? query : query.where('id', '<', beforeId)).orderBy('id', 'desc').limit(limit).execute();
}

/** The events the filter keeps, oldest first, after `afterId` (an export's chunks). */
export function filteredEventsAfter(db: Queryable, siteId: number, filter: EventFilter, afterId: number, limit: number) {
  return filteredEvents(db, siteId, filter).where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

export type PersonCredentialRow = Columns<
  'credential',
  'id' | 'user_id' | 'name' | 'card_num' | 'is_fob' | 'identifier_type' | 'credential_key' | 'panel_access'
>;

/** The credentials these people hold, in id order. */
export function credentialsOf(db: Queryable, siteId: number, userIds: readonly number[]): Promise<PersonCredentialRow[]> {
  if (userIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('credential')
    .select(['id', 'user_id', 'name', 'card_num', 'is_fob', 'identifier_type', 'credential_key', 'panel_access'])
    .where('site_id', '=', siteId)
    .where('user_id', 'in', userIds)
    .orderBy('id')
    .execute();
}

export type PersonRow = Columns<'user', 'id' | 'first_name' | 'last_name' | 'email' | 'id_num' | 'enabled'>;

/** What a search looks for: every word a prefix, of a name, an email or a card number. */
export interface PeopleSearch {
  words: string[];
}

const PERSON_COLUMNS = ['user.id', 'user.first_name', 'user.last_name', 'user.email', 'user.id_num', 'user.enabled'] as const;

type UserQuery = SelectQueryBuilder<Database, 'user', PersonRow>;

/**
 * `expression` starts with `prefix`, as a range of the index on it (migration 0740): PostgreSQL compares
 * in bytes ("C") there, as the index does, since in a language's collation a prefix is not a range.
 */
function startsWith(db: Queryable, expression: string, prefix: string): Expression<SqlBool> {
  const bytes = dialectOf(db) === 'postgres' ? sql` collate "C"` : sql``;
  const value = sql`(${sql.raw(expression)})${bytes}`;
  // U+FFFF sorts after every character of the Basic Multilingual Plane, in UTF-8 bytes as in SQLite's order.
  return sql<SqlBool>`${value} >= ${prefix} and ${value} < ${`${prefix}\uffff`}`;
}

/**
 * The site's cardholders a search finds, in id order after `afterId`: one query per way of matching, each
 * a range of an index, so that a search of 100,000 people reads only what it finds. One word matches the
 * start of a first name, a last name, an email or a card number; two or more, a first name then a last name
 * (or the other way round).
 */
export async function searchPeople(db: Queryable, siteId: number, search: PeopleSearch, afterId: number, limit: number): Promise<PersonRow[]> {
  // Matching, SQLite would rather walk user_role_idx in id order (the whole site, for a rare prefix) than
  // range the index the match names: a unary + keeps the role test off that index. PostgreSQL plans by
  // its statistics and needs no such hint.
  const role = dialectOf(db) === 'sqlite' ? sql<string>`+${sql.ref('user.role')}` : sql<string>`${sql.ref('user.role')}`;
  const list = (): UserQuery =>
    db.selectFrom('user').select(PERSON_COLUMNS).where('user.site_id', '=', siteId).where('user.id', '>', afterId).orderBy('user.id').limit(limit);
  const base = (): UserQuery => list().where(role, '=', 'cardholder');
  const words = search.words.map((w) => w.toLowerCase());
  const [first, ...rest] = words;
  if (first === undefined) return list().where('user.role', '=', 'cardholder').execute();
  const queries: UserQuery[] = [];
  if (rest.length === 0) {
    queries.push(
      base().where(startsWith(db, 'lower(first_name)', first)),
      base().where(startsWith(db, 'lower(last_name)', first)),
      base().where(startsWith(db, 'email_key', first)),
    );
    if (/^[0-9]+$/.test(first)) {
      queries.push(
        base().where('user.id', 'in', (eb) =>
          eb
            .selectFrom('credential')
            .select('credential.user_id')
            .where('credential.site_id', '=', siteId)
            .where(startsWith(db, 'card_num', first)),
        ),
      );
    }
  } else {
    const tail = rest.join(' ');
    queries.push(
      base()
        .where(startsWith(db, 'lower(first_name)', first))
        .where(startsWith(db, 'lower(last_name)', tail)),
      base()
        .where(startsWith(db, 'lower(last_name)', first))
        .where(startsWith(db, 'lower(first_name)', tail)),
    );
  }
  const found = new Map<number, PersonRow>();
  for (const rows of await Promise.all(queries.map((q) => q.execute()))) for (const row of rows) found.set(row.id, row);
  return [...found.values()].sort((a, b) => a.id - b.id).slice(0, limit);
}

/** A cardholder the engine is asked about: whether they have a PIN (never the PIN, nor its hash). */
export type HolderRow = PersonRow & { has_pin: boolean };

function holders(db: Queryable, siteId: number) {
  return db
    .selectFrom('user')
    .select([...PERSON_COLUMNS, (eb) => eb('user.pin_hash', 'is not', null).as('has_pin')])
    .where('user.site_id', '=', siteId)
    .where('user.role', '=', 'cardholder');
}

/** A PostgreSQL boolean, or SQLite's 0 or 1. */
const holderRow = ({ has_pin, ...row }: PersonRow & { has_pin: unknown }): HolderRow => ({ ...row, has_pin: has_pin === true || has_pin === 1 });

/** One cardholder of the site. */
export async function findHolder(db: Queryable, siteId: number, id: number): Promise<HolderRow | undefined> {
  const row = await holders(db, siteId).where('user.id', '=', id).executeTakeFirst();
  return row && holderRow(row);
}

/**
 * The site's cardholders holding an access level (or a delegation) that names the door, or a panel
 * identifier (one made on the panel face, which opens a panel's locks by itself) whose `lock` is one of
 * `panelLocks` (the `first`/`second`/`all` that name the door's lock numbers), in id order after `afterId`:
 * those the engine is asked about for "who can open this door".
 */
export async function doorHolders(
  db: Queryable,
  siteId: number,
  doorId: number,
  panelLocks: readonly string[],
  afterId: number,
  limit: number,
): Promise<HolderRow[]> {
  const rows = await holders(db, siteId)
    .where('user.id', '>', afterId)
    .where((eb) =>
      eb.or([
        eb(
          'user.id',
          'in',
          eb
            .selectFrom('user_access_level as ual')
            .innerJoin('access_level_door as ald', 'ald.access_level_id', 'ual.access_level_id')
            .select('ual.user_id')
            .where('ald.site_id', '=', siteId)
            .where('ald.door_id', '=', doorId),
        ),
        ...(panelLocks.length === 0
          ? []
          : [
              eb(
                'user.id',
                'in',
                eb
                  .selectFrom('credential')
                  .select('credential.user_id')
                  .where('credential.site_id', '=', siteId)
                  .where('credential.panel_access', '=', toFlag(true))
                  .where('credential.lock', 'in', panelLocks),
              ),
            ]),
      ]),
    )
    .orderBy('user.id')
    .limit(limit)
    .execute();
  return rows.map(holderRow);
}

/** The devices (not revoked) that drive the door, with its lock number on each. */
export function doorLocks(db: Queryable, siteId: number, doorId: number): Promise<{ device_id: number; lock_number: number }[]> {
  return db
    .selectFrom('device_door')
    .innerJoin('device', (join) => join.onRef('device.id', '=', 'device_door.device_id').onRef('device.site_id', '=', 'device_door.site_id'))
    .select(['device_door.device_id', 'device_door.lock_number'])
    .where('device_door.site_id', '=', siteId)
    .where('device_door.door_id', '=', doorId)
    .where('device.revoked_at', 'is', null)
    .orderBy('device_door.device_id')
    .execute();
}
