import { toBool, toId } from '../../domain/batch-checks.ts';
import type { BatchOperation, SiteCall } from '../../domain/batch.ts';
import { batchWriteRoute, deleteById, pagedListRoute } from '../../http/lockt/routes.ts';
import type { LocktModule } from '../module.ts';
import { presentLocation } from './locations.presenter.ts';
import * as repo from './locations.repository.ts';
import { LocationCreate, LocationDelete, LocationObject, LocationUpdate } from './locations.schema.ts';
import * as service from './locations.service.ts';

const tags = ['location'];

type Operation<Input, Plan> = BatchOperation<Input, Plan, SiteCall>;

const create: Operation<service.NewLocation, service.LocationInsertPlan> = {
  node: 'locations',
  record: LocationCreate,
  options: ['validate_fails_batch'],
  summary: 'write',
  parse: (record) => ({ name: record.name as string | undefined, locationType: toId(record.locationtype) }),
  check: (trx, inputs, _options, context) => service.checkNewLocations(trx, inputs, context),
  write: (trx, plans, _options, context) => service.insertLocations(trx, plans, context),
};

const update: Operation<service.LocationChange, service.LocationUpdatePlan> = {
  node: 'locations',
  record: LocationUpdate,
  options: ['validate_fails_batch'],
  summary: 'write',
  parse: (record) => ({
    id: toId(record.id),
    name: record.name as string | undefined,
    locationType: toId(record.locationtype),
    enabled: toBool(record.enabled),
  }),
  check: (trx, inputs, _options, context) => service.checkLocationChanges(trx, inputs, context),
  write: (trx, plans, _options, context) => service.updateLocations(trx, plans, context),
};

const remove = deleteById('locations', LocationDelete, service.checkLocationDeletions, service.deleteLocations);

/** `/location`: GET and POST as the spec has them; PUT and DELETE as extensions. */
export const locationsModule: LocktModule = {
  name: 'locations',
  objectTypes: { location: LocationObject, location_create: LocationCreate, location_update: LocationUpdate },
  register(app, context) {
    pagedListRoute(app, {
      url: '/api/v1/location',
      tags,
      summary: 'List all locations.',
      object: LocationObject,
      list: repo.listLocations,
      present: presentLocation,
      context,
    });

    batchWriteRoute(app, {
      method: 'POST',
      url: '/api/v1/location',
      tags,
      summary: 'Create locations.',
      operation: create,
      context,
    });

    batchWriteRoute(app, {
      method: 'PUT',
      url: '/api/v1/location',
      tags,
      summary: 'Extension: update locations; only the properties supplied change.',
      operation: update,
      context,
    });

    batchWriteRoute(app, {
      method: 'DELETE',
      url: '/api/v1/location',
      tags,
      summary: 'Extension: delete locations no door uses.',
      operation: remove,
      context,
    });
  },
};
