import { Type } from 'typebox';
import { keysetChunks, mapChunks } from '../../db/keyset.ts';
import { sendDataStream } from '../../http/lockt/stream.ts';
import { PagingQuery, readPaging } from '../../http/paging.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { DataEnvelope } from '../../http/schemas.ts';
import { LOCKT_API_KEY, LOCKT_SECURITY, type LocktModule } from '../module.ts';
import { presentDoorState } from './door-states.presenter.ts';
import * as repo from './door-states.repository.ts';
import { DoorStateObject } from './door-states.schema.ts';

/**
 * `/doorstate`: read-only, so the module has no service; the state itself is written by the devices
 * (a later issue).
 */
export const doorStatesModule: LocktModule = {
  name: 'door-states',
  objectTypes: { doorstate: DoorStateObject },
  register(app, { db }) {
    app.get('/api/v1/doorstate', {
      config: LOCKT_API_KEY,
      schema: {
        tags: ['doorstate'],
        security: LOCKT_SECURITY,
        summary: 'List every door with its battery level.',
        querystring: Type.Object(PagingQuery),
        response: { 200: DataEnvelope(Type.Array(DoorStateObject)) },
      },
      handler: async (request, reply) => {
        const { site } = principalOf(request);
        const { limit, afterId } = readPaging(request.query);
        const chunks = keysetChunks((after, n) => repo.listDoorStates(db, site.id, after, n), { afterId, total: limit });
        return sendDataStream(reply, mapChunks(chunks, presentDoorState));
      },
    });
  },
};
