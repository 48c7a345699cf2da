import { Type } from 'typebox';
import { ERRORS } from '../../domain/errors.ts';
import { toId } from '../../domain/batch-checks.ts';
import { type BatchRecord, batchOperation } from '../../domain/batch.ts';
import { batchWrite, batchWrites, deleteById, listRoute, streamPaged } from '../../http/lockt/routes.ts';
import { PagingQuery } from '../../http/paging.ts';
import type { ResourceModule } from '../module.ts';
import { presentFob } from './fobs.presenter.ts';
import { FobCreate, FobDelete, FobObject, FobQuery, FobUpdate } from './fobs.schema.ts';
import {
  type FobInput,
  checkFobChanges,
  checkFobDeletions,
  checkNewFobs,
  deleteFobs,
  fobFilter,
  fobViews,
  insertFobs,
  updateFobs,
} from './fobs.service.ts';

const tags = ['fob'];

/** A fob record of POST or PUT in the domain's terms. */
function parseFob(record: BatchRecord<typeof FobUpdate>): FobInput {
  return {
    id: toId(record.id),
    userId: toId(record.user_id),
    name: record.name,
    idNum: record.id_num,
    cardNum: record.card_num,
    accessEffective: record.access_effective,
    accessExpires: record.access_expires,
  };
}

/** The fob writes, shared by the Lockt routes and the operator console. */
export const createFobs = batchOperation({ node: 'fobs', record: FobCreate, parse: parseFob, check: checkNewFobs, write: insertFobs });

export const reassignFobs = batchOperation({ node: 'fobs', record: FobUpdate, parse: parseFob, check: checkFobChanges, write: updateFobs });

export const removeFobs = deleteById('fobs', FobDelete, checkFobDeletions, deleteFobs);

/** `/fob`: credentials tagged as fobs, listed, created, reassigned and deleted. */
export const fobsModule: ResourceModule = {
  name: 'fobs',
  objectTypes: { fob: FobObject, fob_create: FobCreate },
  register(app, context) {
    const { db } = context;
    listRoute(app, {
      url: '/api/v1/fob',
      tags,
      summary: 'List fobs: all, or by ?id=, ?id_num=, ?name= or ?card_num=.',
      querystring: Type.Object({ ...PagingQuery, ...FobQuery.properties }),
      object: FobObject,
      handler: async (query, site, reply) => {
        const { id, id_num: idNum, name, card_num: cardNum } = query;
        if ([id, idNum, name, cardNum].filter((v) => v !== undefined).length > 1) {
          throw ERRORS.badRequest('Use at most one of id, id_num, name and card_num.');
        }
        const filter = fobFilter({
          ...(id !== undefined ? { id: Number(id) } : {}),
          ...(idNum !== undefined ? { idNum: idNum.trim() } : {}),
          ...(name !== undefined ? { name } : {}),
          ...(cardNum !== undefined ? { cardNum: cardNum.trim() } : {}),
        });
        return streamPaged(reply, query, (after, n) => fobViews(db, site.id, filter, after, n), presentFob);
      },
    });

    batchWrites(app, { url: '/api/v1/fob', tags, context }, [
      batchWrite('POST', 'Create fobs, unassigned.', createFobs),
      batchWrite('PUT', 'Reassign fobs to a user (user_id 0: to nobody) and change their access window.', reassignFobs),
      batchWrite('DELETE', 'Delete fobs (only fobs: other credentials through DELETE /credential).', removeFobs),
    ]);
  },
};
