import { Type } from 'typebox';
import { answer } from '../../access/access.service.ts';
import { describeRule } from '../../access/decide.ts';
import { readPresented } from '../../access/presented.ts';
import { ERRORS } from '../../domain/errors.ts';
import { data } from '../../http/lockt/envelope.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { DataEnvelope } from '../../http/schemas.ts';
import { formatSiteTime, parseWireTime } from '../../lib/site-time.ts';
import { LOCKT_API_KEY, LOCKT_SECURITY, type ResourceModule } from '../module.ts';
import { ExplainQuery, ExplanationObject } from './access.schema.ts';

/**
 * `GET /access` (extension): what a device would be told, and why, without recording anything: the same
 * decision the devices get, at now or at a given instant, with every check it ran.
 */
export const accessModule: ResourceModule = {
  name: 'access',
  register(app, { access, clock }) {
    app.get('/api/v1/access', {
      config: LOCKT_API_KEY,
      schema: {
        tags: ['access'],
        security: LOCKT_SECURITY,
        summary: 'Extension: explain whether a credential opens a door now (or at ?at=), check by check. Records nothing.',
        querystring: ExplainQuery,
        response: { 200: DataEnvelope(Type.Array(ExplanationObject)) },
      },
      handler: async (request) => {
        const { site } = principalOf(request);
        const { card_num, pin, credential_key } = request.query;
        const presented = readPresented({ cardNum: card_num, pin, credentialKey: credential_key });
        let at = clock.now();
        if (request.query.at !== undefined) {
          const parsed = parseWireTime(request.query.at, site.timezone);
          if (!parsed.ok || parsed.value === null) throw ERRORS.badRequest(`Invalid at date found: ${request.query.at}`);
          at = parsed.value;
        }
        const deviceId = request.query.device_id === undefined ? null : Number(request.query.device_id);
        const result = await answer(access, { site, doorId: Number(request.query.door_id), presented, at, deviceId });
        const { decision } = result;
        const rule = decision.rule;
        return data([
          {
            granted: decision.granted,
            code: result.code,
            code_text: result.codeText,
            subcode: result.subcode,
            subcode_text: result.subcodeText,
            reason: decision.explanation,
            rule: rule === null ? null : describeRule(rule),
            at: formatSiteTime(at, site.timezone),
            trace: decision.trace,
          },
        ]);
      },
    });
  },
};
