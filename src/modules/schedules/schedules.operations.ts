import { toBool, toId } from '../../domain/batch-checks.ts';
import { type BatchRecord, batchOperation } from '../../domain/batch.ts';
import { deleteById } from '../../http/lockt/routes.ts';
import { DAY_COLUMNS } from './schedules.repository.ts';
import { ScheduleCreate, ScheduleDelete, ScheduleUpdate } from './schedules.schema.ts';
import * as service from './schedules.service.ts';

/** The schedule writes, shared by the Lockt routes (POST, PUT and DELETE /schedule) and the operator console. */

/** The fields create and update share, from a record whose failing fields have been removed. */
function parseFields(record: BatchRecord<typeof ScheduleCreate>): service.ScheduleFields {
  return {
    name: record.name,
    days: DAY_COLUMNS.map((column) => toBool(record[column])),
    start: record.start,
    stop: record.stop,
    observesHolidays: toBool(record.observes_holidays),
  };
}

export const createSchedules = batchOperation({
  node: 'schedules',
  record: ScheduleCreate,
  parse: parseFields,
  check: service.checkNewSchedules,
  write: service.insertSchedules,
});

export const changeSchedules = batchOperation({
  node: 'schedules',
  record: ScheduleUpdate,
  parse: (record): service.ScheduleChange => ({ id: toId(record.id), ...parseFields(record) }),
  check: service.checkScheduleChanges,
  write: service.updateSchedules,
});

export const removeSchedules = deleteById('schedules', ScheduleDelete, service.checkScheduleDeletions, service.deleteSchedules);
