import { Type } from 'typebox';
import { ERRORS } from '../../domain/errors.ts';
import { batchOperation } from '../../domain/batch.ts';
import { runBatch } from '../../http/batch.ts';
import { data } from '../../http/lockt/envelope.ts';
import { batchWriteRoute, bodyFor, deleteById, responseFor, streamPaged } from '../../http/lockt/routes.ts';
import { PagingQuery } from '../../http/paging.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { DataEnvelope } from '../../http/schemas.ts';
import { LOCKT_API_KEY, LOCKT_SECURITY, type ResourceModule } from '../module.ts';
import { presentCredential, presentCredentialSummary } from './credentials.presenter.ts';
import * as repo from './credentials.repository.ts';
import { ClaimQuery, CredentialClaim, CredentialDelete, CredentialObject, CredentialQuery, CredentialSummaryObject } from './credentials.schema.ts';
import { checkClaims, checkCredentialDeletions, credentialSummary, deleteCredentials, normalizeCredentialKey } from './credentials.service.ts';

const tags = ['credential'];

/** Deleting credentials by id: DELETE /credential, and the console's revoke. */
export const removeCredentials = deleteById('credentials', CredentialDelete, checkCredentialDeletions, deleteCredentials);

const claim = batchOperation({
  node: 'credentials',
  record: CredentialClaim,
  summary: 'process',
  parse: (record) => (record.credential_key === undefined ? undefined : normalizeCredentialKey(record.credential_key)),
  check: checkClaims,
  // checkClaims has taken the claims; what is left is to count them.
  write: async (_trx, ids) => ({ processed: ids.length, ids }),
});

/** `/credential` (GET, DELETE, and the claim extension) and `/credentialsummary`. */
export const credentialsModule: ResourceModule = {
  name: 'credentials',
  objectTypes: { credential: CredentialObject },
  register(app, context) {
    const { db, clock } = context;
    app.get('/api/v1/credential', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'List credentials: all, or by ?id=, ?user_id= or ?card_num=.',
        querystring: Type.Object({ ...PagingQuery, ...CredentialQuery.properties }),
        response: { 200: DataEnvelope(Type.Array(CredentialObject)) },
      },
      handler: async (request, reply) => {
        const { site } = principalOf(request);
        const { id, user_id: userId, card_num: cardNum } = request.query;
        if ([id, userId, cardNum].filter((v) => v !== undefined).length > 1) {
          throw ERRORS.badRequest('Use at most one of id, user_id and card_num.');
        }
        const filter = {
          id: id === undefined ? undefined : Number(id),
          userId: userId === undefined ? undefined : Number(userId),
          cardNum: cardNum?.trim(),
        };
        return streamPaged(reply, request.query, (after, n) => repo.listCredentials(db, site.id, filter, after, n), presentCredential);
      },
    });

    batchWriteRoute(app, {
      method: 'DELETE',
      url: '/api/v1/credential',
      tags,
      summary: 'Delete credentials (not fobs: see DELETE /fob).',
      operation: removeCredentials,
      context,
    });

    app.post('/api/v1/credential', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'Extension: claim credentials by their keys (?claim), as the mobile app does.',
        querystring: ClaimQuery,
        body: bodyFor(claim),
        response: { 200: responseFor(claim.summary) },
      },
      handler: async (request) => {
        const principal = principalOf(request);
        if (request.query.claim === undefined) {
          throw ERRORS.badRequest('POST /credential claims credentials: call it as POST /credential?claim.');
        }
        return runBatch(db, claim, request.body, principal, { site: principal.site, clock });
      },
    });

    app.get('/api/v1/credentialsummary', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'Count the credentials, claimed and unclaimed.',
        response: { 200: DataEnvelope(Type.Array(CredentialSummaryObject)) },
      },
      handler: async (request) => {
        const { site } = principalOf(request);
        return data([presentCredentialSummary(await credentialSummary(db, site.id))]);
      },
    });
  },
};
