import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Insertable, sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from '../src/db/migrate.ts';
import { type Dialect, type Store, openStore } from '../src/db/open.ts';
import type { Database } from '../src/db/schema.ts';
import { nameKey } from '../src/domain/names.ts';
import { EVENT_CATEGORIES, EVENT_CODES } from '../src/event-log/catalogue.ts';
import { type NewEvent, appendEvents } from '../src/event-log/event-log.ts';
import { systemClock } from '../src/lib/clock.ts';
import { createDevice } from '../src/modules/devices/devices.service.ts';
import { createSite } from '../src/modules/sites/sites.service.ts';

/**
 * A benchmark site written straight into the store with Kysely, in big transactions (the API would take
 * minutes for 100,000 users and is measured separately). The shape is fixed but for the number of users:
 * credentials are 1.2 per user, doors, levels and schedules do not grow with the site, so a figure that
 * changes between a 1,000- and a 100,000-user site shows a cost that grows with the site.
 */

export interface SiteShape {
  users: number;
  /** Credentials beyond one per user, as a share of users (0.2: 120,000 credentials for 100,000 users). */
  extraCredentialShare: number;
  doors: number;
  accessLevels: number;
  schedules: number;
  /** Doors each access level opens. */
  doorsPerLevel: number;
  /** Events written before the server starts, for the `/events?id=` pages. */
  events: number;
  /** Doors the benchmark's device drives; decisions are asked at every door of the site. */
  deviceDoors: number;
}

export function siteShape(users: number, events: number): SiteShape {
  return {
    users,
    extraCredentialShare: 0.2,
    doors: 2_000,
    accessLevels: 500,
    schedules: 50,
    doorsPerLevel: 20,
    events,
    deviceDoors: 50,
  };
}

/** Where a store lives for one run: a fresh directory (the certificate too), and for PostgreSQL a fresh database (`DATABASE_URL` names the server). */
export interface Location {
  dataDir: string;
  databaseUrl?: string | undefined;
  remove(): Promise<void>;
}

