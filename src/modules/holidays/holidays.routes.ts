import { toBool, toId } from '../../domain/batch-checks.ts';
import { type BatchRecord, batchOperation } from '../../domain/batch.ts';
import { batchWrite, deleteById, resourceRoutes } from '../../http/lockt/routes.ts';
import type { ResourceModule } from '../module.ts';
import { presentHoliday } from './holidays.presenter.ts';
import * as repo from './holidays.repository.ts';
import { HolidayCreate, HolidayDelete, HolidayObject, HolidayUpdate } from './holidays.schema.ts';
import * as service from './holidays.service.ts';

const tags = ['holiday'];

/** The fields create and update share. */
function parseFields(record: BatchRecord<typeof HolidayCreate>): service.HolidayFields {
  return { name: record.name, startDate: record.start_date, endDate: record.end_date, yearly: toBool(record.yearly) };
}

const create = batchOperation({
  node: 'holidays',
  record: HolidayCreate,
  parse: parseFields,
  check: service.checkNewHolidays,
  write: service.insertHolidays,
});

const update = batchOperation({
  node: 'holidays',
  record: HolidayUpdate,
  parse: (record): service.HolidayChange => ({ id: toId(record.id), ...parseFields(record) }),
  check: service.checkHolidayChanges,
  write: service.updateHolidays,
});

const remove = deleteById('holidays', HolidayDelete, service.checkHolidayDeletions, service.deleteHolidays);

/** `/holiday` (extension): the site's calendar of dated exceptions (docs/door-modes.md). */
export const holidaysModule: ResourceModule = {
  name: 'holidays',
  objectTypes: { holiday: HolidayObject, holiday_create: HolidayCreate, holiday_update: HolidayUpdate },
  register(app, context) {
    resourceRoutes(app, context, {
      url: '/api/v1/holiday',
      tags,
      list: { summary: 'Extension: list the site’s holidays.', object: HolidayObject, list: repo.listHolidays, present: presentHoliday },
      writes: [
        batchWrite('POST', 'Extension: create holidays.', create),
        batchWrite('PUT', 'Extension: update holidays; only the properties supplied change.', update),
        batchWrite('DELETE', 'Extension: delete holidays.', remove),
      ],
    });
  },
};
