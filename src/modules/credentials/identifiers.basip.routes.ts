import type { FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { IDENTIFIER_LIST_COLUMNS } from './credentials.repository.ts';
import { ERRORS } from '../../domain/errors.ts';
import { listSpec, readUid } from '../../http/basip/list-query.ts';
import { basipListRoute, emptyAnswer, operatorRoute } from '../../http/basip/routes.ts';
import type { OperatorPrincipal } from '../operator-sessions/operator-sessions.service.ts';
import { operatorOf } from '../../http/plugins/operator-auth.ts';
import type { Clock } from '../../lib/clock.ts';
import type { AppContext, ResourceModule, TypedApp } from '../module.ts';
import { presentIdDeletions, presentIdentifier, presentLinkResults, presentQrPng } from './identifiers.basip.presenter.ts';
import {
  IdentifierCreate,
  type IdentifierLinkItem,
  IdentifierLinkUpsert,
  IdentifierObject,
  IdentifierUpdate,
  LinkIdQuery,
  LinkIdsBody,
  LinkResults,
  UidItemsBody,
  UidResults,
} from './identifiers.basip.schema.ts';
import * as service from './identifiers.service.ts';

const Empty = Type.Object({});
const ItemParams = Type.Object({ uid: Type.String() });
const LIST_SPEC = listSpec(
  {
    identifier_uid: 'id',
    identifier_number: 'number',
    identifier_type: 'type',
    name: 'owner',
    owner_type: 'ownerType',
    lock: 'lock',
    user_uid: 'userId',
    apartment_uid: 'apartmentId',
    link_id: 'linkId',
  },
  IDENTIFIER_LIST_COLUMNS,
  'identifier_uid',
);

const identifierUid = (text: string) => readUid(text, 'Wrong Identifier uid');
const profileUid = (text: string) => readUid(text, 'Wrong Timeprofile uid');
const apartmentUid = (text: string) => readUid(text, 'Wrong Apartment uid');

type Deps = Pick<AppContext, 'db' | 'clock'>;

function contextOf(operator: OperatorPrincipal, clock: Clock): service.PanelContext {
  return { siteId: operator.site.id, actor: operator.actor, now: clock.now(), ...service.operatorScope(operator) };
}

const context = (request: FastifyRequest, clock: Clock) => contextOf(operatorOf(request), clock);

/**
 * An identifier body as the service reads it. The validity period may come beside `passes` (the
 * documentation) or inside it (SmartYard-Server's default payload); both are passed on, to agree.
 */
function identifierOf(body: Static<typeof IdentifierUpdate>): service.IdentifierInput {
  const passes = body.valid?.passes;
  return {
    ownerName: body.identifier_owner?.name,
    ownerType: body.identifier_owner?.type,
    type: body.identifier_type,
    number: body.identifier_number,
    lock: body.lock,
    periods: [body.valid?.time, passes?.time].flatMap((time) =>
      time === undefined ? [] : [{ permanent: time.is_permanent, from: time.from, to: time.to }],
    ),
    passes: passes && { permanent: passes.is_permanent, max: passes.max_passes },
  };
}

function linkItemOf(item: Static<typeof IdentifierLinkItem>): service.IdentifierLinkInput {
  return {
    ...identifierOf(item),
    linkId: item.link_id,
    apartmentLinkId: item.apartment_link_id,
    timeProfileLinkIds: item.time_profiles?.link_ids,
    passesLeft: item.additional?.passes_left,
  };
}

/** `/access/identifier` and `/access/identifier/item/{uid}`: one identifier at a time. */
function itemRoutes(app: TypedApp, { db, clock }: Deps): void {
  app.post('/api/v1/access/identifier', {
    ...operatorRoute('BAS-IP: create an identifier (card, ukey, inputCode, face_id, qr, license_plate); it opens the panel locks by itself.', {
      body: IdentifierCreate,
      response: { 200: Type.Object({ uid: Type.Integer() }) },
    }),
    handler: async (request) => ({ uid: await service.createIdentifier(db, context(request, clock), identifierOf(request.body)) }),
  });

  app.get('/api/v1/access/identifier/item/:uid', {
    ...operatorRoute('BAS-IP: one identifier.', { params: ItemParams, response: { 200: IdentifierObject } }),
    handler: async (request) => {
      const { row, profiles } = await service.getIdentifier(db, service.scopeOf(context(request, clock)), identifierUid(request.params.uid));
      return presentIdentifier(row, profiles);
    },
  });

  app.patch('/api/v1/access/identifier/item/:uid', {
    ...operatorRoute('BAS-IP: change an identifier; only the fields sent change (a new pass allowance starts full).', {
      params: ItemParams,
      body: IdentifierUpdate,
      response: { 200: Empty },
    }),
    handler: async (request) =>
      emptyAnswer(service.updateIdentifier(db, context(request, clock), identifierUid(request.params.uid), identifierOf(request.body))),
  });

  app.delete('/api/v1/access/identifier/item/:uid', {
    ...operatorRoute('BAS-IP: delete an identifier.', { params: ItemParams, response: { 200: Empty } }),
    handler: async (request) => emptyAnswer(service.deleteIdentifier(db, context(request, clock), identifierUid(request.params.uid))),
  });

  app.post('/api/v1/access/identifier/item/:uid/passes/reset', {
    ...operatorRoute('BAS-IP: give a pass-limited identifier its whole allowance again.', { params: ItemParams, response: { 200: Empty } }),
    handler: async (request) => emptyAnswer(service.resetIdentifierPasses(db, context(request, clock), identifierUid(request.params.uid))),
  });

  app.get('/api/v1/access/identifier/item/:uid/qr', {
    ...operatorRoute("BAS-IP: a qr identifier's code as a PNG image.", {
      params: ItemParams,
      response: {
        200: { description: 'The PNG image.', content: { 'image/png': { schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) } } },
      },
    }),
    handler: async (request, reply) => {
      const number = await service.qrNumber(db, service.scopeOf(context(request, clock)), identifierUid(request.params.uid));
      return reply.type('image/png').send(await presentQrPng(number));
    },
  });
}

