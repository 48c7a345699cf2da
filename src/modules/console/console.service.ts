import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import { EVENT_CATEGORIES } from '../../event-log/catalogue.ts';
import type { Clock } from '../../lib/clock.ts';
import { listAccessLevels } from '../access-levels/access-levels.repository.ts';
import type { Site } from '../../domain/site.ts';
import { type UserView, userViews } from '../users/users.service.ts';
import * as repo from './console.repository.ts';
import { type ConsoleDevice, siteDevices } from './console-devices.service.ts';
import { type DoorOverview, doorList } from './console-doors.service.ts';
import { type ConsoleEvent, RECENT_EVENTS, consoleEvent } from './console-events.service.ts';

/** People a search page holds. */
export const PEOPLE_PAGE = 25;
const HOUR_MS = 60 * 60 * 1000;
const CHART_HOURS = 24;

export interface Dashboard {
  doors: DoorOverview[];
  devices: ConsoleDevice[];
  events: ConsoleEvent[];
  /** Decisions per hour, oldest hour first, the last one the hour running now. */
  decisions: { hour: number; granted: number; denied: number }[];
}

export async function dashboard(db: Queryable, site: Site, clock: Clock): Promise<Dashboard> {
  const now = clock.now();
  const currentHour = Math.floor(now / HOUR_MS);
  const firstHour = currentHour - (CHART_HOURS - 1);
  const [doors, devices, events, counts] = await Promise.all([
    doorList(db, site, clock),
    siteDevices(db, site, clock),
    repo.newestEvents(db, site.id, RECENT_EVENTS),
    repo.decisionsPerHour(db, site.id, firstHour * HOUR_MS, [EVENT_CATEGORIES.ACCESS_GRANTED, EVENT_CATEGORIES.ACCESS_DENIED]),
  ]);
  const decisions = Array.from({ length: CHART_HOURS }, (_, i) => ({ hour: (firstHour + i) * HOUR_MS, granted: 0, denied: 0 }));
  for (const { hour, category, count } of counts) {
    const bucket = decisions[hour - firstHour];
    if (!bucket) continue;
    if (category === EVENT_CATEGORIES.ACCESS_GRANTED) bucket.granted += count;
    else bucket.denied += count;
  }
  return {
    doors,
    devices,
    events: events.map(consoleEvent),
    decisions,
  };
}

/** The words of a search box: at most four, so a pasted paragraph is not a hundred queries. */
export function searchWords(text: string | undefined): string[] {
  return (text ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 4);
}

export function searchPeople(db: Queryable, site: Site, text: string | undefined, afterId: number): Promise<repo.PersonRow[]> {
  return repo.searchPeople(db, site.id, { words: searchWords(text) }, afterId, PEOPLE_PAGE);
}

export interface PersonPage {
  view: UserView;
  events: ConsoleEvent[];
}

export async function personPage(db: Queryable, site: Site, id: number): Promise<PersonPage> {
  const [view] = await userViews(db, site.id, { roles: ['cardholder'], id }, 0, 1);
  if (!view) throw ERRORS.notFound(`No person with id ${id}.`);
  const events = await repo.personEvents(db, site.id, id, RECENT_EVENTS);
  return { view, events: events.map(consoleEvent) };
}

/** The access levels an operator can give, by name: the rows alone (their doors, 10,000 on the large site, are not shown). */
export async function accessLevelChoices(db: Queryable, site: Site): Promise<{ id: number; name: string }[]> {
  const levels = await listAccessLevels(db, site.id, 0, 1000);
  return levels.map((l) => ({ id: l.id, name: l.name })).sort((a, b) => a.name.localeCompare(b.name));
}
