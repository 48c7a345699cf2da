import { toId } from '../../domain/batch-checks.ts';
import { batchOperation } from '../../domain/batch.ts';
import { runBatch } from '../../http/batch.ts';
import { data } from '../../http/lockt/envelope.ts';
import { bodyFor, pagedListRoute, responseFor } from '../../http/lockt/routes.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { LOCKT_API_KEY, LOCKT_SECURITY, type ResourceModule } from '../module.ts';
import { presentDelegateLevel } from './delegates.presenter.ts';
import { DelegateCreate, DelegateObject, DelegatePostQuery } from './delegates.schema.ts';
import { type NewDelegation, checkNewDelegations, createDelegations, listDelegateLevels, purgeExpiredDelegations } from './delegates.service.ts';

const tags = ['delegate'];

const create = batchOperation({
  node: 'delegates',
  record: DelegateCreate,
  options: [],
  // The spec: one delegation per call, and any error fails it.
  maxRecords: 1,
  partialAllowed: false,
  summary: 'process',
  parse: (record): NewDelegation => ({
    fromUserId: toId(record.from_user_id),
    toUserId: toId(record.to_user_id),
    accessEffective: record.access_effective,
    accessExpires: record.access_expires,
    doorIds: record.doors?.map((door) => toId(door.id)).filter((id) => id !== undefined),
  }),
  check: checkNewDelegations,
  write: createDelegations,
});

/** `/delegate`: list delegate levels, create one, or purge the expired ones (`?purge`). */
export const delegatesModule: ResourceModule = {
  name: 'delegates',
  objectTypes: { delegate: DelegateObject, delegate_create: DelegateCreate },
  register(app, context) {
    const { db, clock } = context;
    pagedListRoute(app, {
      url: '/api/v1/delegate',
      tags,
      summary: 'List access levels used for delegation.',
      object: DelegateObject,
      list: listDelegateLevels,
      present: (level, site) => presentDelegateLevel(level, site.timezone),
      context,
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
        body: bodyFor(create, { optional: true }),
        response: { 200: responseFor('process', 'delete') },
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
