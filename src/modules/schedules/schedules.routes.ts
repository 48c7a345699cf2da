import { Type } from 'typebox';
import { keysetChunks, mapChunks } from '../../db/keyset.ts';
import { toBool, toId } from '../../domain/batch-checks.ts';
import { type BatchOperation, runBatch } from '../../http/batch.ts';
import { sendDataStream } from '../../http/lockt/stream.ts';
import { PagingQuery, readPaging } from '../../http/paging.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { BatchResponse, DataEnvelope, DeleteSummary, WriteSummary, batchBody } from '../../http/schemas.ts';
import { LOCKT_API_KEY, LOCKT_SECURITY, type LocktModule } from '../module.ts';
import { presentSchedule } from './schedules.presenter.ts';
import * as repo from './schedules.repository.ts';
import { ScheduleCreate, ScheduleDelete, ScheduleObject, ScheduleUpdate } from './schedules.schema.ts';
import * as service from './schedules.service.ts';

const tags = ['schedule'];

type Operation<Input, Plan> = BatchOperation<Input, Plan, service.ScheduleContext>;

/** The fields create and update share, from a record whose failing fields have been removed. */
function parseFields(record: Record<string, unknown>): service.ScheduleFields {
  return {
    name: record.name as string | undefined,
    days: repo.DAY_COLUMNS.map((column) => toBool(record[column])),
    start: record.start as string | undefined,
    stop: record.stop as string | undefined,
  };
}

const create: Operation<service.ScheduleFields, service.ScheduleInsertPlan> = {
  node: 'schedules',
  record: ScheduleCreate,
  options: ['validate_fails_batch'],
  summary: 'write',
  parse: parseFields,
  check: (trx, inputs, _options, context) => service.checkNewSchedules(trx, inputs, context),
  write: (trx, plans, _options, context) => service.insertSchedules(trx, plans, context),
};

const update: Operation<service.ScheduleChange, service.ScheduleUpdatePlan> = {
  node: 'schedules',
  record: ScheduleUpdate,
  options: ['validate_fails_batch'],
  summary: 'write',
  parse: (record) => ({ id: toId(record.id), ...parseFields(record) }),
  check: (trx, inputs, _options, context) => service.checkScheduleChanges(trx, inputs, context),
  write: (trx, plans, _options, context) => service.updateSchedules(trx, plans, context),
};

const remove: Operation<number | undefined, number> = {
  node: 'schedules',
  record: ScheduleDelete,
  options: ['validate_fails_batch'],
  summary: 'delete',
  parse: (record) => toId(record.id),
  check: (trx, ids, _options, context) => service.checkScheduleDeletions(trx, ids, context),
  write: (trx, ids, _options, context) => service.deleteSchedules(trx, ids, context),
};

/** `/schedule`: GET as the spec has it; POST, PUT and DELETE as extensions. */
export const schedulesModule: LocktModule = {
  name: 'schedules',
  objectTypes: { schedule: ScheduleObject, schedule_create: ScheduleCreate, schedule_update: ScheduleUpdate },
  register(app, { db, clock }) {
    app.get('/api/v1/schedule', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'List all schedules.',
        querystring: Type.Object(PagingQuery),
        response: { 200: DataEnvelope(Type.Array(ScheduleObject)) },
      },
      handler: async (request, reply) => {
        const { site } = principalOf(request);
        const { limit, afterId } = readPaging(request.query);
        const chunks = keysetChunks((after, n) => repo.listSchedules(db, site.id, after, n), { afterId, total: limit });
        return sendDataStream(reply, mapChunks(chunks, presentSchedule));
      },
    });

    app.post('/api/v1/schedule', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'Extension: create schedules.',
        body: batchBody('schedules', ScheduleCreate, ['validate_fails_batch']),
        response: { 200: BatchResponse(WriteSummary) },
      },
      handler: async (request) => {
        const principal = principalOf(request);
        return runBatch(db, create, request.body, principal, { site: principal.site, clock });
      },
    });

    app.put('/api/v1/schedule', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'Extension: update schedules; only the properties supplied change.',
        body: batchBody('schedules', ScheduleUpdate, ['validate_fails_batch']),
        response: { 200: BatchResponse(WriteSummary) },
      },
      handler: async (request) => {
        const principal = principalOf(request);
        return runBatch(db, update, request.body, principal, { site: principal.site, clock });
      },
    });

    app.delete('/api/v1/schedule', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'Extension: delete schedules no access level uses.',
        body: batchBody('schedules', ScheduleDelete, ['validate_fails_batch']),
        response: { 200: BatchResponse(DeleteSummary) },
      },
      handler: async (request) => {
        const principal = principalOf(request);
        return runBatch(db, remove, request.body, principal, { site: principal.site, clock });
      },
    });
  },
};
