import { Type } from 'typebox';
import { toBool, toId } from '../../domain/batch-checks.ts';
import { type BatchRecord, batchOperation } from '../../domain/batch.ts';
import { data } from '../../http/lockt/envelope.ts';
import { batchWrite, batchWrites, deleteById, streamPaged } from '../../http/lockt/routes.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { DataEnvelope } from '../../http/schemas.ts';
import { LOCKT_API_KEY, LOCKT_SECURITY, type ResourceModule } from '../module.ts';
import { presentAccessLevel } from './access-levels.presenter.ts';
import { AccessLevelCreate, AccessLevelDelete, AccessLevelObject, AccessLevelQuery, AccessLevelUpdate } from './access-levels.schema.ts';
import {
  type AccessLevelChange,
  type DoorAssignment,
  type NewAccessLevel,
  checkAccessLevelChanges,
  checkAccessLevelDeletions,
  checkNewAccessLevels,
  deleteAccessLevels,
  findAccessLevelsByName,
  insertAccessLevels,
  listAccessLevels,
  updateAccessLevels,
} from './access-levels.service.ts';

const tags = ['accesslevel'];

/** The doors of a record, as the domain reads them. */
function toDoorAssignments(doors: BatchRecord<typeof AccessLevelUpdate>['doors']): DoorAssignment[] | undefined {
  return doors?.flatMap((door) => {
    const doorId = toId(door.id);
    const scheduleId = toId(door.schedule_id);
    return doorId === undefined || scheduleId === undefined ? [] : [{ doorId, scheduleId }];
  });
}

const create = batchOperation({
  node: 'accesslevels',
  record: AccessLevelCreate,
  parse: (record): NewAccessLevel => ({
    name: record.name,
    doors: toDoorAssignments(record.doors) ?? [],
    firstPersonIn: toBool(record.first_person_in),
  }),
  check: checkNewAccessLevels,
  write: insertAccessLevels,
});

const update = batchOperation({
  node: 'accesslevels',
  record: AccessLevelUpdate,
  options: ['validate_fails_batch', 'replace_doors'],
  parse: (record): AccessLevelChange => ({
    id: toId(record.id),
    name: record.name,
    doors: toDoorAssignments(record.doors),
    firstPersonIn: toBool(record.first_person_in),
  }),
  check: checkAccessLevelChanges,
  write: updateAccessLevels,
});

const remove = deleteById('accesslevels', AccessLevelDelete, checkAccessLevelDeletions, deleteAccessLevels);

/** `/accesslevel`: GET, POST and DELETE as the spec has them; PUT as an extension. */
export const accessLevelsModule: ResourceModule = {
  name: 'access-levels',
  objectTypes: { accesslevel: AccessLevelObject, accesslevel_create: AccessLevelCreate },
  register(app, context) {
    const { db } = context;
    app.get('/api/v1/accesslevel', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'List all access levels, delegate levels included, or the one named by ?name= (case-insensitive).',
        querystring: AccessLevelQuery,
        response: { 200: DataEnvelope(Type.Array(AccessLevelObject)) },
      },
      handler: async (request, reply) => {
        const { site } = principalOf(request);
        if (request.query.name !== undefined) {
          const levels = await findAccessLevelsByName(db, site.id, request.query.name);
          return data(levels.map(presentAccessLevel));
        }
        return streamPaged(reply, request.query, (after, n) => listAccessLevels(db, site.id, after, n), presentAccessLevel);
      },
    });

    batchWrites(app, { url: '/api/v1/accesslevel', tags, context }, [
      batchWrite('POST', 'Create access levels by assigning doors to schedules.', create),
      batchWrite('PUT', 'Extension: rename access levels and replace (replace_doors true, the default) or add to their doors.', update),
      batchWrite('DELETE', 'Delete access levels; users assigned to them lose the assignment.', remove),
    ]);
  },
};
