import { listSpec, readUid } from '../../http/basip/list-query.ts';
import { basipListRoute, emptyAnswer, operatorRoute, operatorCall } from '../../http/basip/routes.ts';
import { operatorOf } from '../../http/plugins/operator-auth.ts';
import type { ResourceModule } from '../module.ts';
import { presentApartment } from './apartments.basip.presenter.ts';
import { APARTMENT_LIST_COLUMNS } from './apartments.repository.ts';
import { ApartmentCreate, ApartmentObject, ApartmentUidParams, ApartmentUserParams, EmptyAnswer, UidAnswer } from './apartments.basip.schema.ts';
import * as service from './apartments.service.ts';

const APARTMENT_LIST = listSpec(
  { uid: 'id', apartment_name: 'name', building: 'building', unit: 'unit', floor: 'floor', room: 'room' },
  APARTMENT_LIST_COLUMNS,
  'uid',
);

/** BAS-IP apartments: places in the address hierarchy that users and identifiers belong to. */
export const apartmentsModule: ResourceModule = {
  name: 'apartments',
  register(app, { db, clock }) {
    app.post('/api/v1/apartment', {
      ...operatorRoute('BAS-IP: create an apartment at a free logical address.', { body: ApartmentCreate, response: { 200: UidAnswer } }),
      handler: async (request) => ({ uid: await service.createApartment(db, operatorCall(request, clock), request.body) }),
    });

    app.get('/api/v1/apartment/item/:uid', {
      ...operatorRoute('BAS-IP: one apartment.', { params: ApartmentUidParams, response: { 200: ApartmentObject } }),
      handler: async (request) => {
        const site = operatorOf(request).site;
        return presentApartment(await service.getApartment(db, site.id, readUid(request.params.uid, service.WRONG_APARTMENT_UID)));
      },
    });

    app.delete('/api/v1/apartment/item/:uid', {
      ...operatorRoute('BAS-IP: delete an apartment; its users and identifiers stay, belonging to no apartment.', {
        params: ApartmentUidParams,
        response: { 200: EmptyAnswer },
      }),
      handler: async (request) =>
        emptyAnswer(service.deleteApartment(db, operatorCall(request, clock), readUid(request.params.uid, service.WRONG_APARTMENT_UID))),
    });

    basipListRoute(app, {
      url: '/api/v1/apartment/items',
      summary: 'BAS-IP: the apartments, a page at a time, sorted and filtered on uid, apartment_name or an address part.',
      spec: APARTMENT_LIST,
      item: ApartmentObject,
      page: (operator, list) => service.listApartments(db, operator.site.id, list),
      present: ({ rows }) => rows.map(presentApartment),
    });

    app.post('/api/v1/apartment/item/:apartment_uid/user/:user_uid', {
      ...operatorRoute('BAS-IP: make a user a member of an apartment (again: no change).', {
        params: ApartmentUserParams,
        response: { 200: EmptyAnswer },
      }),
      handler: async (request) => {
        const apartment = readUid(request.params.apartment_uid, service.WRONG_APARTMENT_UID);
        const user = readUid(request.params.user_uid, service.WRONG_USER_UID);
        return emptyAnswer(service.addUserToApartment(db, operatorCall(request, clock), apartment, user));
      },
    });
  },
};
