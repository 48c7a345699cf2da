import { pagedListRoute } from '../../http/lockt/routes.ts';
import type { ResourceModule } from '../module.ts';
import { presentDoorState } from './door-states.presenter.ts';
import * as repo from './door-states.repository.ts';
import { DoorStateObject } from './door-states.schema.ts';

/**
 * `/doorstate`: read-only, so the module has no service; the state itself is written by the devices
 * (a later issue).
 */
export const doorStatesModule: ResourceModule = {
  name: 'door-states',
  objectTypes: { doorstate: DoorStateObject },
  register(app, context) {
    pagedListRoute(app, {
      url: '/api/v1/doorstate',
      tags: ['doorstate'],
      summary: 'List every door with its battery level.',
      object: DoorStateObject,
      list: repo.listDoorStates,
      present: presentDoorState,
      context,
    });
  },
};
