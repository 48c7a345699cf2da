import { Type } from 'typebox';
import { toBool, toId } from '../../domain/batch-checks.ts';
import { batchOperation } from '../../domain/batch.ts';
import { runBatch } from '../../http/batch.ts';
import { batchWrite, batchWrites, bodyFor, deleteById, listRoute, responseFor, streamPaged } from '../../http/lockt/routes.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { FlagParam } from '../../http/schemas.ts';
import { runUnlockBatch } from '../devices/devices.routes.ts';
import { LOCKT_API_KEY, LOCKT_SECURITY, type ResourceModule } from '../module.ts';
import { presentDoor } from './doors.presenter.ts';
import * as repo from './doors.repository.ts';
import { DoorCreate, DoorDelete, DoorObject, DoorQuery, DoorUpdate } from './doors.schema.ts';
import * as service from './doors.service.ts';

const tags = ['door'];

/** A location as sent: null or "" clears it, otherwise an id; undefined when absent. */
const toLocation = (value: unknown): number | null | undefined => (value === null || value === '' ? null : toId(value));

/** The door writes, shared by the Lockt routes and the operator console (docs/console.md). */
export const createDoors = batchOperation({
  node: 'doors',
  record: DoorCreate,
  parse: (record): service.NewDoor => ({ name: record.name, location: toLocation(record.location), enabled: toBool(record.enabled) }),
  check: service.checkNewDoors,
  write: service.insertDoors,
});

export const changeDoors = batchOperation({
  node: 'doors',
  record: DoorUpdate,
  parse: (record): service.DoorChange => ({
    id: toId(record.id),
    name: record.name,
    location: toLocation(record.location),
    enabled: toBool(record.enabled),
  }),
  check: service.checkDoorChanges,
  write: service.updateDoors,
});

export const removeDoors = deleteById('doors', DoorDelete, service.checkDoorDeletions, service.deleteDoors);

/** `/door`: GET (whole list, `?user_id`, `?id_num`), POST and DELETE as the spec has them; PUT as an extension. */
export const doorsModule: ResourceModule = {
  name: 'doors',
  objectTypes: { door: DoorObject, door_create: DoorCreate, door_update: DoorUpdate },
  register(app, context) {
    const { db, clock } = context;
    listRoute(app, {
      url: '/api/v1/door',
      tags,
      summary: 'List all doors, or with ?user_id= or ?id_num= the doors a cardholder reaches through all assigned access levels.',
      querystring: DoorQuery,
      object: DoorObject,
      handler: async (query, site, reply) => {
        const holderId = await service.resolveDoorHolder(db, site.id, query);
        return streamPaged(reply, query, (after, n) => repo.listDoors(db, site.id, after, n, holderId), presentDoor);
      },
    });

    app.post('/api/v1/door', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'Create doors; with ?unlock (extension), remotely unlock the doors listed by id instead (as POST /door/unlock).',
        querystring: Type.Object({
          unlock: Type.Optional(FlagParam('Extension: unlock the listed doors `{"doors": [{"id"}]}` through their devices.')),
        }),
        body: bodyFor(createDoors),
        response: { 200: responseFor('write', 'process') },
      },
      handler: async (request) => {
        const principal = principalOf(request);
        if (request.query.unlock !== undefined) return runUnlockBatch(db, request.body, principal, clock.now());
        return runBatch(db, createDoors, request.body, principal, { site: principal.site, clock });
      },
    });

    batchWrites(app, { url: '/api/v1/door', tags, context }, [
      batchWrite('PUT', 'Extension: update doors; only the properties supplied change.', changeDoors),
      batchWrite('DELETE', 'Delete doors, taking them out of every access level.', removeDoors),
    ]);
  },
};
