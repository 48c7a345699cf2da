import type { Queryable } from '../../db/queryable.ts';
import { fromFlag, toFlag } from '../../db/conventions.ts';
import type { MaintenanceWindowRow } from '../../db/schema.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { parseWireTime } from '../../lib/site-time.ts';
import type { Site } from '../../domain/site.ts';
import * as repo from './maintenance.repository.ts';

/** A planned outage or notice that `/maintenance` announces to API clients. */
export interface MaintenanceWindow {
  id: number;
  title: string;
  notice: string;
  /** True when the window only informs: the API stays fully available. */
  notificationOnly: boolean;
  startAt: number;
  endAt: number;
}

export interface NewMaintenanceWindowInput {
  title: string;
  notice: string;
  notificationOnly: boolean;
  /** Wire times, read in the site's zone. */
  start: string;
  end: string;
}

function fromRow(row: MaintenanceWindowRow): MaintenanceWindow {
  return {
    id: row.id,
    title: row.title,
    notice: row.notice,
    notificationOnly: fromFlag(row.notification_only),
    startAt: row.start_at,
    endAt: row.end_at,
  };
}

function requiredTime(label: string, value: string, zone: string): number {
  const parsed = parseWireTime(value, zone);
  if (!parsed.ok || parsed.value === null) {
    throw ERRORS.badRequest(`Invalid ${label} date: ${value} (expected YYYY-MM-DD HH:MM:SS or ISO 8601 with an offset)`);
  }
  return parsed.value;
}

export async function addMaintenanceWindow(db: Queryable, site: Site, input: NewMaintenanceWindowInput, clock: Clock): Promise<MaintenanceWindow> {
  const title = input.title.trim();
  if (title === '') throw ERRORS.badRequest('Maintenance title must not be blank.');
  const startAt = requiredTime('start', input.start, site.timezone);
  const endAt = requiredTime('end', input.end, site.timezone);
  if (endAt <= startAt) throw ERRORS.badRequest(`Maintenance end ${input.end} must be after its start ${input.start}.`);
  const row = await repo.insertMaintenanceWindow(db, {
    site_id: site.id,
    title,
    notice: input.notice,
    notification_only: toFlag(input.notificationOnly),
    start_at: startAt,
    end_at: endAt,
    created_at: clock.now(),
  });
  return fromRow(row);
}

/** Windows that are running now or still to come. */
export async function listMaintenanceWindows(db: Queryable, siteId: number, clock: Clock): Promise<MaintenanceWindow[]> {
  return (await repo.listOpenMaintenanceWindows(db, siteId, clock.now())).map(fromRow);
}

export async function removeMaintenanceWindow(db: Queryable, siteId: number, id: number): Promise<void> {
  if (!(await repo.deleteMaintenanceWindow(db, siteId, id))) {
    throw ERRORS.notFound(`No maintenance window ${id} in site ${siteId}.`);
  }
}
