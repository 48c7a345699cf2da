import type { ReasonCode } from '../../access/decide.ts';
import { mapChunks, keysetChunks } from '../../db/keyset.ts';
import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { Site } from '../../domain/site.ts';
import { CODE_TEXT, DECISION_SUBCODE, EVENT_CATEGORIES, SUBCODE_TEXT } from '../../event-log/catalogue.ts';
import { formatSiteTime, parseWireTime } from '../../lib/site-time.ts';
import { type AuditRow, auditNames, listAuditBefore } from '../audit/audit.repository.ts';
import * as repo from './console.repository.ts';

/** Events the dashboard's feed starts with, and a person's or a door's page shows. */
export const RECENT_EVENTS = 50;
/** Events, or audit records, a page of the events or audit screen holds. */
export const LOG_PAGE = 100;

export interface ConsoleEvent {
  id: number;
  at: number;
  code: number;
  text: string;
  reason: string;
  outcome: 'granted' | 'denied' | 'other';
  person: { id: number; name: string } | null;
  door: { id: number; name: string } | null;
  device: { id: number; name: string } | null;
  card_num: string;
}

export function consoleEvent(row: repo.ConsoleEventRow): ConsoleEvent {
  const outcome = row.category === EVENT_CATEGORIES.ACCESS_GRANTED ? 'granted' : row.category === EVENT_CATEGORIES.ACCESS_DENIED ? 'denied' : 'other';
  const ref = (id: number | null, name: string) => (id === null ? null : { id, name });
  return {
    id: row.id,
    at: row.hw_time,
    code: row.code,
    text: CODE_TEXT[row.code] ?? `Event ${row.code}`,
    reason: row.subcode === null ? '' : (SUBCODE_TEXT[row.subcode] ?? ''),
    outcome,
    person: ref(row.user_id, row.user_name),
    door: ref(row.door_id, row.door_name),
    device: ref(row.device_id, row.device_name),
    card_num: row.card_num,
  };
}

/** The feed's reader for the shared event stream: the console's shape, as JSON. */
export async function consoleEventsAfter(db: Queryable, siteId: number, afterId: number, limit: number): Promise<{ id: number; json: string }[]> {
  const rows = await repo.eventsAfter(db, siteId, afterId, limit);
  return rows.map((row) => ({ id: row.id, json: JSON.stringify(consoleEvent(row)) }));
}

/** The reasons a decision can be denied for, as the events screen offers them (the catalogue's words). */
export function denialReasons(): { subcode: number; text: string }[] {
  const reasons = Object.entries(DECISION_SUBCODE).filter(([reason]) => reason !== ('granted' satisfies ReasonCode));
  return reasons.map(([, subcode]) => ({ subcode, text: SUBCODE_TEXT[subcode] ?? String(subcode) })).sort((a, b) => a.subcode - b.subcode);
}

/** The events screen's filter as the form sends it: times in the site's zone, outcome, reason by subcode. */
export interface EventQuery {
  from?: string | undefined;
  to?: string | undefined;
  door_id?: number | undefined;
  person_id?: number | undefined;
  outcome?: 'granted' | 'denied' | undefined;
  reason?: number | undefined;
}

function readTime(field: 'from' | 'to', value: string | undefined, site: Site): number | undefined {
  const parsed = parseWireTime(value, site.timezone);
  if (!parsed.ok) throw ERRORS.badRequest(`Invalid ${field} date found: ${value}`);
  return parsed.value ?? undefined;
}

export function eventFilter(query: EventQuery, site: Site): repo.EventFilter {
  const { outcome, reason } = query;
  if (reason !== undefined && !denialReasons().some((r) => r.subcode === reason)) throw ERRORS.badRequest(`Invalid reason found: ${reason}`);
  const category = outcome === undefined ? undefined : outcome === 'granted' ? EVENT_CATEGORIES.ACCESS_GRANTED : EVENT_CATEGORIES.ACCESS_DENIED;
  return {
    from: readTime('from', query.from, site),
    to: readTime('to', query.to, site),
    doorId: query.door_id,
    personId: query.person_id,
    categories: category === undefined ? undefined : [category],
    subcode: query.reason,
  };
}

/** A page of the events the filter keeps, newest first, and the id the next (older) page starts before. */
export async function eventPage(
  db: Queryable,
  site: Site,
  query: EventQuery,
  beforeId: number | undefined,
): Promise<{ events: ConsoleEvent[]; next: number | null }> {
  const rows = await repo.filteredEventsBefore(db, site.id, eventFilter(query, site), beforeId, LOG_PAGE);
  return { events: rows.map(consoleEvent), next: rows.length < LOG_PAGE ? null : (rows.at(-1)?.id ?? null) };
}

/** The columns of an events export, in order. */
export const EVENT_CSV_COLUMNS = [
  'id',
  'time',
  'event',
  'outcome',
  'reason',
  'person',
  'person_id',
  'door',
  'door_id',
  'device',
  'card_num',
] as const;

function csvRow(row: repo.ConsoleEventRow, zone: string): Record<(typeof EVENT_CSV_COLUMNS)[number], string> {
  const event = consoleEvent(row);
  return {
    id: String(event.id),
    time: formatSiteTime(event.at, zone),
    event: event.text,
    outcome: event.outcome,
    reason: event.reason,
    person: event.person?.name ?? '',
    person_id: event.person === null ? '' : String(event.person.id),
    door: event.door?.name ?? '',
    door_id: event.door === null ? '' : String(event.door.id),
    device: event.device?.name ?? '',
    card_num: event.card_num,
  };
}

/** Every event the filter keeps, oldest first, a chunk at a time, as rows of the export (times in the site's zone). */
export function eventExportChunks(db: Queryable, site: Site, query: EventQuery): AsyncGenerator<Record<string, string>[]> {
  const filter = eventFilter(query, site);
  const chunks = keysetChunks((after, limit) => repo.filteredEventsAfter(db, site.id, filter, after, limit));
  return mapChunks(chunks, (row) => csvRow(row, site.timezone));
}

/** The audit screen's filter as the form sends it: an actor and a resource as the log names them, times in the site's zone. */
export interface AuditQuery {
  actor?: string | undefined;
  resource?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** A page of the audit log the filter keeps, newest first: who changed what. */
export async function auditPage(
  db: Queryable,
  site: Site,
  query: AuditQuery,
  beforeId: number | undefined,
): Promise<{ records: AuditRow[]; next: number | null }> {
  const filter = { actor: query.actor, resource: query.resource, from: readTime('from', query.from, site), to: readTime('to', query.to, site) };
  const records = await listAuditBefore(db, site.id, beforeId, LOG_PAGE, filter);
  return { records, next: records.length < LOG_PAGE ? null : (records.at(-1)?.id ?? null) };
}

/** Who and what the audit log names, for the filters' choices. */
export function auditChoices(db: Queryable, site: Site) {
  return auditNames(db, site.id);
}
