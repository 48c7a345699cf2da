import { Type } from 'typebox';
import { nameKey } from '../../domain/names.ts';
import { runBatch } from '../../http/batch.ts';
import { operatorOf } from '../../http/plugins/operator-auth.ts';
import { returnToSchedule, setOverrides } from '../door-overrides/door-overrides.routes.ts';
import { runModeChange } from '../door-modes/mode-change.routes.ts';
import { presentLockdown } from '../lockdowns/lockdowns.presenter.ts';
import { listLockdowns, nameKeyOwners } from '../lockdowns/lockdowns.repository.ts';
import { clearLockdowns, createLockdowns, removeLockdowns, startLockdowns } from '../lockdowns/lockdowns.routes.ts';
import type { AppContext, TypedApp } from '../module.ts';
import type { OperatorPrincipal } from '../operator-sessions/operator-sessions.service.ts';
import { operatorRequest } from '../panels/panels.service.ts';
import { locationChoices } from './console-door-admin.service.ts';
import { IdParams, batchCallerOf, idOf } from './console-params.ts';

const tags = ['console'];
const hide = true;
const operate = { auth: 'console', capability: 'lockdown.operate' } as const;
const manage = { auth: 'console', capability: 'lockdown.manage' } as const;
const override = { auth: 'console', capability: 'doors.override' } as const;

/** Plans the screen lists; a site with more manages them through `/lockdown`. */
const PLAN_LIMIT = 500;

/**
 * The form's fields, passed on as they are: the Lockt record's schema and checks judge them, so their
 * messages (`Invalid door_ids: …`, `Lockdown Plan Name Already Exists: …`) are the console's.
 */
const PlanCreate = Type.Object(
  {
    name: Type.String({ maxLength: 255 }),
    mode: Type.Optional(Type.String()),
    priority: Type.Optional(Type.Integer()),
    location_id: Type.Optional(Type.Integer()),
    door_ids: Type.Optional(Type.Array(Type.Integer(), { maxItems: 2000 })),
    responders: Type.Optional(Type.Array(Type.Integer(), { maxItems: 1000 })),
    auto_revert_seconds: Type.Optional(Type.Integer()),
  },
  { required: ['name'], additionalProperties: false },
);
const OverrideSet = Type.Object(
  { mode: Type.String(), until: Type.Optional(Type.String()), until_next_change: Type.Optional(Type.Boolean()) },
  { required: ['mode'], additionalProperties: false },
);

/** A mode change from the console: one record, audited and named as the operator's (`operator bob (manager)`). */
function modeChange(operator: OperatorPrincipal, clock: AppContext['clock']) {
  const caller = { maxBatchSize: 1, site: operator.site, actor: operator.actor };
  return { caller, by: operatorRequest(operator), now: clock.now() };
}

/**
 * Lockdown plans listed, started and cleared (`lockdown.operate`), created and deleted (`lockdown.manage`),
 * and a door's override set and returned (`doors.override`), each through the Lockt face's operation
 * (`/lockdown`, `/lockdown/start|clear`, `/dooroverride`), so their rules, messages, events, audit and mode
 * commands are theirs (docs/console.md).
 */
export function doorModeRoutes(app: TypedApp, { db, clock }: AppContext): void {
  app.get('/console/api/lockdowns', { config: operate, schema: { tags, hide } }, async (request) => {
    const { site } = operatorOf(request);
    const [plans, locations] = await Promise.all([listLockdowns(db, site.id, 0, PLAN_LIMIT), locationChoices(db, site)]);
    return { lockdowns: plans.map((plan) => presentLockdown(plan, site)), locations };
  });

  app.post('/console/api/lockdowns', { config: manage, schema: { tags, hide, body: PlanCreate } }, async (request) => {
    const operator = operatorOf(request);
    const { caller, call } = batchCallerOf(operator, clock);
    await runBatch(db, createLockdowns, { lockdowns: [request.body] }, caller, call);
    const key = nameKey(request.body.name);
    return { id: (await nameKeyOwners(db, operator.site.id, [key])).get(key) };
  });

  app.delete('/console/api/lockdowns/:id', { config: manage, schema: { tags, hide, params: IdParams } }, async (request) => {
    const { caller, call } = batchCallerOf(operatorOf(request), clock);
    await runBatch(db, removeLockdowns, { lockdowns: [{ id: idOf(request.params.id, 'lockdown plan') }] }, caller, call);
    return {};
  });

  for (const [action, operation] of [
    ['start', startLockdowns],
    ['clear', clearLockdowns],
  ] as const) {
    app.post(`/console/api/lockdowns/:id/${action}`, { config: operate, schema: { tags, hide, params: IdParams } }, async (request) => {
      const { caller, by, now } = modeChange(operatorOf(request), clock);
      const body = { lockdowns: [{ id: idOf(request.params.id, 'lockdown plan') }] };
      // A plan already started (or cleared) is submitted, not processed: the screen says so.
      const { data } = await runModeChange(db, operation, body, caller, by, now);
      return { changed: (data.processed ?? 0) > 0 };
    });
  }

  app.post('/console/api/doors/:id/override', { config: override, schema: { tags, hide, params: IdParams, body: OverrideSet } }, async (request) => {
    const { caller, by, now } = modeChange(operatorOf(request), clock);
    const body = { dooroverrides: [{ door_id: idOf(request.params.id, 'door'), ...request.body }] };
    await runModeChange(db, setOverrides, body, caller, by, now);
    return {};
  });

  app.delete('/console/api/doors/:id/override', { config: override, schema: { tags, hide, params: IdParams } }, async (request) => {
    const { caller, by, now } = modeChange(operatorOf(request), clock);
    await runModeChange(db, returnToSchedule, { dooroverrides: [{ door_id: idOf(request.params.id, 'door') }] }, caller, by, now);
    return {};
  });
}
