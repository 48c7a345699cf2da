import { Type } from 'typebox';
import { keysetChunks, mapChunks } from '../../db/keyset.ts';
import { toBool, toId } from '../../domain/batch-checks.ts';
import { type BatchOperation, runBatch } from '../../http/batch.ts';
import { sendDataStream } from '../../http/lockt/stream.ts';
import { PagingQuery, readPaging } from '../../http/paging.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { BatchResponse, DataEnvelope, DeleteSummary, WriteSummary, batchBody } from '../../http/schemas.ts';
import { LOCKT_API_KEY, LOCKT_SECURITY, type LocktModule } from '../module.ts';
import { presentLocation } from './locations.presenter.ts';
import * as repo from './locations.repository.ts';
import { LocationCreate, LocationDelete, LocationObject, LocationUpdate } from './locations.schema.ts';
import * as service from './locations.service.ts';

const tags = ['location'];

type Operation<Input, Plan> = BatchOperation<Input, Plan, service.LocationContext>;

const create: Operation<service.NewLocation, service.LocationInsertPlan> = {
  node: 'locations',
  record: LocationCreate,
  options: ['validate_fails_batch'],
  summary: 'write',
  parse: (record) => ({ name: record.name as string | undefined, locationType: toId(record.locationtype) }),
  check: (trx, inputs, _options, context) => service.checkNewLocations(trx, inputs, context),
  write: (trx, plans, _options, context) => service.insertLocations(trx, plans, context),
};

const update: Operation<service.LocationChange, service.LocationUpdatePlan> = {
  node: 'locations',
  record: LocationUpdate,
  options: ['validate_fails_batch'],
  summary: 'write',
  parse: (record) => ({
    id: toId(record.id),
    name: record.name as string | undefined,
    locationType: toId(record.locationtype),
    enabled: toBool(record.enabled),
  }),
  check: (trx, inputs, _options, context) => service.checkLocationChanges(trx, inputs, context),
  write: (trx, plans, _options, context) => service.updateLocations(trx, plans, context),
};

const remove: Operation<number | undefined, number> = {
  node: 'locations',
  record: LocationDelete,
  options: ['validate_fails_batch'],
  summary: 'delete',
  parse: (record) => toId(record.id),
  check: (trx, ids, _options, context) => service.checkLocationDeletions(trx, ids, context),
  write: (trx, ids, _options, context) => service.deleteLocations(trx, ids, context),
};

/** `/location`: GET and POST as the spec has them; PUT and DELETE as extensions. */
export const locationsModule: LocktModule = {
  name: 'locations',
  objectTypes: { location: LocationObject, location_create: LocationCreate, location_update: LocationUpdate },
  register(app, { db, clock }) {
    app.get('/api/v1/location', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'List all locations.',
        querystring: Type.Object(PagingQuery),
        response: { 200: DataEnvelope(Type.Array(LocationObject)) },
      },
      handler: async (request, reply) => {
        const { site } = principalOf(request);
        const { limit, afterId } = readPaging(request.query);
        const chunks = keysetChunks((after, n) => repo.listLocations(db, site.id, after, n), { afterId, total: limit });
        return sendDataStream(reply, mapChunks(chunks, presentLocation));
      },
    });

    app.post('/api/v1/location', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'Create locations.',
        body: batchBody('locations', LocationCreate, ['validate_fails_batch']),
        response: { 200: BatchResponse(WriteSummary) },
      },
      handler: async (request) => {
        const principal = principalOf(request);
        return runBatch(db, create, request.body, principal, { site: principal.site, clock });
      },
    });

    app.put('/api/v1/location', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'Extension: update locations; only the properties supplied change.',
        body: batchBody('locations', LocationUpdate, ['validate_fails_batch']),
        response: { 200: BatchResponse(WriteSummary) },
      },
      handler: async (request) => {
        const principal = principalOf(request);
        return runBatch(db, update, request.body, principal, { site: principal.site, clock });
      },
    });

    app.delete('/api/v1/location', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'Extension: delete locations no door uses.',
        body: batchBody('locations', LocationDelete, ['validate_fails_batch']),
        response: { 200: BatchResponse(DeleteSummary) },
      },
      handler: async (request) => {
        const principal = principalOf(request);
        return runBatch(db, remove, request.body, principal, { site: principal.site, clock });
      },
    });
  },
};
