import { Type } from 'typebox';
import { toId } from '../../domain/batch-checks.ts';
import type { BatchOperation, SiteCall } from '../../domain/batch.ts';
import { data } from '../../http/lockt/envelope.ts';
import { batchWriteRoute, deleteById, streamPaged } from '../../http/lockt/routes.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { DataEnvelope } from '../../http/schemas.ts';
import { LOCKT_API_KEY, LOCKT_SECURITY, type LocktModule } from '../module.ts';
import { presentAccessLevel } from './access-levels.presenter.ts';
import {
  AccessLevelCreate,
  AccessLevelDelete,
  AccessLevelObject,
  AccessLevelQuery,
  AccessLevelUpdate,
} from './access-levels.schema.ts';
import {
  type AccessLevelChange,
  type InsertPlan,
  type NewAccessLevel,
  type UpdatePlan,
  checkAccessLevelChanges,
  checkAccessLevelDeletions,
  checkNewAccessLevels,
  deleteAccessLevels,
  findAccessLevelsByName,
  insertAccessLevels,
  listAccessLevels,
  toDoorAssignments,
  updateAccessLevels,
} from './access-levels.service.ts';

const tags = ['accesslevel'];

const create: BatchOperation<NewAccessLevel, InsertPlan, SiteCall> = {
  node: 'accesslevels',
  record: AccessLevelCreate,
  options: ['validate_fails_batch'],
  summary: 'write',
  parse: (record) => ({ name: record.name as string | undefined, doors: toDoorAssignments(record.doors) ?? [] }),
  check: (trx, inputs, _options, context) => checkNewAccessLevels(trx, inputs, context),
  write: (trx, plans, _options, context) => insertAccessLevels(trx, plans, context),
};

const update: BatchOperation<AccessLevelChange, UpdatePlan, SiteCall> = {
  node: 'accesslevels',
  record: AccessLevelUpdate,
  options: ['validate_fails_batch', 'replace_doors'],
  summary: 'write',
  parse: (record) => ({ id: toId(record.id), name: record.name as string | undefined, doors: toDoorAssignments(record.doors) }),
  check: (trx, inputs, _options, context) => checkAccessLevelChanges(trx, inputs, context),
  write: (trx, plans, options, context) => updateAccessLevels(trx, plans, options, context),
};

const remove = deleteById('accesslevels', AccessLevelDelete, checkAccessLevelDeletions, deleteAccessLevels);

/** `/accesslevel`: GET, POST and DELETE as the spec has them; PUT as an extension. */
export const accessLevelsModule: LocktModule = {
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

    batchWriteRoute(app, {
      method: 'POST',
      url: '/api/v1/accesslevel',
      tags,
      summary: 'Create access levels by assigning doors to schedules.',
      operation: create,
      context,
    });

    batchWriteRoute(app, {
      method: 'PUT',
      url: '/api/v1/accesslevel',
      tags,
      summary: 'Extension: rename access levels and replace (replace_doors true, the default) or add to their doors.',
      operation: update,
      context,
    });

    batchWriteRoute(app, {
      method: 'DELETE',
      url: '/api/v1/accesslevel',
      tags,
      summary: "Delete access levels; users assigned to them lose the assignment.",
      operation: remove,
      context,
    });
  },
};
