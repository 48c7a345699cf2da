import { type Static, Type } from 'typebox';
import { runBatch } from '../../http/batch.ts';
import { operatorOf } from '../../http/plugins/operator-auth.ts';
import { IdInput } from '../../http/schemas.ts';
import { changeDoors, createDoors, removeDoors } from '../doors/doors.routes.ts';
import type { AppContext, TypedApp } from '../module.ts';
import { callOffEmergency, doorIdNamed, locationChoices } from './console-door-admin.service.ts';

const config = { auth: 'console', capability: 'doors.manage' } as const;
const tags = ['console'];
const hide = true;

const DoorFields = {
  name: Type.String({ maxLength: 255 }),
  /** Null: no location. */
  location_id: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
};
const DoorCreate = Type.Object(DoorFields, { required: ['name'], additionalProperties: false });
const DoorChange = Type.Partial(Type.Object(DoorFields, { additionalProperties: false }));
const IdParams = Type.Object({ id: IdInput('id', 'The door.') }, { required: ['id'] });
const EmergencyClose = Type.Object(
  { lock_number: Type.Integer({ minimum: 0, maximum: 255, description: 'The lock whose emergency opening ends; 0 for every lock.' }) },
  { required: ['lock_number'], additionalProperties: false },
);

/** The form's fields as a Lockt door record (POST and PUT /door), so every rule and message is the door write's. */
function doorRecord(body: Partial<Static<typeof DoorCreate>>): Record<string, unknown> {
  return {
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.location_id !== undefined ? { location: body.location_id } : {}),
  };
}

/**
 * Doors created, renamed, placed and removed by installers and admins (`doors.manage`) through the Lockt
 * door writes, and an admin's call-off of an emergency opening (docs/console.md).
 */
export function doorAdminRoutes(app: TypedApp, { db, clock }: AppContext): void {
  const caller = (request: Parameters<typeof operatorOf>[0]) => {
    const operator = operatorOf(request);
    return { by: { maxBatchSize: 1, site: operator.site, actor: operator.actor }, call: { site: operator.site, clock } };
  };

  app.get('/console/api/locations', { config, schema: { tags, hide } }, async (request) => ({
    locations: await locationChoices(db, operatorOf(request).site),
  }));

  app.post('/console/api/doors', { config, schema: { tags, hide, body: DoorCreate } }, async (request) => {
    const { by, call } = caller(request);
    await runBatch(db, createDoors, { doors: [doorRecord(request.body)] }, by, call);
    return { id: await doorIdNamed(db, call.site, request.body.name) };
  });

  app.patch('/console/api/doors/:id', { config, schema: { tags, hide, params: IdParams, body: DoorChange } }, async (request) => {
    const { by, call } = caller(request);
    await runBatch(db, changeDoors, { doors: [{ id: request.params.id, ...doorRecord(request.body) }] }, by, call);
    return { id: Number(request.params.id) };
  });

  app.delete('/console/api/doors/:id', { config, schema: { tags, hide, params: IdParams } }, async (request) => {
    const { by, call } = caller(request);
    await runBatch(db, removeDoors, { doors: [{ id: request.params.id }] }, by, call);
    return {};
  });

  app.post(
    '/console/api/emergency-close',
    { config: { auth: 'console', capability: 'doors.emergency' }, schema: { tags, hide, body: EmergencyClose } },
    async (request) => {
      const { site, actor } = operatorOf(request);
      return { withdrawn: await callOffEmergency(db, { site, actor, now: clock.now() }, request.body.lock_number) };
    },
  );
}
