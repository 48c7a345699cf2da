import { listSpec, readUid } from '../../http/basip/list-query.ts';
import { basipListRoute, emptyAnswer, operatorRoute, operatorCall } from '../../http/basip/routes.ts';
import { operatorOf } from '../../http/plugins/operator-auth.ts';
import type { ResourceModule } from '../module.ts';
import { presentTimeProfile } from './time-profiles.basip.presenter.ts';
import { TIME_PROFILE_LIST_COLUMNS } from './time-profiles.repository.ts';
import {
  EmptyAnswer,
  TimeProfileCreate,
  TimeProfileObject,
  TimeProfileUidParams,
  TimeProfileUpdate,
  UidAnswer,
} from './time-profiles.basip.schema.ts';
import * as service from './time-profiles.service.ts';

const TIME_PROFILE_LIST = listSpec({ uid: 'id', name: 'name' }, TIME_PROFILE_LIST_COLUMNS, 'uid');

const ITEM = '/api/v1/access/timeprofile/item/:uid';

/** BAS-IP time profiles: schedules with a repeat rule, attached to identifiers and users. */
export const timeProfilesModule: ResourceModule = {
  name: 'time-profiles',
  register(app, { db, clock }) {
    app.post('/api/v1/access/timeprofile', {
      ...operatorRoute('BAS-IP: create a time profile; every problem of its rule is named.', {
        body: TimeProfileCreate,
        response: { 200: UidAnswer },
      }),
      handler: async (request) => ({ uid: await service.createTimeProfile(db, operatorCall(request, clock), request.body) }),
    });

    app.get(ITEM, {
      ...operatorRoute('BAS-IP: one time profile.', { params: TimeProfileUidParams, response: { 200: TimeProfileObject } }),
      handler: async (request) =>
        presentTimeProfile(await service.getTimeProfile(db, operatorOf(request).site.id, readUid(request.params.uid, service.WRONG_UID))),
    });

    app.patch(ITEM, {
      ...operatorRoute('BAS-IP: change a time profile; time_options and repeat_options each replace the stored ones whole.', {
        params: TimeProfileUidParams,
        body: TimeProfileUpdate,
        response: { 200: EmptyAnswer },
      }),
      handler: async (request) =>
        emptyAnswer(service.updateTimeProfile(db, operatorCall(request, clock), readUid(request.params.uid, service.WRONG_UID), request.body)),
    });

    app.delete(ITEM, {
      ...operatorRoute('BAS-IP: delete a time profile and its attachments to identifiers and users.', {
        params: TimeProfileUidParams,
        response: { 200: EmptyAnswer },
      }),
      handler: async (request) =>
        emptyAnswer(service.deleteTimeProfile(db, operatorCall(request, clock), readUid(request.params.uid, service.WRONG_UID))),
    });

    basipListRoute(app, {
      url: '/api/v1/access/timeprofile/items',
      summary: 'BAS-IP: the time profiles, a page at a time, sorted and filtered on uid or name.',
      spec: TIME_PROFILE_LIST,
      item: TimeProfileObject,
      page: (operator, list) => service.listTimeProfiles(db, operator.site.id, list),
      present: ({ rows }) => rows.map(presentTimeProfile),
    });
  },
};
