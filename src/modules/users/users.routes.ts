import { Type } from 'typebox';
import { ERRORS } from '../../domain/errors.ts';
import { batchWrite, batchWrites, deleteById, streamPaged } from '../../http/lockt/routes.ts';
import { PagingQuery } from '../../http/paging.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { DataEnvelope } from '../../http/schemas.ts';
import { LOCKT_API_KEY, LOCKT_SECURITY, type ResourceModule } from '../module.ts';
import { createUsers, updateUsers } from './users.operations.ts';
import { presentUser } from './users.presenter.ts';
import { UserCreate, UserDelete, UserObject, UserQuery } from './users.schema.ts';
import { registerPeopleFileRoutes } from './users.csv.routes.ts';
import { type UserSelection, checkUserDeletions, deleteUsers, userListFilter, userViewById, userViews } from './users.service.ts';

const tags = ['user'];

const remove = deleteById('users', UserDelete, checkUserDeletions, deleteUsers);

interface UserQueryValues {
  id?: string | undefined;
  id_num?: string | undefined;
  idnum?: string | undefined;
  missingcreds?: string | undefined;
  privileged?: string | undefined;
  installers?: string | undefined;
}

/** The one selection a GET /user names; `?idnum=` is the spelling of the spec's own example. */
function selectionOf(query: UserQueryValues): UserSelection {
  const given = (['id', 'id_num', 'idnum', 'missingcreds', 'privileged', 'installers'] as const).filter((k) => query[k] !== undefined);
  if (given.length > 1) throw ERRORS.badRequest(`Use only one of ${given.join(', ')}.`);
  const idNum = query.id_num ?? query.idnum;
  if (query.id !== undefined) return { by: 'id', id: Number(query.id) };
  if (idNum !== undefined) return { by: 'id_num', idNum: idNum.trim() };
  if (query.missingcreds !== undefined) return { by: 'missingcreds' };
  if (query.privileged !== undefined) return { by: 'privileged' };
  if (query.installers !== undefined) return { by: 'installers' };
  return { by: 'all' };
}

/** `/user`: list and read (GET), bulk create and update (POST), selective update (PUT), delete. */
export const usersModule: ResourceModule = {
  name: 'users',
  objectTypes: { user: UserObject, user_create: UserCreate, user_delete: UserDelete },
  register(app, context) {
    const { db } = context;
    registerPeopleFileRoutes(app, context);
    app.get('/api/v1/user', {
      config: LOCKT_API_KEY,
      schema: {
        tags,
        security: LOCKT_SECURITY,
        summary: 'List cardholders; or one by ?id= / ?id_num=, those with no credential (?missingcreds), or operators (?privileged, ?installers).',
        querystring: Type.Object({ ...PagingQuery, ...UserQuery.properties }),
        response: { 200: DataEnvelope(Type.Array(UserObject)) },
      },
      handler: async (request, reply) => {
        const { site } = principalOf(request);
        const selection = selectionOf(request.query);
        const filter = userListFilter(selection);
        const detail = selection.by === 'id' || selection.by === 'id_num';
        return streamPaged(
          reply,
          request.query,
          (after, n) => (selection.by === 'id' ? userViewById(db, site.id, selection.id, after) : userViews(db, site.id, filter, after, n)),
          (view) => presentUser(view, { detail }),
        );
      },
    });

    batchWrites(app, { url: '/api/v1/user', tags, context }, [
      batchWrite('POST', 'Create (id -1) and update cardholders in bulk.', createUsers),
      batchWrite('PUT', 'Update one cardholder: only the properties sent change.', updateUsers),
      batchWrite('DELETE', 'Delete cardholders; the fobs they held stay, unassigned.', remove),
    ]);
  },
};
