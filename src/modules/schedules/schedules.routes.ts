import { batchWrite, resourceRoutes } from '../../http/lockt/routes.ts';
import type { ResourceModule } from '../module.ts';
import { changeSchedules, createSchedules, removeSchedules } from './schedules.operations.ts';
import { presentSchedule } from './schedules.presenter.ts';
import * as repo from './schedules.repository.ts';
import { ScheduleCreate, ScheduleObject, ScheduleUpdate } from './schedules.schema.ts';

const tags = ['schedule'];

/** `/schedule`: GET as the spec has it; POST, PUT and DELETE as extensions. */
export const schedulesModule: ResourceModule = {
  name: 'schedules',
  objectTypes: { schedule: ScheduleObject, schedule_create: ScheduleCreate, schedule_update: ScheduleUpdate },
  register(app, context) {
    resourceRoutes(app, context, {
      url: '/api/v1/schedule',
      tags,
      list: { summary: 'List all schedules.', object: ScheduleObject, list: repo.listSchedules, present: presentSchedule },
      writes: [
        batchWrite('POST', 'Extension: create schedules.', createSchedules),
        batchWrite('PUT', 'Extension: update schedules; only the properties supplied change.', changeSchedules),
        batchWrite('DELETE', 'Extension: delete schedules no access level uses.', removeSchedules),
      ],
    });
  },
};