/** Binding an identifier to time profiles and to an apartment. */
function bindingRoutes(app: TypedApp, { db, clock }: Deps): void {
  const ProfileParams = Type.Object({ uid: Type.String(), profileUid: Type.String() });
  for (const [method, verb] of [
    ['POST', 'attach a time profile to'],
    ['DELETE', 'detach a time profile from'],
  ] as const) {
    app.route({
      method,
      url: '/api/v1/access/identifier/item/:uid/timeprofile/:profileUid',
      ...operatorRoute(`BAS-IP: ${verb} an identifier.`, { params: ProfileParams, response: { 200: Empty } }),
      handler: async (request) => {
        const id = identifierUid(request.params.uid);
        const profile = profileUid(request.params.profileUid);
        return emptyAnswer(service.setIdentifierTimeProfile(db, context(request, clock), id, profile, method === 'POST'));
      },
    });
  }

  app.post('/api/v1/apartment/item/:apartmentUid/identifier/:uid', {
    ...operatorRoute('BAS-IP: place an identifier in an apartment.', {
      params: Type.Object({ apartmentUid: Type.String(), uid: Type.String() }),
      response: { 200: Empty },
    }),
    handler: async (request) => {
      const apartment = apartmentUid(request.params.apartmentUid);
      return emptyAnswer(service.setIdentifierApartment(db, context(request, clock), identifierUid(request.params.uid), apartment));
    },
  });

  app.post('/api/v1/apartment/item/unbind/identifier/:uid', {
    ...operatorRoute('BAS-IP: take an identifier out of its apartment.', { params: ItemParams, response: { 200: Empty } }),
    handler: async (request) => emptyAnswer(service.setIdentifierApartment(db, context(request, clock), identifierUid(request.params.uid), null)),
  });
}

/** `/access/identifier/items`: the paged list and deletion by uid. */
function listRoutes(app: TypedApp, { db, clock }: Deps): void {
  basipListRoute(app, {
    url: '/api/v1/access/identifier/items',
    summary: 'BAS-IP: list identifiers, Lockt credentials among them (paged, sorted, filtered).',
    spec: LIST_SPEC,
    item: IdentifierObject,
    page: (operator, list) => service.listIdentifierPage(db, service.scopeOf(contextOf(operator, clock)), list),
    present: ({ rows, profiles }) => rows.map((row) => presentIdentifier(row, profiles)),
  });

  app.delete('/api/v1/access/identifier/items', {
    ...operatorRoute('BAS-IP: delete identifiers by uid; each is reported deleted or not_found.', {
      body: UidItemsBody,
      response: { 200: UidResults },
    }),
    handler: async (request) => presentIdDeletions(await service.deleteIdentifiers(db, context(request, clock), request.body.uid_items)),
  });
}

/** `/access/identifier/items/link`: reading, writing and deleting identifiers by the client's link_ids. */
function linkRoutes(app: TypedApp, { db, clock }: Deps): void {
  app.get('/api/v1/access/identifier/items/link', {
    ...operatorRoute('BAS-IP: the identifiers with these link_ids (?link_id=, several separated by commas).', {
      querystring: LinkIdQuery,
      response: { 200: Type.Object({ list_items: Type.Array(IdentifierObject) }) },
    }),
    handler: async (request) => {
      const linkIds = (request.query.link_id ?? '')
        .split(',')
        .map((l) => l.trim())
        .filter((l) => l !== '');
      if (linkIds.length === 0) throw ERRORS.badRequest('Required parameters missed');
      const { rows, profiles } = await service.identifiersByLinkIds(db, service.scopeOf(context(request, clock)), linkIds);
      return { list_items: rows.map((row) => presentIdentifier(row, profiles)) };
    },
  });

  app.post('/api/v1/access/identifier/items/link', {
    ...operatorRoute('BAS-IP: create or update identifiers by link_id, with their apartment and time profiles by link_id.', {
      body: IdentifierLinkUpsert,
      response: { 200: LinkResults },
    }),
    handler: async (request) =>
      presentLinkResults(await service.upsertIdentifiersByLink(db, context(request, clock), request.body.list_items.map(linkItemOf))),
  });

  app.delete('/api/v1/access/identifier/items/link', {
    ...operatorRoute('BAS-IP: delete identifiers by link_id.', { body: LinkIdsBody, response: { 200: LinkResults } }),
    handler: async (request) => presentLinkResults(await service.deleteIdentifiersByLink(db, context(request, clock), request.body.link_ids)),
  });
}

/** The panel face's identifiers: `/access/identifier…`, and binding identifiers to apartments. */
export const identifiersBasipModule: ResourceModule = {
  name: 'identifiers-basip',
  register(app, deps) {
    itemRoutes(app, deps);
    bindingRoutes(app, deps);
    listRoutes(app, deps);
    linkRoutes(app, deps);
  },
};
