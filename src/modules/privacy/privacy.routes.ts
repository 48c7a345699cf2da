import { Type } from 'typebox';
import { data } from '../../http/lockt/envelope.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { DataEnvelope, NumericParam } from '../../http/schemas.ts';
import { LOCKT_API_KEY, LOCKT_SECURITY, type ResourceModule } from '../module.ts';
import { anonymizeUser } from './privacy.service.ts';

const AnonymizeResultObject = Type.Object({
  user_id: Type.Integer(),
  anonymized: Type.Boolean(),
  events: Type.Integer({ description: 'Events whose user name and card number were replaced.' }),
});

/** `POST /anonymize?user_id=ID`: the spec's "pending release" endpoint. */
export const privacyModule: ResourceModule = {
  name: 'privacy',
  register(app, { db, clock }) {
    app.post('/api/v1/anonymize', {
      config: LOCKT_API_KEY,
      schema: {
        tags: ['user'],
        security: LOCKT_SECURITY,
        summary:
          "Anonymize a user's personal data (names, email, phone, id_num, PIN) in the user record and its events. Ids and counts stay; idempotent.",
        querystring: Type.Object({ user_id: NumericParam('user_id', 'The user to anonymize.') }),
        response: { 200: DataEnvelope(AnonymizeResultObject) },
      },
      handler: async (request) => {
        const principal = principalOf(request);
        return data(await anonymizeUser(db, principal.site.id, Number(request.query.user_id), principal.actor, clock.now()));
      },
    });
  },
};
