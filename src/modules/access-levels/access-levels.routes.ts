import { data } from '../../http/lockt/envelope.ts';
import { batchWrite, batchWrites, listRoute, streamPaged } from '../../http/lockt/routes.ts';
import type { ResourceModule } from '../module.ts';
import { presentAccessLevel } from './access-levels.presenter.ts';
import { changeAccessLevels, createAccessLevels, removeAccessLevels } from './access-levels.operations.ts';
import { AccessLevelCreate, AccessLevelObject, AccessLevelQuery } from './access-levels.schema.ts';
import { findAccessLevelsByName, listAccessLevels } from './access-levels.service.ts';

const tags = ['accesslevel'];

/** `/accesslevel`: GET, POST and DELETE as the spec has them; PUT as an extension. */
export const accessLevelsModule: ResourceModule = {
  name: 'access-levels',
  objectTypes: { accesslevel: AccessLevelObject, accesslevel_create: AccessLevelCreate },
  register(app, context) {
    const { db } = context;
    listRoute(app, {
      url: '/api/v1/accesslevel',
      tags,
      summary: 'List all access levels, delegate levels included, or the one named by ?name= (case-insensitive).',
      querystring: AccessLevelQuery,
      object: AccessLevelObject,
      handler: async (query, site, reply) => {
        if (query.name !== undefined) {
          const levels = await findAccessLevelsByName(db, site.id, query.name);
          return data(levels.map(presentAccessLevel));
        }
        return streamPaged(reply, query, (after, n) => listAccessLevels(db, site.id, after, n), presentAccessLevel);
      },
    });

    batchWrites(app, { url: '/api/v1/accesslevel', tags, context }, [
      batchWrite('POST', 'Create access levels by assigning doors to schedules.', createAccessLevels),
      batchWrite('PUT', 'Extension: rename access levels and replace (replace_doors true, the default) or add to their doors.', changeAccessLevels),
      batchWrite('DELETE', 'Delete access levels; users assigned to them lose the assignment.', removeAccessLevels),
    ]);
  },
};
