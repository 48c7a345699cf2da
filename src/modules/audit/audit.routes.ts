import { Type } from 'typebox';
import { MAX_LOG_ID, waitUntilSettled } from '../../db/log-ids.ts';
import { data } from '../../http/lockt/envelope.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { DataEnvelope } from '../../http/schemas.ts';
import { LOCKT_API_KEY, LOCKT_SECURITY, type ResourceModule } from '../module.ts';
import { presentAudit } from './audit.presenter.ts';
import { listAuditAfter, listNewestAudit } from './audit.repository.ts';
import { AuditObject, AuditQuery } from './audit.schema.ts';

/** `GET /audit` (extension): the audit trail, paged exactly like `/events`. */
export const auditModule: ResourceModule = {
  name: 'audit',
  objectTypes: { audit: AuditObject },
  register(app, { db }) {
    app.get('/api/v1/audit', {
      config: LOCKT_API_KEY,
      schema: {
        tags: ['audit'],
        security: LOCKT_SECURITY,
        summary: 'Extension: the newest audit records (at most events_limit), newest first; with ?id=X the records after X, oldest first.',
        querystring: AuditQuery,
        response: { 200: DataEnvelope(Type.Array(AuditObject)) },
      },
      handler: async (request) => {
        const { site } = principalOf(request);
        const limit = site.settings.eventsLimit;
        const { id } = request.query;
        const afterId = id === undefined ? 0 : Math.min(Number(id), MAX_LOG_ID);
        await waitUntilSettled(db, 'audit', site.id, afterId);
        const rows = id === undefined ? await listNewestAudit(db, site.id, limit) : await listAuditAfter(db, site.id, afterId, limit);
        return data(rows.map(presentAudit));
      },
    });
  },
};
