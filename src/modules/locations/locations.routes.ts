import { toBool, toId } from '../../domain/batch-checks.ts';
import { batchOperation } from '../../domain/batch.ts';
import { batchWrite, deleteById, resourceRoutes } from '../../http/lockt/routes.ts';
import type { ResourceModule } from '../module.ts';
import { presentLocation } from './locations.presenter.ts';
import * as repo from './locations.repository.ts';
import { LocationCreate, LocationDelete, LocationObject, LocationUpdate } from './locations.schema.ts';
import * as service from './locations.service.ts';

const tags = ['location'];

const create = batchOperation({
  node: 'locations',
  record: LocationCreate,
  parse: (record): service.NewLocation => ({ name: record.name, locationType: toId(record.locationtype) }),
  check: service.checkNewLocations,
  write: service.insertLocations,
});

const update = batchOperation({
  node: 'locations',
  record: LocationUpdate,
  parse: (record): service.LocationChange => ({
    id: toId(record.id),
    name: record.name,
    locationType: toId(record.locationtype),
    enabled: toBool(record.enabled),
  }),
  check: service.checkLocationChanges,
  write: service.updateLocations,
});

const remove = deleteById('locations', LocationDelete, service.checkLocationDeletions, service.deleteLocations);

/** `/location`: GET and POST as the spec has them; PUT and DELETE as extensions. */
export const locationsModule: ResourceModule = {
  name: 'locations',
  objectTypes: { location: LocationObject, location_create: LocationCreate, location_update: LocationUpdate },
  register(app, context) {
    resourceRoutes(app, context, {
      url: '/api/v1/location',
      tags,
      list: { summary: 'List all locations.', object: LocationObject, list: repo.listLocations, present: presentLocation },
      writes: [
        batchWrite('POST', 'Create locations.', create),
        batchWrite('PUT', 'Extension: update locations; only the properties supplied change.', update),
        batchWrite('DELETE', 'Extension: delete locations no door uses.', remove),
      ],
    });
  },
};
