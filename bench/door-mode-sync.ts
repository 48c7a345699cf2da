import { parseArgs } from 'node:util';
import type { Dialect } from '../src/db/open.ts';
import type { Queryable } from '../src/db/queryable.ts';
import { syncDoorModes } from '../src/modules/door-modes/mode-changes.service.ts';
import { getSite } from '../src/modules/sites/sites.service.ts';
import { median } from './load.ts';
import { type SeededSite, onSeededStores, siteShape } from './seed.ts';

/**
 * `npx tsx bench/door-mode-sync.ts [--stores sqlite,postgres] [--rounds 20] [--toggles 10]`: what one look
 * of the door-mode sync (docs/door-modes.md) costs on the 2,000-door site, every door driven by a device
 * and unlocked by a weekday 08:00-18:00 schedule: a look that finds nothing to send (before any command,
 * and after `--toggles` days of schedule edges have queued 2 × toggles × 2,000 mode commands, of which replaced
 * ones are pruned as they are replaced), and a look
 * that sends all 2,000 doors their mode (the window opening). PostgreSQL needs DATABASE_URL.
 */
const { values: flags } = parseArgs({
  options: {
    stores: { type: 'string', default: process.env.DATABASE_URL ? 'sqlite,postgres' : 'sqlite' },
    rounds: { type: 'string', default: '20' },
    toggles: { type: 'string', default: '10' },
  },
});
const ROUNDS = Number(flags.rounds);
const TOGGLES = Number(flags.toggles);
const DAY = 86_400_000;
/** Monday 2026-12-07, 07:00 and 09:00 UTC: before and inside the unlock window. */
const CLOSED = Date.UTC(2026, 11, 7, 7);
const OPEN = Date.UTC(2026, 11, 7, 9);

/** Wall and this process's CPU time (which on SQLite includes the store's work) of one piece of work. */
async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; cpuMs: number; value: T }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const value = await work();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, value };
}

/** Median wall and CPU milliseconds of ROUNDS looks, each of which must find nothing to send. */
async function idleLooks(look: () => Promise<number>): Promise<string> {
  const times: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const { ms, cpuMs, value } = await timed(look);
    if (value !== 0) throw new Error(`An idle look sent ${value} doors`);
    times.push(ms);
    cpu.push(cpuMs);
  }
  return `${median(times).toFixed(1)} ms (CPU ${median(cpu).toFixed(1)} ms)`;
}

const SHAPE = { ...siteShape(1_000, 0), deviceDoors: 2_000 };

async function measure(db: Queryable, seeded: SeededSite, dialect: Dialect): Promise<void> {
  const site = await getSite(db, seeded.siteId);
  const hours = await db
    .selectFrom('schedule')
    .select('id')
    .where('site_id', '=', site.id)
    .where('name', '=', 'Schedule 2')
    .executeTakeFirstOrThrow();
  const doors = Array.from({ length: SHAPE.doors }, (_, i) => seeded.doorIds.first + i);
  for (let i = 0; i < doors.length; i += 500) {
    await db
      .insertInto('door_mode_schedule')
      .values(
        doors
          .slice(i, i + 500)
          .map((door_id) => ({ site_id: site.id, door_id, schedule_id: hours.id, mode: 'unlocked', first_person_in: 0, created_at: CLOSED })),
      )
      .execute();
  }
  const idleEmpty = await idleLooks(() => syncDoorModes(db, site, CLOSED));
  const opening = await timed(() => syncDoorModes(db, site, OPEN));
  if (opening.value !== SHAPE.doors) throw new Error(`The opening look sent ${opening.value} doors`);
  // Days of opening and closing, so the latest-command read has a history to look through.
  for (let day = 1; day <= TOGGLES; day++) {
    await syncDoorModes(db, site, CLOSED + day * DAY);
    await syncDoorModes(db, site, OPEN + day * DAY);
  }
  const commands = await db
    .selectFrom('door_command')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('site_id', '=', site.id)
    .executeTakeFirstOrThrow();
  const idleHistory = await idleLooks(() => syncDoorModes(db, site, OPEN + TOGGLES * DAY));
  console.log(
    `${dialect}: ${SHAPE.doors} doors driven; idle look ${idleEmpty} (no commands yet, doors access controlled), ` +
      `${idleHistory} (doors unlocked, ${Number(commands.n)} commands left by ${2 * TOGGLES + 1} looks sending all doors); ` +
      `look sending all ${SHAPE.doors} doors ${opening.ms.toFixed(0)} ms (CPU ${opening.cpuMs.toFixed(0)} ms)`,
  );
}

await onSeededStores(flags.stores ?? '', 'mode-sync', SHAPE, measure);
