import { toBool, toId } from '../../domain/batch-checks.ts';
import { batchOperation } from '../../domain/batch.ts';
import { batchCall, resourceRoutes } from '../../http/lockt/routes.ts';
import { apiKeyModeChange } from '../door-modes/mode-change.routes.ts';
import type { ResourceModule } from '../module.ts';
import { presentOverride } from './door-overrides.presenter.ts';
import * as repo from './door-overrides.repository.ts';
import { DoorOverrideClear, DoorOverrideObject, DoorOverrideSet } from './door-overrides.schema.ts';
import * as service from './door-overrides.service.ts';

const tags = ['dooroverride'];

/** An operation over door overrides answers how many doors it processed. */
export const setOverrides = batchOperation({
  node: 'dooroverrides',
  record: DoorOverrideSet,
  summary: 'process',
  parse: (record): service.OverrideInput => ({
    doorId: toId(record.door_id),
    locationId: toId(record.location_id),
    mode: record.mode,
    until: record.until,
    untilNextChange: toBool(record.until_next_change),
  }),
  check: service.checkOverrides,
  write: service.setOverrides,
});

export const returnToSchedule = batchOperation({
  node: 'dooroverrides',
  record: DoorOverrideClear,
  summary: 'process',
  parse: (record): service.OverrideTarget => ({ doorId: toId(record.door_id), locationId: toId(record.location_id) }),
  check: service.checkReturns,
  write: service.returnToSchedule,
});

/** `/dooroverride` (extension): operators' timed overrides of doors' modes (docs/door-modes.md). */
export const doorOverridesModule: ResourceModule = {
  name: 'door-overrides',
  objectTypes: { dooroverride: DoorOverrideObject, dooroverride_create: DoorOverrideSet },
  register(app, context) {
    const modeChange = apiKeyModeChange(context);
    resourceRoutes(app, context, {
      url: '/api/v1/dooroverride',
      tags,
      list: {
        summary: 'Extension: list the doors whose mode is overridden.',
        object: DoorOverrideObject,
        list: repo.listOverrides,
        present: presentOverride,
      },
      writes: [
        batchCall(
          'POST',
          'Extension: put doors (or a location’s doors) into a mode until a time, the next schedule change, or their return to schedule.',
          setOverrides,
          modeChange,
        ),
        batchCall('DELETE', 'Extension: return doors (or a location’s doors) to their schedules.', returnToSchedule, modeChange),
      ],
    });
  },
};