export async function freshLocation(dialect: Dialect, tag: string, keep = false): Promise<Location> {
  const dataDir = mkdtempSync(join(tmpdir(), `portcullis-bench-${tag}-`));
  const removeDir = () => {
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  };
  if (dialect === 'sqlite') return { dataDir, remove: async () => removeDir() };
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('PostgreSQL needs DATABASE_URL');
  const name = `portcullis_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    dataDir,
    databaseUrl: url.toString(),
    async remove() {
      removeDir();
      if (keep) return;
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** What the load needs to know about the seeded site: who to authenticate as, and which ids exist. */
export interface SeededSite {
  siteId: number;
  apiuser: string;
  apikey: string;
  deviceKey: string;
  /** Every seeded card number (one per credential). */
  cardNums: string[];
  /** The doors the holder of each card (by index in `cardNums`) has an access level for, on some schedule. */
  cardDoors: number[][];
  userIds: { first: number; last: number };
  doorIds: { first: number; last: number };
  counts: { users: number; credentials: number; doors: number; accessLevels: number; schedules: number; events: number };
  seconds: number;
}

const CHUNK = 1_000;
const CREATED_AT = Date.UTC(2026, 0, 1);
const FIRST_NAMES = ['Rhea', 'Tomas', 'Ines', 'Kofi', 'Mei', 'Arjun', 'Zofia', 'Lena', 'Omar', 'Priya', 'Hugo', 'Ada'];
const LAST_NAMES = ['Greswell', 'Okafor', 'Lindqvist', 'Tanaka', 'Moreau', 'Kowalski', 'Haddad', 'Silva', 'Novak', 'Byrne'];

/** Deterministic pseudo-random numbers, so every run seeds the same site. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The card number of the i-th seeded credential: ten digits, as the site's default length allows. */
export function cardNumOf(index: number): string {
  return String(1_000_000_000 + index);
}

/** A unique credential key in the `XXXX-XXXX-XXXX-XXXX` shape, from the credential's index. */
function credentialKeyOf(index: number): string {
  const digits = index.toString(36).toUpperCase().padStart(12, '0');
  return `BNCH-${digits.slice(0, 4)}-${digits.slice(4, 8)}-${digits.slice(8, 12)}`;
}

async function insertChunked<T extends keyof Database & string>(db: Store['db'], table: T, rows: Insertable<Database[T]>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    // Kysely's insert typing is per table; the rows were built for this table.
    await db
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK) as never)
      .execute();
  }
}

/**
 * Opens (and migrates) the store the server will serve, and seeds one site of `shape` into it.
 * `extraSql` (`--seed-sql`) runs last: a way to try an index or a setting before changing a migration.
 */
export async function seedSite(
  location: { dataDir: string; databaseUrl?: string | undefined },
  shape: SiteShape,
  extraSql?: string | undefined,
): Promise<SeededSite> {
  const started = performance.now();
  const store = openStore({ dataDir: location.dataDir, databaseUrl: location.databaseUrl });
  try {
    await migrateToLatest(store.db);
    const { site, apiuser, apikey } = await createSite(store.db, { name: `Bench ${shape.users}`, timezone: 'UTC' }, systemClock);
    const rand = random(shape.users);
    const pick = (n: number) => Math.floor(rand() * n);
    const siteId = site.id;

    const ids = await store.db.transaction().execute(async (trx) => {
      const type = await trx
        .insertInto('location_type')
        .values({ site_id: siteId, name: 'Building', name_key: nameKey('Building'), created_at: CREATED_AT })
        .returning('id')
        .executeTakeFirstOrThrow();
      const locations = await trx
        .insertInto('location')
        .values(
          Array.from({ length: 20 }, (_, i) => ({
            site_id: siteId,
            name: `Building ${i + 1}`,
            name_key: nameKey(`Building ${i + 1}`),
            location_type_id: type.id,
            created_at: CREATED_AT,
          })),
        )
        .returning('id')
        .execute();
      await insertChunked(
        trx,
        'door',
        Array.from({ length: shape.doors }, (_, i) => ({
          site_id: siteId,
          name: `Door ${i + 1}`,
          name_key: nameKey(`Door ${i + 1}`),
          location_id: (locations[i % locations.length] as { id: number }).id,
          created_at: CREATED_AT,
        })),
      );
      // Half the schedules are open all day every day, the rest weekday working hours: a decision may
      // be granted, or denied by the time of day.
      await insertChunked(
        trx,
        'schedule',
        Array.from({ length: shape.schedules }, (_, i) => {
          const allDay = i % 2 === 0;
          const weekend = allDay ? 1 : 0;
          return {
            site_id: siteId,
            name: `Schedule ${i + 1}`,
            name_key: nameKey(`Schedule ${i + 1}`),
            d0: 1,
            d1: 1,
            d2: 1,
            d3: 1,
            d4: 1,
            d5: weekend,
            d6: weekend,
            start_time: allDay ? '00:00:00' : '08:00:00',
            stop_time: allDay ? '23:59:59' : '18:00:00',
            created_at: CREATED_AT,
          };
        }),
      );
      await insertChunked(
        trx,
        'access_level',
        Array.from({ length: shape.accessLevels }, (_, i) => ({
          site_id: siteId,
          name: `Level ${i + 1}`,
          name_key: nameKey(`Level ${i + 1}`),
          created_at: CREATED_AT,
        })),
      );
      const first = async (table: 'door' | 'schedule' | 'access_level') =>
        (await trx.selectFrom(table).select('id').where('site_id', '=', siteId).orderBy('id').limit(1).executeTakeFirstOrThrow()).id;
      return { door: await first('door'), schedule: await first('schedule'), level: await first('access_level') };
    });

    const doorsOfLevel: number[][] = [];
    await store.db.transaction().execute(async (trx) => {
      const levelDoors: Insertable<Database['access_level_door']>[] = [];
      for (let level = 0; level < shape.accessLevels; level++) {
        const doors = new Set<number>();
        while (doors.size < Math.min(shape.doorsPerLevel, shape.doors)) doors.add(ids.door + pick(shape.doors));
        doorsOfLevel.push([...doors]);
        for (const door of doors) {
          levelDoors.push({ site_id: siteId, access_level_id: ids.level + level, door_id: door, schedule_id: ids.schedule + pick(shape.schedules) });
        }
      }
      await insertChunked(trx, 'access_level_door', levelDoors);
    });
    const cardDoors: number[][] = [];

    // Users, their levels and their cards, a chunk of users per transaction.
    let credentialIndex = 0;
    let firstUserId = 0;
    let lastUserId = 0;
    const USERS_PER_TRANSACTION = 20_000;
    for (let from = 0; from < shape.users; from += USERS_PER_TRANSACTION) {
      const count = Math.min(USERS_PER_TRANSACTION, shape.users - from);
      await store.db.transaction().execute(async (trx) => {
        const users = Array.from({ length: count }, (_, k) => {
          const i = from + k;
          const email = `user${i}@bench.example`;
          return {
            site_id: siteId,
            id_num: `B${i}`,
            first_name: FIRST_NAMES[i % FIRST_NAMES.length] as string,
            last_name: LAST_NAMES[i % LAST_NAMES.length] as string,
            email,
            email_key: email,
            phone: String(8_180_000_000 + i),
            created_at: CREATED_AT,
            updated_at: CREATED_AT,
          };
        });
        const userIds: number[] = [];
        for (let i = 0; i < users.length; i += CHUNK) {
          const rows = await trx
            .insertInto('user')
            .values(users.slice(i, i + CHUNK))
            .returning('id')
            .execute();
          userIds.push(...rows.map((r) => r.id));
        }
        if (firstUserId === 0) firstUserId = userIds[0] as number;
        lastUserId = userIds[userIds.length - 1] as number;

        const grants: Insertable<Database['user_access_level']>[] = [];
        const credentials: Insertable<Database['credential']>[] = [];
        for (const userId of userIds) {
          const levels = new Set<number>();
          const wanted = 1 + pick(3);
          while (levels.size < wanted) levels.add(pick(shape.accessLevels));
          for (const level of levels) grants.push({ site_id: siteId, user_id: userId, access_level_id: ids.level + level });
          const doors = [...levels].flatMap((level) => doorsOfLevel[level] ?? []);
          const cards = rand() < shape.extraCredentialShare ? 2 : 1;
          for (let c = 0; c < cards; c++) {
            cardDoors.push(doors);
            credentials.push({
              site_id: siteId,
              user_id: userId,
              name: `Card ${credentialIndex + 1}`,
              card_num: cardNumOf(credentialIndex),
              // Credential keys are unique across sites: each site seeded into one store numbers its own.
              credential_key: credentialKeyOf(siteId * 10_000_000 + credentialIndex),
              created_at: CREATED_AT,
            });
            credentialIndex++;
          }
        }
        await insertChunked(trx, 'user_access_level', grants);
        await insertChunked(trx, 'credential', credentials);
      });
    }

    const device = await createDevice(
      store.db,
      site,
      { name: 'Bench controller', doorIds: Array.from({ length: Math.min(shape.deviceDoors, shape.doors) }, (_, i) => ids.door + i) },
      systemClock,
    );

    // Events as decisions write them (names copied in), oldest first.
    const EVENTS_PER_TRANSACTION = 20_000;
    const now = Date.now();
    for (let from = 0; from < shape.events; from += EVENTS_PER_TRANSACTION) {
      const count = Math.min(EVENTS_PER_TRANSACTION, shape.events - from);
      await store.db.transaction().execute(async (trx) => {
        const events = Array.from({ length: count }, (_, k): NewEvent => {
          const i = from + k;
          const granted = i % 3 !== 0;
          const door = pick(shape.doors);
          const card = pick(Math.max(credentialIndex, 1));
          const at = now - (shape.events - i) * 1_000;
          return {
            siteId,
            code: granted ? EVENT_CODES.ACCESS_GRANTED : EVENT_CODES.ACCESS_DENIED,
            subcode: granted ? 0 : 3,
            category: granted ? EVENT_CATEGORIES.ACCESS_GRANTED : EVENT_CATEGORIES.ACCESS_DENIED,
            deviceId: device.device.id,
            deviceName: device.device.name,
            controller: 'Portcullis',
            doorId: ids.door + door,
            doorName: `Door ${door + 1}`,
            locationName: `Building ${(door % 20) + 1}`,
            scheduleName: granted ? `Schedule ${(door % shape.schedules) + 1}` : '',
            cardNum: cardNumOf(card),
            userName: `${LAST_NAMES[card % LAST_NAMES.length]}, ${FIRST_NAMES[card % FIRST_NAMES.length]}`,
            detail: granted ? `Granted by Level ${(door % shape.accessLevels) + 1} on its schedule.` : 'No access level opens this door.',
            hwTime: at,
            dbTime: at,
          };
        });
        // Through appendEvents, which numbers them as the server does (src/db/log-ids.ts), a chunk a statement.
        for (let i = 0; i < events.length; i += CHUNK) await appendEvents(trx, events.slice(i, i + CHUNK));
      });
    }

    // A live PostgreSQL store has statistics (autovacuum analyzes a table within a minute of big changes);
    // without them the planner scans the whole site for the import's uniqueness checks. SQLite gets no
    // ANALYZE: Portcullis never runs one, so a real SQLite store has no statistics either.
    if (extraSql) await sql.raw(extraSql).execute(store.db);
    if (store.dialect === 'postgres') await sql`analyze`.execute(store.db);

    return {
      siteId,
      apiuser,
      apikey,
      deviceKey: device.deviceKey,
      cardNums: Array.from({ length: credentialIndex }, (_, i) => cardNumOf(i)),
      cardDoors,
      userIds: { first: firstUserId, last: lastUserId },
      doorIds: { first: ids.door, last: ids.door + shape.doors - 1 },
      counts: {
        users: shape.users,
        credentials: credentialIndex,
        doors: shape.doors,
        accessLevels: shape.accessLevels,
        schedules: shape.schedules,
        events: shape.events,
      },
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await store.close();
  }
}

/** Events of the site in the store now: how the benchmark checks that every answered decision was recorded. */
export async function countEvents(location: { dataDir: string; databaseUrl?: string | undefined }, siteId: number): Promise<number> {
  const store = openStore({ dataDir: location.dataDir, databaseUrl: location.databaseUrl });
  try {
    const row = await store.db
      .selectFrom('event')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('site_id', '=', siteId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  } finally {
    await store.close();
  }
}

/**
 * For a one-process measurement: seeds a site of `shape` in a fresh location of each store named in
 * `stores` (`sqlite,postgres`), runs `work` on it, and removes it.
 */
export async function onSeededStores(
  stores: string,
  tag: string,
  shape: SiteShape,
  work: (db: Store['db'], site: SeededSite, dialect: Dialect) => Promise<void>,
): Promise<void> {
  for (const dialect of stores.split(',')) {
    if (dialect !== 'sqlite' && dialect !== 'postgres') throw new Error(`Unknown store: ${dialect}`);
    const location = await freshLocation(dialect, `${tag}-${dialect}`);
    try {
      const site = await seedSite(location, shape);
      const store = openStore({ dataDir: location.dataDir, databaseUrl: location.databaseUrl });
      try {
        await work(store.db, site, dialect);
      } finally {
        await store.close();
      }
    } finally {
      await location.remove();
    }
  }
}
