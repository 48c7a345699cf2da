import { toBool, toId } from '../../domain/batch-checks.ts';
import { batchOperation } from '../../domain/batch.ts';
import { batchWrite, deleteById, resourceRoutes } from '../../http/lockt/routes.ts';
import type { ResourceModule } from '../module.ts';
import { presentDoorSchedule } from './door-schedules.presenter.ts';
import * as repo from './door-schedules.repository.ts';
import { DoorScheduleCreate, DoorScheduleDelete, DoorScheduleObject, DoorScheduleUpdate } from './door-schedules.schema.ts';
import * as service from './door-schedules.service.ts';

const tags = ['doorschedule'];

const create = batchOperation({
  node: 'doorschedules',
  record: DoorScheduleCreate,
  parse: (record): service.NewDoorSchedule => ({
    doorId: toId(record.door_id),
    scheduleId: toId(record.schedule_id),
    mode: record.mode,
    firstPersonIn: toBool(record.first_person_in),
  }),
  check: service.checkNewDoorSchedules,
  write: service.insertDoorSchedules,
});

const update = batchOperation({
  node: 'doorschedules',
  record: DoorScheduleUpdate,
  parse: (record): service.DoorScheduleChange => ({ id: toId(record.id), mode: record.mode, firstPersonIn: toBool(record.first_person_in) }),
  check: service.checkDoorScheduleChanges,
  write: service.updateDoorSchedules,
});

const remove = deleteById('doorschedules', DoorScheduleDelete, service.checkDoorScheduleDeletions, service.deleteDoorSchedules);

/** `/doorschedule` (extension): doors' unlock schedules, the mode each holds while a schedule is active (docs/door-modes.md). */
export const doorSchedulesModule: ResourceModule = {
  name: 'door-schedules',
  objectTypes: { doorschedule: DoorScheduleObject, doorschedule_create: DoorScheduleCreate, doorschedule_update: DoorScheduleUpdate },
  register(app, context) {
    resourceRoutes(app, context, {
      url: '/api/v1/doorschedule',
      tags,
      list: {
        summary: 'Extension: list the doors’ unlock schedules.',
        object: DoorScheduleObject,
        list: repo.listDoorSchedules,
        present: presentDoorSchedule,
      },
      writes: [
        batchWrite('POST', 'Extension: give doors unlock schedules.', create),
        batchWrite('PUT', 'Extension: change the mode or first person in of door unlock schedules.', update),
        batchWrite('DELETE', 'Extension: delete door unlock schedules.', remove),
      ],
    });
  },
};
