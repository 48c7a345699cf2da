import { batchOperation } from '../../domain/batch.ts';
import { batchWrite, deleteById, resourceRoutes } from '../../http/lockt/routes.ts';
import type { ResourceModule } from '../module.ts';
import { presentLocationType } from './location-types.presenter.ts';
import * as repo from './location-types.repository.ts';
import { LocationTypeCreate, LocationTypeDelete, LocationTypeObject } from './location-types.schema.ts';
import { checkLocationTypeDeletions, checkNewLocationTypes, deleteLocationTypes, insertLocationTypes } from './location-types.service.ts';

const tags = ['locationtype'];

const create = batchOperation({
  node: 'locationtypes',
  record: LocationTypeCreate,
  check: checkNewLocationTypes,
  write: insertLocationTypes,
});

const remove = deleteById('locationtypes', LocationTypeDelete, checkLocationTypeDeletions, deleteLocationTypes);

/** `/locationtype`: GET as the spec has it; POST and DELETE as extensions. */
export const locationTypesModule: ResourceModule = {
  name: 'location-types',
  objectTypes: { locationtype: LocationTypeObject, locationtype_create: LocationTypeCreate },
  register(app, context) {
    resourceRoutes(app, context, {
      url: '/api/v1/locationtype',
      tags,
      list: { summary: 'List all location types.', object: LocationTypeObject, list: repo.listLocationTypes, present: presentLocationType },
      writes: [
        batchWrite('POST', 'Extension: create location types.', create),
        batchWrite('DELETE', 'Extension: delete location types no location uses.', remove),
      ],
    });
  },
};
