import { Type } from 'typebox';
import { toId } from '../../domain/batch-checks.ts';
import { type BatchOperation, runBatch } from '../../http/batch.ts';
import { sendDataStream } from '../../http/lockt/stream.ts';
import { PagingQuery, readPaging } from '../../http/paging.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { BatchResponse, DataEnvelope, DeleteSummary, WriteSummary, batchBody } from '../../http/schemas.ts';
import { keysetChunks, mapChunks } from '../../db/keyset.ts';
import { LOCKT_API_KEY, LOCKT_SECURITY, type LocktModule } from '../module.ts';
import { presentLocationType } from './location-types.presenter.ts';
import * as repo from './location-types.repository.ts';
import { LocationTypeCreate, LocationTypeDelete, LocationTypeObject } from './location-types.schema.ts';
import {
  type LocationTypeContext,
  type NewLocationType,
  checkLocationTypeDeletions,
  checkNewLocationTypes,
  deleteLocationTypes,
  insertLocationTypes,
} from './location-types.service.ts';

const tags = ['locationtype'];

const create: BatchOperation<NewLocationType, { name: string; key: string }, LocationTypeContext> = {
  node: 'locationtypes',
  record: LocationTypeCreate,
  options: ['validate_fails_batch'],
  summary: 'write',
  parse: (record) => ({ name: record.name as string | undefined }),
  check: (trx, inputs, _options, context) => checkNewLocationTypes(trx, inputs, context),
  write: (trx, plans, _options, context) => insertLocationTypes(trx, plans, context),
};

const remove: BatchOperation<number | undefined, number, LocationTypeContext> = {
  node: 'locationtypes',
  record: LocationTypeDelete,
  options: ['validate_fails_batch'],
  summary: 'delete',
  parse: (record) => toId(record.id),
  check: (trx, ids, _options, context) => checkLocationTypeDeletions(trx, ids, context),
  write: (trx, ids, _options, context) => deleteLocationTypes(trx, ids, context),
};

/** `/locationtype`: GET as the spec has it; POST and DELETE as extensions. */
export const locationTypesModule: LocktModule = {
  name: 'location-types',
  objectTypes: { locationtype: LocationTypeObject, locationtype_create: LocationTypeCreate },
  register(app, { db, clock }) {
    app.get('/api/v1/locationtype', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'List all location types.',
        querystring: Type.Object(PagingQuery),
        response: { 200: DataEnvelope(Type.Array(LocationTypeObject)) },
      },
      handler: async (request, reply) => {
        const { site } = principalOf(request);
        const { limit, afterId } = readPaging(request.query);
        const chunks = keysetChunks((after, n) => repo.listLocationTypes(db, site.id, after, n), { afterId, total: limit });
        return sendDataStream(reply, mapChunks(chunks, presentLocationType));
      },
    });

    app.post('/api/v1/locationtype', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'Extension: create location types.',
        body: batchBody('locationtypes', LocationTypeCreate, ['validate_fails_batch']),
        response: { 200: BatchResponse(WriteSummary) },
      },
      handler: async (request) => {
        const principal = principalOf(request);
        return runBatch(db, create, request.body, principal, { site: principal.site, clock });
      },
    });

    app.delete('/api/v1/locationtype', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'Extension: delete location types no location uses.',
        body: batchBody('locationtypes', LocationTypeDelete, ['validate_fails_batch']),
        response: { 200: BatchResponse(DeleteSummary) },
      },
      handler: async (request) => {
        const principal = principalOf(request);
        return runBatch(db, remove, request.body, principal, { site: principal.site, clock });
      },
    });
  },
};

