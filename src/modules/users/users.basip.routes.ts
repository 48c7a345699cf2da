import type { FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { listSpec, readUid } from '../../http/basip/list-query.ts';
import { basipListRoute, emptyAnswer, operatorRoute } from '../../http/basip/routes.ts';
import { operatorScope } from '../credentials/identifiers.service.ts';
import { operatorOf } from '../../http/plugins/operator-auth.ts';
import type { Clock } from '../../lib/clock.ts';
import type { AppContext, ResourceModule, TypedApp } from '../module.ts';
import * as service from './users.basip.service.ts';
import { USER_LIST_COLUMNS } from './users.repository.ts';
import { presentBasipUser, presentLinkedUserDeletions, presentLinkedUsers, presentUserCreated, presentUserWrite } from './users.basip.presenter.ts';
import {
  BasipUserCreate,
  BasipUserLinkUpsert,
  BasipUserObject,
  BasipUserUpdate,
  UserCreateAnswer,
  UserLinkIds,
  UserLinkResults,
  UserWriteAnswer,
} from './users.basip.schema.ts';

const Empty = Type.Object({});
const LIST_SPEC = listSpec(
  { item_uid: 'id', name: 'name', info: 'info', lock_number: 'lockNumber', is_custom_user_access: 'customAccess', link_id: 'linkId' },
  USER_LIST_COLUMNS,
  'item_uid',
);

const ItemParams = Type.Object({ uid: Type.String() });

const userUid = (text: string) => readUid(text, 'Wrong User uid');

/** A user body's fields as the service names them. */
function changesOf(body: Partial<Static<typeof BasipUserCreate>>): service.PanelUserChanges {
  return {
    name: body.name,
    info: body.info,
    authFactors: body.auth_factors,
    lockNumber: body.lock_number,
    customAccess: body.is_custom_user_access,
  };
}

function context(request: FastifyRequest, clock: Clock): service.BasipUserContext {
  const operator = operatorOf(request);
  return { siteId: operator.site.id, site: operator.site, actor: operator.actor, clock, now: clock.now(), ...operatorScope(operator) };
}

type Deps = Pick<AppContext, 'db' | 'clock'>;

/** `/access/users/item…`: one user at a time. */
function itemRoutes(app: TypedApp, { db, clock }: Deps): void {
  app.get('/api/v1/access/users/item/:uid', {
    ...operatorRoute('BAS-IP: one user with its identifiers, apartments and time profiles.', {
      params: ItemParams,
      response: { 200: BasipUserObject },
    }),
    handler: async (request) => presentBasipUser(await service.getBasipUser(db, operatorOf(request).site.id, userUid(request.params.uid))),
  });

  app.patch('/api/v1/access/users/item/:uid', {
    ...operatorRoute('BAS-IP: change a user; only the fields sent change. has_dublicates: another user has the same name.', {
      params: ItemParams,
      body: BasipUserUpdate,
      response: { 200: UserWriteAnswer },
    }),
    handler: async (request) =>
      presentUserWrite(await service.updateBasipUser(db, context(request, clock), userUid(request.params.uid), changesOf(request.body))),
  });

  app.delete('/api/v1/access/users/item/:uid', {
    ...operatorRoute('BAS-IP: delete a user with its identifiers (as Lockt DELETE /user does with cards); its fobs stay, unassigned.', {
      params: ItemParams,
      response: { 200: Empty },
    }),
    handler: async (request) => emptyAnswer(service.deleteBasipUser(db, context(request, clock), userUid(request.params.uid))),
  });

  app.post('/api/v1/access/users/item', {
    ...operatorRoute('BAS-IP: create a user (a cardholder, seen by Lockt GET /user too). has_dublicates: another user has the same name.', {
      body: BasipUserCreate,
      response: { 200: UserCreateAnswer },
    }),
    handler: async (request) => presentUserCreated(await service.createBasipUser(db, context(request, clock), changesOf(request.body))),
  });
}

/** Giving a user an identifier or a time profile. */
function bindingRoutes(app: TypedApp, { db, clock }: Deps): void {
  app.post('/api/v1/access/user/:uid/identifier/:identifierUid', {
    ...operatorRoute('BAS-IP: give an identifier to a user.', {
      params: Type.Object({ uid: Type.String(), identifierUid: Type.String() }),
      response: { 200: Empty },
    }),
    handler: async (request) => {
      const userId = userUid(request.params.uid);
      const identifierId = readUid(request.params.identifierUid, 'Wrong Identifier uid');
      return emptyAnswer(service.attachIdentifierToUser(db, context(request, clock), userId, identifierId));
    },
  });

  app.post('/api/v1/access/user/:uid/timeprofile/:profileUid', {
    ...operatorRoute('BAS-IP: attach a time profile to a user; once any is attached, one must be active for the user to get in.', {
      params: Type.Object({ uid: Type.String(), profileUid: Type.String() }),
      response: { 200: Empty },
    }),
    handler: async (request) => {
      const userId = userUid(request.params.uid);
      const profileId = readUid(request.params.profileUid, 'Wrong Timeprofile uid');
      return emptyAnswer(service.attachTimeProfileToUser(db, context(request, clock), userId, profileId));
    },
  });
}

/** `/access/users/items`: the paged list. */
function listRoutes(app: TypedApp, { db }: Deps): void {
  basipListRoute(app, {
    url: '/api/v1/access/users/items',
    summary: 'BAS-IP: list users (paged, sorted, filtered).',
    spec: LIST_SPEC,
    item: BasipUserObject,
    page: (operator, list) => service.listBasipUserPage(db, operator.site.id, list),
    present: ({ views }) => views.map(presentBasipUser),
  });
}

/** `/access/users/items/link`: writing and deleting users by the client's link_ids. */
function linkRoutes(app: TypedApp, { db, clock }: Deps): void {
  app.post('/api/v1/access/users/items/link', {
    ...operatorRoute('BAS-IP: create or update users by link_id (failing that, an unlinked user of the same name is updated).', {
      body: BasipUserLinkUpsert,
      response: { 200: UserLinkResults },
    }),
    handler: async (request) => {
      const items = request.body.list_items.map((item) => ({ ...changesOf(item), linkId: item.link_id }));
      return presentLinkedUsers(await service.upsertUsersByLink(db, context(request, clock), items));
    },
  });

  app.delete('/api/v1/access/users/items/link', {
    ...operatorRoute('BAS-IP: delete users by link_id.', { body: UserLinkIds, response: { 200: UserLinkResults } }),
    handler: async (request) => presentLinkedUserDeletions(await service.deleteUsersByLink(db, context(request, clock), request.body.link_ids)),
  });
}

/** The panel face's users (`/access/users/…`, `/access/user/…`): the site's cardholders. */
export const usersBasipModule: ResourceModule = {
  name: 'users-basip',
  register(app, deps) {
    itemRoutes(app, deps);
    bindingRoutes(app, deps);
    listRoutes(app, deps);
    linkRoutes(app, deps);
  },
};
