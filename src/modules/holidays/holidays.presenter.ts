import { fromFlag } from '../../db/conventions.ts';
import type { HolidayRow } from './holidays.repository.ts';

/** A holiday on the wire. */
export function presentHoliday(row: HolidayRow) {
  return { id: row.id, name: row.name, start_date: row.start_date, end_date: row.end_date, yearly: fromFlag(row.yearly) };
}
