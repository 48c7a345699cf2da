import type { BatchOperation, SiteCall } from '../../domain/batch.ts';
import { batchWriteRoute, deleteById, pagedListRoute } from '../../http/lockt/routes.ts';
import type { LocktModule } from '../module.ts';
import { presentLocationType } from './location-types.presenter.ts';
import * as repo from './location-types.repository.ts';
import { LocationTypeCreate, LocationTypeDelete, LocationTypeObject } from './location-types.schema.ts';
import {
  type NewLocationType,
  checkLocationTypeDeletions,
  checkNewLocationTypes,
  deleteLocationTypes,
  insertLocationTypes,
} from './location-types.service.ts';

const tags = ['locationtype'];

const create: BatchOperation<NewLocationType, { name: string; key: string }, SiteCall> = {
  node: 'locationtypes',
  record: LocationTypeCreate,
  options: ['validate_fails_batch'],
  summary: 'write',
  parse: (record) => ({ name: record.name as string | undefined }),
  check: (trx, inputs, _options, context) => checkNewLocationTypes(trx, inputs, context),
  write: (trx, plans, _options, context) => insertLocationTypes(trx, plans, context),
};

const remove = deleteById('locationtypes', LocationTypeDelete, checkLocationTypeDeletions, deleteLocationTypes);

/** `/locationtype`: GET as the spec has it; POST and DELETE as extensions. */
export const locationTypesModule: LocktModule = {
  name: 'location-types',
  objectTypes: { locationtype: LocationTypeObject, locationtype_create: LocationTypeCreate },
  register(app, context) {
    pagedListRoute(app, {
      url: '/api/v1/locationtype',
      tags,
      summary: 'List all location types.',
      object: LocationTypeObject,
      list: repo.listLocationTypes,
      present: presentLocationType,
      context,
    });

    batchWriteRoute(app, {
      method: 'POST',
      url: '/api/v1/locationtype',
      tags,
      summary: 'Extension: create location types.',
      operation: create,
      context,
    });

    batchWriteRoute(app, {
      method: 'DELETE',
      url: '/api/v1/locationtype',
      tags,
      summary: 'Extension: delete location types no location uses.',
      operation: remove,
      context,
    });
  },
};
