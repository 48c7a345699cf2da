import { Type } from 'typebox';
import { ERRORS } from '../../domain/errors.ts';
import type { BatchOperation, SiteCall } from '../../domain/batch.ts';
import { batchWriteRoute, deleteById, streamPaged } from '../../http/lockt/routes.ts';
import { PagingQuery } from '../../http/paging.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { DataEnvelope } from '../../http/schemas.ts';
import { LOCKT_API_KEY, LOCKT_SECURITY, type LocktModule } from '../module.ts';
import { presentFob } from './fobs.presenter.ts';
import { FobCreate, FobDelete, FobObject, FobQuery, FobUpdate } from './fobs.schema.ts';
import {
  type FobInput,
  type FobInsertPlan,
  type FobUpdatePlan,
  checkFobChanges,
  checkFobDeletions,
  checkNewFobs,
  deleteFobs,
  fobFilter,
  fobViews,
  insertFobs,
  parseFobRecord,
  updateFobs,
} from './fobs.service.ts';

const tags = ['fob'];

const create: BatchOperation<FobInput, FobInsertPlan, SiteCall> = {
  node: 'fobs',
  record: FobCreate,
  options: ['validate_fails_batch'],
  summary: 'write',
  parse: parseFobRecord,
  check: (trx, inputs, _options, context) => checkNewFobs(trx, inputs, context),
  write: (trx, plans, _options, context) => insertFobs(trx, plans, context),
};

const update: BatchOperation<FobInput, FobUpdatePlan, SiteCall> = {
  node: 'fobs',
  record: FobUpdate,
  options: ['validate_fails_batch'],
  summary: 'write',
  parse: parseFobRecord,
  check: (trx, inputs, _options, context) => checkFobChanges(trx, inputs, context),
  write: (trx, plans, _options, context) => updateFobs(trx, plans, context),
};

const remove = deleteById('fobs', FobDelete, checkFobDeletions, deleteFobs);

/** `/fob`: credentials tagged as fobs, listed, created, reassigned and deleted. */
export const fobsModule: LocktModule = {
  name: 'fobs',
  objectTypes: { fob: FobObject, fob_create: FobCreate },
  register(app, context) {
    const { db } = context;
    app.get('/api/v1/fob', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'List fobs: all, or by ?id=, ?id_num=, ?name= or ?card_num=.',
        querystring: Type.Object({ ...PagingQuery, ...FobQuery.properties }),
        response: { 200: DataEnvelope(Type.Array(FobObject)) },
      },
      handler: async (request, reply) => {
        const { site } = principalOf(request);
        const { id, id_num: idNum, name, card_num: cardNum } = request.query;
        if ([id, idNum, name, cardNum].filter((v) => v !== undefined).length > 1) {
          throw ERRORS.badRequest('Use at most one of id, id_num, name and card_num.');
        }
        const filter = fobFilter({
          ...(id !== undefined ? { id: Number(id) } : {}),
          ...(idNum !== undefined ? { idNum: idNum.trim() } : {}),
          ...(name !== undefined ? { name } : {}),
          ...(cardNum !== undefined ? { cardNum: cardNum.trim() } : {}),
        });
        return streamPaged(reply, request.query, (after, n) => fobViews(db, site.id, filter, after, n), presentFob);
      },
    });

    batchWriteRoute(app, {
      method: 'POST',
      url: '/api/v1/fob',
      tags,
      summary: 'Create fobs, unassigned.',
      operation: create,
      context,
    });

    batchWriteRoute(app, {
      method: 'PUT',
      url: '/api/v1/fob',
      tags,
      summary: 'Reassign fobs to a user (user_id 0: to nobody) and change their access window.',
      operation: update,
      context,
    });

    batchWriteRoute(app, {
      method: 'DELETE',
      url: '/api/v1/fob',
      tags,
      summary: 'Delete fobs (only fobs: other credentials through DELETE /credential).',
      operation: remove,
      context,
    });
  },
};
