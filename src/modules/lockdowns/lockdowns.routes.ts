import { toId } from '../../domain/batch-checks.ts';
import { batchOperation } from '../../domain/batch.ts';
import { batchCallRoute, batchWrite, deleteById, resourceRoutes } from '../../http/lockt/routes.ts';
import { apiKeyModeChange } from '../door-modes/mode-change.routes.ts';
import type { ResourceModule } from '../module.ts';
import { presentLockdown } from './lockdowns.presenter.ts';
import * as repo from './lockdowns.repository.ts';
import { LockdownAction, LockdownCreate, LockdownDelete, LockdownObject } from './lockdowns.schema.ts';
import * as service from './lockdowns.service.ts';

const tags = ['lockdown'];

/** Ids of a list, those that are not ids left out (the schema has reported them). */
const ids = (values: unknown[] | undefined) => values?.flatMap((v) => toId(v) ?? []);

export const createLockdowns = batchOperation({
  node: 'lockdowns',
  record: LockdownCreate,
  parse: (record): service.NewLockdown => ({
    name: record.name,
    mode: record.mode,
    priority: record.priority,
    locationId: toId(record.location_id),
    doorIds: ids(record.door_ids),
    responders: ids(record.responders),
    autoRevertSeconds: record.auto_revert_seconds,
  }),
  check: service.checkNewLockdowns,
  write: service.insertLockdowns,
});

export const removeLockdowns = deleteById('lockdowns', LockdownDelete, service.checkLockdownDeletions, service.deleteLockdowns);

const reference = (record: { id?: unknown; name?: string | undefined }): service.PlanReference => ({ id: toId(record.id), name: record.name });

export const startLockdowns = batchOperation({
  node: 'lockdowns',
  record: LockdownAction,
  summary: 'process',
  parse: reference,
  check: service.checkStarts,
  write: service.startLockdowns,
});

export const clearLockdowns = batchOperation({
  node: 'lockdowns',
  record: LockdownAction,
  summary: 'process',
  parse: reference,
  check: service.checkClears,
  write: service.clearLockdowns,
});

/** `/lockdown` (extension): lockdown and egress plans, started and cleared (docs/door-modes.md). */
export const lockdownsModule: ResourceModule = {
  name: 'lockdowns',
  objectTypes: { lockdown: LockdownObject, lockdown_create: LockdownCreate },
  register(app, context) {
    resourceRoutes(app, context, {
      url: '/api/v1/lockdown',
      tags,
      list: {
        summary: 'Extension: list the site’s lockdown plans and whether each is started.',
        object: LockdownObject,
        list: repo.listLockdowns,
        present: presentLockdown,
      },
      writes: [
        batchWrite('POST', 'Extension: create lockdown plans.', createLockdowns),
        batchWrite('DELETE', 'Extension: delete lockdown plans that are not started.', removeLockdowns),
      ],
    });
    const modeChange = apiKeyModeChange(context);
    const start = 'Extension: start lockdown plans (by id or name); every door they cover takes their mode at once.';
    batchCallRoute(app, { method: 'POST', url: '/api/v1/lockdown/start', tags, summary: start, operation: startLockdowns, context }, modeChange);
    const clear = 'Extension: clear started lockdown plans; their doors fall back to the next plan, their override or their schedule.';
    batchCallRoute(app, { method: 'POST', url: '/api/v1/lockdown/clear', tags, summary: clear, operation: clearLockdowns, context }, modeChange);
  },
};
