import { type RawBuilder, sql } from 'kysely';
import type { Dialect } from '../../db/dialect.ts';
import { CATEGORY_TEXT, CODE_TEXT, SUBCODE_TEXT } from '../../event-log/catalogue.ts';

/**
 * An event as `/events` shows it, serialised to JSON by the store itself. A 5,000-event page built in
 * JavaScript (a row object, a presented object and their strings per event) spent more time allocating
 * and collecting garbage than reading; the store's own JSON functions leave one string per event
 * (docs/performance.md). The spec's definition calls the device time `event_time` and its examples
 * `hw_time`: both are given, with the same value.
 *
 * Times come out as `formatIsoUtc` writes them for every instant of years 1 to 9999 (what a device event
 * may carry; decisions carry the server's clock); src/modules/events/event-json.int.test.ts holds the two
 * to the same output, byte for byte, on both stores.
 */
export function locktEventJson(dialect: Dialect): RawBuilder<string> {
  return EVENT_JSON[dialect];
}

function buildEventJson(dialect: Dialect): RawBuilder<string> {
  const fields = locktEventFields(dialect);
  if (dialect === 'sqlite') {
    return sql<string>`json_object(${sql.join(fields.map(([key, value]) => sql`${sql.lit(key)}, ${value}`))})`;
  }
  // row_to_json writes no spaces and keeps the columns' order (json_build_object adds spaces); as text,
  // so that pg hands over the string instead of parsing it.
  return sql<string>`(select row_to_json(e)::text from (select ${sql.join(fields.map(([key, value]) => sql`${value} as ${sql.id(key)}`))}) as e)`;
}

/** Built once per dialect: the expression is the same for every query, only the rows differ. */
const EVENT_JSON: Record<Dialect, RawBuilder<string>> = { sqlite: buildEventJson('sqlite'), postgres: buildEventJson('postgres') };

function locktEventFields(dialect: Dialect): [string, RawBuilder<unknown>][] {
  const column = (name: string) => sql`${sql.ref(`event.${name}`)}`;
  const hwTime = isoUtc(dialect, 'hw_time');
  return [
    ['id', column('id')],
    ['device', column('device_name')],
    ['code', column('code')],
    ['code_text', catalogueText('code', CODE_TEXT)],
    ['subcode', column('subcode')],
    ['subcode_text', catalogueText('subcode', SUBCODE_TEXT)],
    ['schedule', column('schedule_name')],
    ['controller', column('controller')],
    ['location', column('location_name')],
    ['door', column('door_name')],
    ['card_num', column('card_num')],
    ['user', column('user_name')],
    ['category', column('category')],
    ['category_text', catalogueText('category', CATEGORY_TEXT)],
    ['detail', column('detail')],
    ['hw_time', hwTime],
    ['event_time', hwTime],
    ['db_time', isoUtc(dialect, 'db_time')],
  ];
}

/** The catalogue's text for a code, '' for one it does not know (or a null subcode). */
function catalogueText(name: string, texts: Record<number, string>): RawBuilder<string> {
  const cases = Object.entries(texts).map(([code, text]) => sql`when ${sql.lit(Number(code))} then ${sql.lit(text)}`);
  return sql<string>`case ${sql.ref(`event.${name}`)} ${sql.join(cases, sql` `)} else '' end`;
}

/** Epoch milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`. */
function isoUtc(dialect: Dialect, name: string): RawBuilder<string> {
  const ms = sql.ref(`event.${name}`);
  if (dialect === 'sqlite') {
    // SQLite rounds 'unixepoch' seconds to the nearest millisecond, so the division's float is exact enough.
    return sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', ${ms} / 1000.0, 'unixepoch')`;
  }
  // Whole seconds and the remaining milliseconds separately: interval arithmetic on the whole count in
  // milliseconds would pass through a double and lose microseconds near year 9999.
  return sql<string>`to_char(timestamp '1970-01-01' + (${ms} / 1000) * interval '1 second' + (${ms} % 1000) * interval '1 millisecond', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}
