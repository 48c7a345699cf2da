import type { FastifyRequest } from 'fastify';
import { isCrossSiteBrowserRequest } from '../../http/browser-requests.ts';
import { deviceOf } from '../../http/plugins/device-auth.ts';
import { operatorRoute, operatorCall, tags } from '../../http/basip/routes.ts';
import { operatorOf } from '../../http/plugins/operator-auth.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { AppContext, ResourceModule, TypedApp } from '../module.ts';
import { presentPanelDecision, presentRemoteControlSettings } from './panels.basip.presenter.ts';
import {
  CloseAnswer,
  EmergencyCloseRequest,
  EmergencyOpenRequest,
  LockNumberParams,
  OpenAnswer,
  PanelAccessAnswer,
  PanelAccessRequest,
  PanelKeyParams,
  RemoteControlSettings,
  RemoteControlSettingsUpdate,
} from './panels.basip.schema.ts';
import * as service from './panels.service.ts';

/** The remote-access URL a panel is given, as this request reached Portcullis (the console shows it too). */
export const panelAccessUrl = (request: FastifyRequest) =>
  `${request.protocol}://${request.host}/api/v1/panel/${service.DEVICE_KEY_PLACEHOLDER}/access`;

type Deps = Pick<AppContext, 'db' | 'clock' | 'access'>;

/** The remote-access server a panel posts every identifier it reads to. */
function accessRoutes(app: TypedApp, { db, clock, access }: Deps): void {
  app.post('/api/v1/panel/:device_key/access', {
    schema: {
      tags,
      summary:
        "BAS-IP: a panel's remote-access server. Give each panel this URL (its device key in the path) as custom_server_api_url; it posts every identifier it reads.",
      params: PanelKeyParams,
      body: PanelAccessRequest,
      response: { 200: PanelAccessAnswer },
    },
    // The panel can be given only a URL, so its key is the path segment; checked before the body is read.
    onRequest: async (request) => {
      request.device = await app.authenticateDeviceKey(request.params.device_key);
    },
    handler: async (request) => {
      const { identifier_number: number, identifier_type: type } = request.body;
      const decision = await service.decideForPanel(db, access, deviceOf(request), { type, number: String(number).trim() }, clock.now());
      return presentPanelDecision(decision);
    },
  });
}

/** Remote and emergency opening, and the end of an emergency opening. */
function lockRoutes(app: TypedApp, { db, clock }: Deps): void {
  app.get('/api/v1/access/general/lock/open/remote/accepted/:lockNumber', {
    ...operatorRoute('BAS-IP: open a lock (0: every lock) on every panel of the site that drives it, through a remote-unlock command.', {
      params: LockNumberParams,
      response: { 200: OpenAnswer },
    }),
    // The panel API defines this state-changing GET; a browser could be made to send it (docs/abuse.md).
    preHandler: async (request) => {
      if (isCrossSiteBrowserRequest(request)) {
        throw ERRORS.forbidden('Opening a lock by GET is refused from a browser page or navigation: Origin or Sec-Fetch headers name one');
      }
    },
    handler: async (request) => {
      const operator = operatorOf(request);
      const lockNumber = Number(request.params.lockNumber);
      const queued = await service.openLocks(db, operator.site, [lockNumber], service.operatorRequest(operator), clock.now());
      return { queued };
    },
  });

  app.post('/api/v1/access/general/lock/open/emergency', {
    ...operatorRoute('BAS-IP: emergency opening of these locks on every panel of the site that drives them (administrators).', {
      body: EmergencyOpenRequest,
      response: { 200: OpenAnswer },
    }),
    handler: async (request) => {
      const operator = operatorOf(request);
      const locks = request.body.locks.map((l) => ({ lockNumber: l.lock_number, unlockTime: l.unlock_time ?? null }));
      return { queued: await service.emergencyOpen(db, operator.site, operator, locks, clock.now()) };
    },
  });

  app.post('/api/v1/access/general/lock/close/emergency', {
    ...operatorRoute('BAS-IP: call off an emergency opening of these locks: unlocks no device has collected yet are withdrawn (administrators).', {
      body: EmergencyCloseRequest,
      response: { 200: CloseAnswer },
    }),
    handler: async (request) => {
      if (request.body.locks.length === 0) throw ERRORS.badRequest('List cannot be empty');
      return { withdrawn: await service.closeLocks(db, operatorCall(request, clock), request.body.locks) };
    },
  });
}

/** The site's remote-control settings for its panels. */
function settingsRoutes(app: TypedApp, { db, clock }: Deps): void {
  app.get('/api/v1/access/general/remote/control/settings', {
    ...operatorRoute("BAS-IP: the site's remote-control settings, with the URL template to give each panel.", {
      response: { 200: RemoteControlSettings },
    }),
    handler: async (request) => presentRemoteControlSettings(await service.panelSettings(db, operatorOf(request).site.id), panelAccessUrl(request)),
  });

  app.post('/api/v1/access/general/remote/control/settings', {
    ...operatorRoute('BAS-IP: save the site\'s remote-control settings; with either flag off, panels are answered {"handled": false}.', {
      body: RemoteControlSettingsUpdate,
      response: { 200: RemoteControlSettings },
    }),
    handler: async (request) => {
      const { enabled, custom_server_enabled: customServerEnabled, custom_server_api_url: customServerApiUrl } = request.body;
      const saved = await service.savePanelSettings(db, operatorCall(request, clock), { enabled, customServerEnabled, customServerApiUrl });
      return presentRemoteControlSettings(saved, panelAccessUrl(request));
    },
  });
}

/** BAS-IP panels as Portcullis devices: their remote-access questions, remote opening, and the settings. */
export const panelsModule: ResourceModule = {
  name: 'panels',
  register(app, deps) {
    accessRoutes(app, deps);
    lockRoutes(app, deps);
    settingsRoutes(app, deps);
  },
};
