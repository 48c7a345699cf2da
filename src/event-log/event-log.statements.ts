import { type HotStatement, type Param, hotStatement } from '../db/prepared.ts';
import { dialectOf } from '../db/dialect.ts';
import { logIdAt } from '../db/log-ids.ts';
import type { EventTable, NewRow } from '../db/schema.ts';

/** The statement of a decision's event (src/db/prepared.ts says why it is compiled once). */

/** An event's columns but its id (src/event-log/event-log.ts fills them). */
export type EventRow = Required<NewRow<'event', Exclude<keyof EventTable, 'id'>>>;

/** What one insert of events takes: its rows, and on PostgreSQL the place of the first in its transaction (src/db/log-ids.ts). */
export interface EventInsert {
  rows: readonly EventRow[];
  first: number;
}

/**
 * The most rows one statement inserts: a shared commit of more is inserted in several, so that at most
 * this many statement shapes exist (each is compiled once, and kept by every PostgreSQL connection).
 */
export const MOST_EVENTS_PER_STATEMENT = 64;

function rowOf(values: EventInsert, index: number): EventRow {
  const row = values.rows[index];
  if (!row) throw new Error(`An insert of ${values.rows.length} events was run as one of more`);
  return row;
}

function eventInsertOf(count: number): HotStatement<EventInsert, { id: number }> {
  return hotStatement((db, param: Param<EventInsert>) => {
    const numbered = dialectOf(db) === 'postgres';
    return db
      .insertInto('event')
      .values(
        Array.from({ length: count }, (_, index) => {
          const slot = <Column extends keyof EventRow>(column: Column) => param((v) => rowOf(v, index)[column]);
          const row = {
            site_id: slot('site_id'),
            code: slot('code'),
            subcode: slot('subcode'),
            category: slot('category'),
            device_id: slot('device_id'),
            device_name: slot('device_name'),
            controller: slot('controller'),
            door_id: slot('door_id'),
            door_name: slot('door_name'),
            location_name: slot('location_name'),
            schedule_name: slot('schedule_name'),
            credential_id: slot('credential_id'),
            card_num: slot('card_num'),
            user_id: slot('user_id'),
            user_name: slot('user_name'),
            detail: slot('detail'),
            hw_time: slot('hw_time'),
            db_time: slot('db_time'),
          };
          return numbered ? { ...row, id: logIdAt(param((v) => v.first + index)) } : row;
        }),
      )
      .returning('id');
  });
}

const eventInserts = Array.from({ length: MOST_EVENTS_PER_STATEMENT }, (_, index) => eventInsertOf(index + 1));

/** The insert of `count` events (1 to MOST_EVENTS_PER_STATEMENT), returning their ids in order. */
export function eventInsert(count: number): HotStatement<EventInsert, { id: number }> {
  const statement = eventInserts[count - 1];
  if (!statement) throw new Error(`One statement inserts 1 to ${MOST_EVENTS_PER_STATEMENT} events, not ${count}`);
  return statement;
}
