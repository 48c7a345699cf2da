import { toBool, toId } from '../../domain/batch-checks.ts';
import type { BatchOperation, SiteCall } from '../../domain/batch.ts';
import { batchWriteRoute, deleteById, pagedListRoute } from '../../http/lockt/routes.ts';
import type { LocktModule } from '../module.ts';
import { presentSchedule } from './schedules.presenter.ts';
import * as repo from './schedules.repository.ts';
import { ScheduleCreate, ScheduleDelete, ScheduleObject, ScheduleUpdate } from './schedules.schema.ts';
import * as service from './schedules.service.ts';

const tags = ['schedule'];

type Operation<Input, Plan> = BatchOperation<Input, Plan, SiteCall>;

/** The fields create and update share, from a record whose failing fields have been removed. */
function parseFields(record: Record<string, unknown>): service.ScheduleFields {
  return {
    name: record.name as string | undefined,
    days: repo.DAY_COLUMNS.map((column) => toBool(record[column])),
    start: record.start as string | undefined,
    stop: record.stop as string | undefined,
  };
}

const create: Operation<service.ScheduleFields, service.ScheduleInsertPlan> = {
  node: 'schedules',
  record: ScheduleCreate,
  options: ['validate_fails_batch'],
  summary: 'write',
  parse: parseFields,
  check: (trx, inputs, _options, context) => service.checkNewSchedules(trx, inputs, context),
  write: (trx, plans, _options, context) => service.insertSchedules(trx, plans, context),
};

const update: Operation<service.ScheduleChange, service.ScheduleUpdatePlan> = {
  node: 'schedules',
  record: ScheduleUpdate,
  options: ['validate_fails_batch'],
  summary: 'write',
  parse: (record) => ({ id: toId(record.id), ...parseFields(record) }),
  check: (trx, inputs, _options, context) => service.checkScheduleChanges(trx, inputs, context),
  write: (trx, plans, _options, context) => service.updateSchedules(trx, plans, context),
};

const remove = deleteById('schedules', ScheduleDelete, service.checkScheduleDeletions, service.deleteSchedules);

/** `/schedule`: GET as the spec has it; POST, PUT and DELETE as extensions. */
export const schedulesModule: LocktModule = {
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

    batchWriteRoute(app, {
      method: 'POST',
      url: '/api/v1/schedule',
      tags,
      summary: 'Extension: create schedules.',
      operation: create,
      context,
    });

    batchWriteRoute(app, {
      method: 'PUT',
      url: '/api/v1/schedule',
      tags,
      summary: 'Extension: update schedules; only the properties supplied change.',
      operation: update,
      context,
    });

    batchWriteRoute(app, {
      method: 'DELETE',
      url: '/api/v1/schedule',
      tags,
      summary: 'Extension: delete schedules no access level uses.',
      operation: remove,
      context,
    });
  },
};
