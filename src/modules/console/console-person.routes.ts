import { Type } from 'typebox';
import { nameKey } from '../../domain/names.ts';
import { IDENTIFIER_TYPES } from '../../domain/credential-numbers.ts';
import { runBatch } from '../../http/batch.ts';
import { operatorOf } from '../../http/plugins/operator-auth.ts';
import { IdInput } from '../../http/schemas.ts';
import { LOCKS } from '../credentials/identifiers.basip.schema.ts';
import { deleteIdentifier, resetIdentifierPasses } from '../credentials/identifiers.service.ts';
import { fobIdsByNameKey } from '../fobs/fobs.repository.ts';
import { createFobs, reassignFobs, removeFobs } from '../fobs/fobs.routes.ts';
import type { AppContext, TypedApp } from '../module.ts';
import { batchCallerOf, idOf } from './console-params.ts';
import { presentPersonExtras } from './console-person.presenter.ts';
import { anonymizePerson, clearPin, giveIdentifier, panelContextOf, personExtras, requirePerson } from './console-person.service.ts';

const JSON_API = { auth: 'console' } as const;
const tags = ['console'];
const hide = true;

const IdParams = Type.Object({ id: IdInput('id', 'The id.') }, { required: ['id'] });
const FobAdd = Type.Object(
  { name: Type.String({ maxLength: 200 }), id_num: Type.String({ maxLength: 200 }), card_num: Type.Optional(Type.String({ maxLength: 64 })) },
  { required: ['name', 'id_num'], additionalProperties: false },
);
const IdentifierAdd = Type.Object(
  {
    type: Type.Union(IDENTIFIER_TYPES.map((type) => Type.Literal(type))),
    number: Type.String({ maxLength: 200 }),
    lock: Type.Optional(Type.Union(LOCKS.map((lock) => Type.Literal(lock)))),
    max_passes: Type.Optional(Type.Integer({ description: 'A pass allowance; absent: no limit.' })),
  },
  { required: ['type', 'number'], additionalProperties: false },
);
const Anonymize = Type.Object(
  { confirmation: Type.String({ maxLength: 400, description: "What the page asked the operator to type: the person's full name." }) },
  { required: ['confirmation'], additionalProperties: false },
);

/**
 * A person's credentials of every kind, their PIN, and anonymizing them (docs/console.md). Each write goes
 * through the face that owns it: fobs through `/fob`'s operations, identifiers through the panel face's
 * service, anonymizing through the privacy service; so every rule and message is theirs.
 */
export function personRoutes(app: TypedApp, { db, clock }: AppContext): void {
  const read = { ...JSON_API, capability: 'people.read' } as const;
  const write = { ...JSON_API, capability: 'people.write' } as const;

  app.get('/console/api/people/:id/extras', { config: read, schema: { tags, hide, params: IdParams } }, async (request) => {
    const { site } = operatorOf(request);
    return presentPersonExtras(await personExtras(db, site, idOf(request.params.id, 'person')), site);
  });

  // A Lockt fob is made unassigned and then given (POST, then PUT /fob); undone if the giving fails.
  app.post('/console/api/people/:id/fobs', { config: write, schema: { tags, hide, params: IdParams, body: FobAdd } }, async (request) => {
    const { caller, call } = batchCallerOf(operatorOf(request), clock);
    const userId = idOf(request.params.id, 'person');
    await requirePerson(db, call.site.id, userId);
    const { card_num: card, ...fob } = request.body;
    await runBatch(db, createFobs, { fobs: [{ ...fob, ...(card !== undefined && card !== '' ? { card_num: card } : {}) }] }, caller, call);
    const key = nameKey(request.body.name);
    const id = (await fobIdsByNameKey(db, call.site.id, [key])).get(key);
    if (id === undefined) throw new Error('A fob was written without an id');
    try {
      await runBatch(db, reassignFobs, { fobs: [{ id, user_id: userId }] }, caller, call);
    } catch (error) {
      await runBatch(db, removeFobs, { fobs: [{ id }] }, caller, call);
      throw error;
    }
    return { id };
  });

  app.delete('/console/api/fobs/:id', { config: write, schema: { tags, hide, params: IdParams } }, async (request) => {
    const { caller, call } = batchCallerOf(operatorOf(request), clock);
    await runBatch(db, removeFobs, { fobs: [{ id: idOf(request.params.id, 'fob') }] }, caller, call);
    return {};
  });

  app.post(
    '/console/api/people/:id/identifiers',
    { config: write, schema: { tags, hide, params: IdParams, body: IdentifierAdd } },
    async (request) => {
      const { type, number, lock, max_passes: max } = request.body;
      const input = { type, number, lock, passes: max === undefined ? undefined : { permanent: false, max } };
      const ctx = panelContextOf(operatorOf(request), clock);
      return { id: await giveIdentifier(db, ctx, idOf(request.params.id, 'person'), input) };
    },
  );

  app.delete('/console/api/identifiers/:id', { config: write, schema: { tags, hide, params: IdParams } }, async (request) => {
    await deleteIdentifier(db, panelContextOf(operatorOf(request), clock), idOf(request.params.id, 'identifier'));
    return {};
  });

  app.post('/console/api/identifiers/:id/passes/reset', { config: write, schema: { tags, hide, params: IdParams } }, async (request) => {
    await resetIdentifierPasses(db, panelContextOf(operatorOf(request), clock), idOf(request.params.id, 'identifier'));
    return {};
  });

  app.delete('/console/api/people/:id/pin', { config: write, schema: { tags, hide, params: IdParams } }, async (request) => {
    const operator = operatorOf(request);
    await clearPin(db, operator.site, idOf(request.params.id, 'person'), operator.actor, clock.now());
    return {};
  });

  app.post('/console/api/people/:id/anonymize', { config: write, schema: { tags, hide, params: IdParams, body: Anonymize } }, async (request) => {
    const operator = operatorOf(request);
    const id = idOf(request.params.id, 'person');
    return anonymizePerson(db, operator.site, id, request.body.confirmation, operator.actor, clock.now());
  });
}
