import { Type } from 'typebox';
import { keysetChunks, mapChunks } from '../../db/keyset.ts';
import { toId } from '../../domain/batch-checks.ts';
import { ERRORS } from '../../domain/errors.ts';
import { type BatchOperation, runBatch } from '../../http/batch.ts';
import { sendDataStream } from '../../http/lockt/stream.ts';
import { PagingQuery, readPaging } from '../../http/paging.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { BatchResponse, DataEnvelope, DeleteSummary, WriteSummary, batchBody } from '../../http/schemas.ts';
import { LOCKT_API_KEY, LOCKT_SECURITY, type LocktModule } from '../module.ts';
import { presentFob } from './fobs.presenter.ts';
import { FobCreate, FobDelete, FobObject, FobQuery, FobUpdate } from './fobs.schema.ts';
import {
  type FobContext,
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

const create: BatchOperation<FobInput, FobInsertPlan, FobContext> = {
  node: 'fobs',
  record: FobCreate,
  options: ['validate_fails_batch'],
  summary: 'write',
  parse: parseFobRecord,
  check: (trx, inputs, _options, context) => checkNewFobs(trx, inputs, context),
  write: (trx, plans, _options, context) => insertFobs(trx, plans, context),
};

const update: BatchOperation<FobInput, FobUpdatePlan, FobContext> = {
  node: 'fobs',
  record: FobUpdate,
  options: ['validate_fails_batch'],
  summary: 'write',
  parse: parseFobRecord,
  check: (trx, inputs, _options, context) => checkFobChanges(trx, inputs, context),
  write: (trx, plans, _options, context) => updateFobs(trx, plans, context),
};

const remove: BatchOperation<number | undefined, number, FobContext> = {
  node: 'fobs',
  record: FobDelete,
  options: ['validate_fails_batch'],
  summary: 'delete',
  parse: (record) => toId(record.id),
  check: (trx, ids, _options, context) => checkFobDeletions(trx, ids, context),
  write: (trx, ids, _options, context) => deleteFobs(trx, ids, context),
};

/** `/fob`: credentials tagged as fobs, listed, created, reassigned and deleted. */
export const fobsModule: LocktModule = {
  name: 'fobs',
  objectTypes: { fob: FobObject, fob_create: FobCreate },
  register(app, { db, clock }) {
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
        const { limit, afterId } = readPaging(request.query);
        const chunks = keysetChunks((after, n) => fobViews(db, site.id, filter, after, n), { afterId, total: limit });
        return sendDataStream(reply, mapChunks(chunks, presentFob));
      },
    });

    app.post('/api/v1/fob', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'Create fobs, unassigned.',
        body: batchBody('fobs', FobCreate, create.options),
        response: { 200: BatchResponse(WriteSummary) },
      },
      handler: async (request) => {
        const principal = principalOf(request);
        return runBatch(db, create, request.body, principal, { site: principal.site, clock });
      },
    });

    app.put('/api/v1/fob', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'Reassign fobs to a user (user_id 0: to nobody) and change their access window.',
        body: batchBody('fobs', FobUpdate, update.options),
        response: { 200: BatchResponse(WriteSummary) },
      },
      handler: async (request) => {
        const principal = principalOf(request);
        return runBatch(db, update, request.body, principal, { site: principal.site, clock });
      },
    });

    app.delete('/api/v1/fob', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'Delete fobs (only fobs: other credentials through DELETE /credential).',
        body: batchBody('fobs', FobDelete, remove.options),
        response: { 200: BatchResponse(DeleteSummary) },
      },
      handler: async (request) => {
        const principal = principalOf(request);
        return runBatch(db, remove, request.body, principal, { site: principal.site, clock });
      },
    });
  },
};
