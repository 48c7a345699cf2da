import { toBool, toId } from '../../domain/batch-checks.ts';
import { type BatchRecord, batchOperation } from '../../domain/batch.ts';
import { batchWrite, batchWrites, deleteById, pagedListRoute } from '../../http/lockt/routes.ts';
import type { ResourceModule } from '../module.ts';
import { presentSchedule } from './schedules.presenter.ts';
import * as repo from './schedules.repository.ts';
import { ScheduleCreate, ScheduleDelete, ScheduleObject, ScheduleUpdate } from './schedules.schema.ts';
import * as service from './schedules.service.ts';

const tags = ['schedule'];

/** The fields create and update share, from a record whose failing fields have been removed. */
function parseFields(record: BatchRecord<typeof ScheduleCreate>): service.ScheduleFields {
  return {
    name: record.name,
    days: repo.DAY_COLUMNS.map((column) => toBool(record[column])),
    start: record.start,
    stop: record.stop,
    observesHolidays: toBool(record.observes_holidays),
  };
}

const create = batchOperation({
  node: 'schedules',
  record: ScheduleCreate,
  parse: parseFields,
  check: service.checkNewSchedules,
  write: service.insertSchedules,
});

const update = batchOperation({
  node: 'schedules',
  record: ScheduleUpdate,
  parse: (record): service.ScheduleChange => ({ id: toId(record.id), ...parseFields(record) }),
  check: service.checkScheduleChanges,
  write: service.updateSchedules,
});

const remove = deleteById('schedules', ScheduleDelete, service.checkScheduleDeletions, service.deleteSchedules);

/** `/schedule`: GET as the spec has it; POST, PUT and DELETE as extensions. */
export const schedulesModule: ResourceModule = {
  name: 'schedules',
  objectTypes: { schedule: ScheduleObject, schedule_create: ScheduleCreate, schedule_update: ScheduleUpdate },
  register(app, context) {
    pagedListRoute(app, {
      url: '/api/v1/schedule',
      tags,
      summary: 'List all schedules.',
      object: ScheduleObject,
      list: repo.listSchedules,
      present: presentSchedule,
      context,
    });

    batchWrites(app, { url: '/api/v1/schedule', tags, context }, [
      batchWrite('POST', 'Extension: create schedules.', create),
      batchWrite('PUT', 'Extension: update schedules; only the properties supplied change.', update),
      batchWrite('DELETE', 'Extension: delete schedules no access level uses.', remove),
    ]);
  },
};
