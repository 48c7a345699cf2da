import { Type } from 'typebox';
import { keysetChunks, mapChunks } from '../../db/keyset.ts';
import { toId } from '../../domain/batch-checks.ts';
import { type BatchOperation, runBatch } from '../../http/batch.ts';
import { data } from '../../http/lockt/envelope.ts';
import { sendDataStream } from '../../http/lockt/stream.ts';
import { PagingQuery, readPaging } from '../../http/paging.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { BatchResponse, DataEnvelope, DeleteSummary, ProcessSummary, batchBody } from '../../http/schemas.ts';
import { LOCKT_API_KEY, LOCKT_SECURITY, type LocktModule } from '../module.ts';
import { presentDelegateLevel } from './delegates.presenter.ts';
import { DelegateCreate, DelegateObject, DelegatePostQuery } from './delegates.schema.ts';
import {
  type DelegateContext,
  type DelegationPlan,
  type NewDelegation,
  checkNewDelegations,
  createDelegations,
  listDelegateLevels,
  purgeExpiredDelegations,
} from './delegates.service.ts';

const tags = ['delegate'];

const create: BatchOperation<NewDelegation, DelegationPlan, DelegateContext> = {
  node: 'delegates',
  record: DelegateCreate,
  options: [],
  // The spec: one delegation per call, and any error fails it.
  maxRecords: 1,
  partialAllowed: false,
  summary: 'process',
  parse: (record) => ({
    fromUserId: toId(record.from_user_id),
    toUserId: toId(record.to_user_id),
    accessEffective: record.access_effective as string | undefined,
    accessExpires: record.access_expires as string | undefined,
    doorIds: Array.isArray(record.doors)
      ? (record.doors as Record<string, unknown>[]).map((door) => toId(door.id)).filter((id) => id !== undefined)
      : undefined,
  }),
  check: (trx, inputs, _options, context) => checkNewDelegations(trx, inputs, context),
  write: (trx, plans, _options, context) => createDelegations(trx, plans, context),
};

/** `/delegate`: list delegate levels, create one, or purge the expired ones (`?purge`). */
export const delegatesModule: LocktModule = {
  name: 'delegates',
  objectTypes: { delegate: DelegateObject, delegate_create: DelegateCreate },
  register(app, { db, clock }) {
    app.get('/api/v1/delegate', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'List access levels used for delegation.',
        querystring: Type.Object(PagingQuery),
        response: { 200: DataEnvelope(Type.Array(DelegateObject)) },
      },
      handler: async (request, reply) => {
        const { site } = principalOf(request);
        const { limit, afterId } = readPaging(request.query);
        const chunks = keysetChunks((after, n) => listDelegateLevels(db, site.id, after, n), { afterId, total: limit });
        return sendDataStream(reply, mapChunks(chunks, (level) => presentDelegateLevel(level, site.timezone)));
      },
    });

    app.post('/api/v1/delegate', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary:
          'Create one delegate access level from doors the giver holds and assign it to the receiver; ' +
          'with ?purge, delete every expired delegate level instead.',
        querystring: DelegatePostQuery,
        // ?purge shares the route and is sent without a body.
        body: batchBody('delegates', DelegateCreate, [], { optional: true }),
        response: { 200: BatchResponse(Type.Union([ProcessSummary, DeleteSummary])) },
      },
      handler: async (request) => {
        const principal = principalOf(request);
        const context = { site: principal.site, clock };
        if (request.query.purge !== undefined) return data(await purgeExpiredDelegations(db, context, principal.actor));
        return runBatch(db, create, request.body, principal, context);
      },
    });
  },
};
