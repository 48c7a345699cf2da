import { Type } from 'typebox';
import { notReadyBecause } from '../../db/readiness.ts';
import { ERRORS } from '../../domain/errors.ts';
import { data } from '../../http/lockt/envelope.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { BATCH_OPTION_DEFAULTS } from '../../domain/batch.ts';
import { DataEnvelope, ErrorEnvelope } from '../../http/schemas.ts';
import { readRelease } from '../../lib/release.ts';
import { formatIsoUtc, formatSiteTime, zoneOffset } from '../../lib/site-time.ts';
import { presentMaintenanceWindow } from '../maintenance/maintenance.presenter.ts';
import { MaintenanceObject } from '../maintenance/maintenance.schema.ts';
import { listMaintenanceWindows } from '../maintenance/maintenance.service.ts';
import { type AppContext, LOCKT_API_KEY, LOCKT_SECURITY, type ResourceModule, type TypedApp } from '../module.ts';
import { describeObject } from './object-types.ts';
import { AboutObject, HealthObject, ObjectListItem, ObjectQuery, PingObject, PropertyItem, SettingsObject, SiteObject } from './system.schema.ts';

const tags = ['system'];

/** `/ping` (with credentials) and the unauthenticated `/health` and `/ready` probes. */
function probeRoutes(app: TypedApp, { db, clock }: AppContext): void {
  app.get('/api/v1/ping', {
    config: LOCKT_API_KEY,
    schema: { tags, security: LOCKT_SECURITY, summary: 'Check connectivity and credentials.', response: { 200: DataEnvelope(PingObject) } },
    handler: async (request) => {
      const { site } = principalOf(request);
      return data({ message: 'pong', site_id: site.id, server_time: formatIsoUtc(clock.now()) });
    },
  });

  app.get('/api/v1/health', {
    schema: {
      tags,
      security: [],
      summary: 'Extension: liveness, without credentials: 200 while the process answers.',
      response: { 200: DataEnvelope(HealthObject) },
    },
    handler: async () => data({ status: 'ok' }),
  });

  app.get('/api/v1/ready', {
    schema: {
      tags,
      security: [],
      summary:
        'Extension: readiness, without credentials: 200 when the store answers, its schema is current and the change feed is connected; else 503 with the reason and Retry-After.',
      response: { 200: DataEnvelope(HealthObject), 503: { ...ErrorEnvelope, description: 'Not ready, and why: "Not ready: <reason>."' } },
    },
    handler: async () => {
      const reason = await notReadyBecause(db);
      if (reason !== null) throw ERRORS.notReady(reason);
      return data({ status: 'ready' });
    },
  });
}

/** `/about`, `/site` and `/settings`: the release, the key's site and its settings. */
function siteInfoRoutes(app: TypedApp, { clock, bodyLimit }: AppContext): void {
  const release = readRelease();
  app.get('/api/v1/about', {
    config: LOCKT_API_KEY,
    schema: { tags, security: LOCKT_SECURITY, summary: 'Current release notes.', response: { 200: DataEnvelope(AboutObject) } },
    handler: async () => data(release),
  });

  app.get('/api/v1/site', {
    config: LOCKT_API_KEY,
    schema: { tags, security: LOCKT_SECURITY, summary: 'Basic site information.', response: { 200: DataEnvelope(SiteObject) } },
    handler: async (request) => {
      const { site } = principalOf(request);
      const now = clock.now();
      return data({
        id: site.id,
        name: site.name,
        timezone: site.timezone,
        server_time: formatSiteTime(now, site.timezone),
        utc_offset: zoneOffset(now, site.timezone),
        server_time_utc: formatIsoUtc(now),
      });
    },
  });

  app.get('/api/v1/settings', {
    config: LOCKT_API_KEY,
    schema: {
      tags,
      security: LOCKT_SECURITY,
      summary: "This key's settings and the option defaults.",
      response: { 200: DataEnvelope(SettingsObject) },
    },
    handler: async (request) => {
      const { apiuser, maxBatchSize, site } = principalOf(request);
      return data({
        apiuser,
        max_batch_size: maxBatchSize,
        enabled: true,
        body_limit_bytes: bodyLimit,
        option_defaults: { ...BATCH_OPTION_DEFAULTS },
        card_num_max_length: site.settings.cardNumMaxLength,
        pin_min_length: site.settings.pinMinLength,
        pin_max_length: site.settings.pinMaxLength,
        unique_pins: site.settings.uniquePins,
        events_limit: site.settings.eventsLimit,
      });
    },
  });
}

/** `/maintenance`: the site's maintenance windows running now or still to come. */
function maintenanceRoutes(app: TypedApp, { db, clock }: AppContext): void {
  app.get('/api/v1/maintenance', {
    config: LOCKT_API_KEY,
    schema: {
      tags,
      security: LOCKT_SECURITY,
      summary: 'Scheduled maintenance: windows running now or still to come.',
      response: { 200: DataEnvelope(Type.Array(MaintenanceObject)) },
    },
    handler: async (request) => {
      const { site } = principalOf(request);
      const windows = await listMaintenanceWindows(db, site.id, clock);
      return data(windows.map((w) => presentMaintenanceWindow(w, site.timezone)));
    },
  });
}

/** `/object`: the object types the API knows, and what each one's fields are. */
function objectRoutes(app: TypedApp, { objectTypes }: AppContext): void {
  app.get('/api/v1/object', {
    config: LOCKT_API_KEY,
    schema: {
      tags,
      security: LOCKT_SECURITY,
      summary: 'List object types (?listtypes) or describe one (?type=NAME).',
      querystring: ObjectQuery,
      response: { 200: DataEnvelope(Type.Union([Type.Array(ObjectListItem), Type.Array(PropertyItem)])) },
    },
    handler: async (request) => {
      const { listtypes, type } = request.query;
      if (type !== undefined) {
        const schema = objectTypes.get(type);
        if (!schema) throw ERRORS.badRequest(`Unknown object type: ${type}. See /object?listtypes.`);
        return data(describeObject(schema));
      }
      if (listtypes !== undefined) {
        return data([...objectTypes.keys()].sort().map((object) => ({ object })));
      }
      throw ERRORS.badRequest('Supply ?listtypes or ?type=NAME.');
    },
  });
}

/** `/ping`, `/about`, `/site`, `/settings`, `/maintenance` and `/object`: the spec's system endpoints. */
export const systemModule: ResourceModule = {
  name: 'system',
  objectTypes: { maintenance: MaintenanceObject, site: SiteObject, settings: SettingsObject, about: AboutObject },
  register(app, context) {
    for (const routes of [probeRoutes, siteInfoRoutes, maintenanceRoutes, objectRoutes]) routes(app, context);
  },
};
