import { isRecord } from '../../lib/guards.ts';
import { Type } from 'typebox';
import { ERRORS } from '../../domain/errors.ts';
import { listSpec } from '../../http/basip/list-query.ts';
import { basipListRoute, operatorRoute, operatorCall } from '../../http/basip/routes.ts';
import { operatorOf } from '../../http/plugins/operator-auth.ts';
import type { AppContext, ResourceModule, TypedApp } from '../module.ts';
import {
  DeviceTime,
  DoorStatus,
  ExitButton,
  FlatParams,
  ForwardItem,
  ForwardObject,
  ForwardUids,
  LANGUAGES,
  LANGUAGE_SETTING,
  LanguageAnswer,
  LanguageQuery,
  LockParams,
  MODE_SETTING,
  NetworkMac,
  SETTINGS,
  type SettingDefinition,
  ServerCertificate,
  SipStatus,
  StaticNetwork,
  UnitModeQuery,
  WallModeQuery,
} from './device-settings.schema.ts';
import { FORWARD_LIST_COLUMNS } from './device-settings.repository.ts';
import * as service from './device-settings.service.ts';

const FORWARD_LIST = listSpec({ forward_number: 'forwardNumber' }, FORWARD_LIST_COLUMNS, 'forward_number');

/**
 * What a panel does that Portcullis cannot: refused in the panel's format, touching nothing. A client
 * calling them learns at once rather than believing a panel rebooted or was reset.
 */
const REFUSED: readonly { method: 'GET' | 'POST'; path: string; why: string }[] = [
  { method: 'GET', path: 'system/reboot/run', why: 'Portcullis is not a panel and does not reboot; restart its service instead' },
  { method: 'POST', path: 'system/reboot/run', why: 'Portcullis is not a panel and does not reboot; restart its service instead' },
  {
    method: 'POST',
    path: 'system/settings/default',
    why: "Resetting to defaults is not available: it would not reset the site's data, and nothing else is a panel's",
  },
  { method: 'GET', path: 'system/settings/backup/all', why: 'Backups are not available through the panel API: back up the Portcullis store' },
  { method: 'GET', path: 'photo/file', why: 'Portcullis has no camera' },
  { method: 'GET', path: 'system/firmware/check/status', why: 'Portcullis has no panel firmware to check or update; upgrade Portcullis itself' },
  { method: 'POST', path: 'security/password/admin', why: 'Operator passwords are changed with `portcullis operator set-password`' },
  { method: 'POST', path: 'security/password/web/admin', why: 'Operator passwords are changed with `portcullis operator set-password`' },
  { method: 'POST', path: 'system/debug/call/start', why: 'Portcullis places no SIP calls' },
  { method: 'POST', path: 'system/debug/call/end', why: 'Portcullis places no SIP calls, so there is none to end' },
];

function settingRoutes(
  app: TypedApp,
  db: Parameters<ResourceModule['register']>[1]['db'],
  clock: Parameters<ResourceModule['register']>[1]['clock'],
  definition: SettingDefinition,
): void {
  const perLock = definition.path.includes('{lock}');
  const url = `/api/v1/${definition.path.replace('{lock}', ':lock')}`;
  const lockOf = (params: unknown) => (perLock && isRecord(params) ? Number(params.lock) : 1);
  const effect = definition.effect ?? 'Stored and read back; no effect in Portcullis.';
  app.get(url, {
    ...operatorRoute(`BAS-IP: ${definition.summary}`, { ...(perLock ? { params: LockParams } : {}), response: { 200: definition.schema } }),
    handler: async (request) => service.readSetting(db, operatorOf(request).site, definition, lockOf(request.params), clock.now()),
  });
  if (perLock) {
    // A client that names no lock (a Home Assistant integration's sensor) reads the first lock's.
    app.get(`/api/v1/${definition.path.replace('/{lock}', '')}`, {
      ...operatorRoute(`BAS-IP: ${definition.summary} (lock 1, for clients that name no lock)`, { response: { 200: definition.schema } }),
      handler: async (request) => service.readSetting(db, operatorOf(request).site, definition, 1, clock.now()),
    });
  }
  app.post(url, {
    ...operatorRoute(`BAS-IP: save ${definition.summary.charAt(0).toLowerCase()}${definition.summary.slice(1)} ${effect}`, {
      ...(perLock ? { params: LockParams } : {}),
      body: Type.Partial(definition.schema),
      response: { 200: definition.schema },
    }),
    handler: async (request) =>
      service.saveSetting(db, operatorCall(request, clock), definition, lockOf(request.params), isRecord(request.body) ? request.body : {}),
  });
}

/** The stored setting at `path`; the definitions are fixed, so a missing one is a programming error. */
function settingAt(path: string): SettingDefinition {
  const definition = SETTINGS.find((s) => s.path === path);
  if (definition === undefined) throw new Error(`no panel setting ${path}`);
  return definition;
}

const timezoneSetting = settingAt('network/timezone');
const networkSetting = settingAt('network/settings');
const sensorSetting = settingAt('access/door/sensor');

/** What a client reads of the panel itself: its mode and language, its time, MAC address and SIP state. */
function readOnlyRoutes(app: TypedApp, { db, clock }: AppContext): void {
  // Mode and language are written through their query strings (queryStringSettingRoutes), not a JSON body.
  app.get(`/api/v1/${MODE_SETTING.path}`, {
    ...operatorRoute(`BAS-IP: ${MODE_SETTING.summary}`, { response: { 200: MODE_SETTING.schema } }),
    handler: async (request) => service.readSetting(db, operatorOf(request).site, MODE_SETTING, 1, clock.now()),
  });
  app.get(`/api/v1/${LANGUAGE_SETTING.path}`, {
    ...operatorRoute(`BAS-IP: ${LANGUAGE_SETTING.summary}`, { response: { 200: LanguageAnswer } }),
    handler: async (request) => {
      const { language, current_language } = await service.readSetting(db, operatorOf(request).site, LANGUAGE_SETTING, 1, clock.now());
      return { language: String(language), current_language: String(current_language), all_supported_languages: [...LANGUAGES] };
    },
  });

  app.get('/api/v1/device/time', {
    ...operatorRoute("BAS-IP: the time now, and the zone of network/timezone (the site's until saved).", { response: { 200: DeviceTime } }),
    handler: async (request) => {
      const now = clock.now();
      const zone = await service.readSetting(db, operatorOf(request).site, timezoneSetting, 1, now);
      return { time_unix: Math.floor(now / 1000), timezone: String(zone.timezone), device_timezone: String(zone.timezone) };
    },
  });
  app.get('/api/v1/network/mac', {
    ...operatorRoute('BAS-IP: a stable, locally administered MAC address per site (02:50:43:…).', { response: { 200: NetworkMac } }),
    handler: async (request) => ({ mac_address: service.siteMac(operatorOf(request).site.id) }),
  });
  app.get('/api/v1/sip/status', {
    ...operatorRoute('BAS-IP: SIP registration: always unregistered, Portcullis places no calls.', { response: { 200: SipStatus } }),
    handler: async () => ({ sip_status: 'unregistered' }),
  });
}

/** The network actions a client sends (static address, DHCP) and the Link certificate it reads. */
function networkRoutes(app: TypedApp, { db, clock }: AppContext): void {
  app.post('/api/v1/network/settings/static', {
    ...operatorRoute("BAS-IP: give the panel a static address. Stored in network/settings; no effect (Portcullis's network is its host's).", {
      body: StaticNetwork,
      response: { 200: networkSetting.schema },
    }),
    handler: async (request) => service.saveSetting(db, operatorCall(request, clock), networkSetting, 1, { ...request.body, dhcp: false }),
  });
  app.post('/api/v1/network/settings/dhcp', {
    ...operatorRoute('BAS-IP: take addresses from DHCP. Stored in network/settings; no effect.', { response: { 200: networkSetting.schema } }),
    handler: async (request) => service.saveSetting(db, operatorCall(request, clock), networkSetting, 1, { dhcp: true }),
  });
  app.get('/api/v1/network/management/server/certificate', {
    ...operatorRoute('BAS-IP: the Link server certificate: none, Portcullis is not managed by Link.', { response: { 200: ServerCertificate } }),
    handler: async () => ({ uploaded: false }),
  });
}

/** The door's live status and whether its sensor acts as an exit button, from the site's devices and settings. */
function doorRoutes(app: TypedApp, { db, clock }: AppContext): void {
  app.get('/api/v1/access/door/status', {
    ...operatorRoute("BAS-IP: the door status, from what the site's devices last reported of the doors they drive (docs/basip.md).", {
      response: { 200: DoorStatus },
    }),
    handler: async (request) => service.doorStatus(db, operatorOf(request).site, sensorSetting, clock.now()),
  });
  app.get('/api/v1/access/exit/button/toggle', {
    ...operatorRoute("BAS-IP: whether the door sensor's contacts act as an exit button (access/door/sensor: enabled, mode exit_button).", {
      response: { 200: ExitButton },
    }),
    handler: async (request) => ({ enable: await service.exitButtonEnabled(db, operatorOf(request).site, sensorSetting, clock.now()) }),
  });
}

/** The settings written through a query string rather than a JSON body: language and panel mode. */
function queryStringSettingRoutes(app: TypedApp, { db, clock }: AppContext): void {
  app.post('/api/v1/device/language', {
    ...operatorRoute("BAS-IP: set the panel interface's language (?language=Russian). Stored and read back; no effect.", {
      querystring: LanguageQuery,
      response: { 200: LANGUAGE_SETTING.schema },
    }),
    handler: async (request) => service.saveSetting(db, operatorCall(request, clock), LANGUAGE_SETTING, 1, { language: request.query.language }),
  });
  app.post('/api/v1/device/mode/wall', {
    ...operatorRoute('BAS-IP: serve a whole building (?noUnit=true&device=1). Stored and read back; no effect.', {
      querystring: WallModeQuery,
      response: { 200: MODE_SETTING.schema },
    }),
    handler: async (request) => {
      const { noUnit, device } = request.query;
      const mode = {
        current_panel_mode: 'Wall',
        ...(noUnit === undefined ? {} : { no_unit: noUnit === 'true' }),
        ...(device === undefined ? {} : { device: Number(device) }),
      };
      return service.saveSetting(db, operatorCall(request, clock), MODE_SETTING, 1, mode);
    },
  });
  app.post('/api/v1/device/mode/unit', {
    ...operatorRoute('BAS-IP: serve one unit (?building=1&unit=1&device=1). Stored and read back; no effect.', {
      querystring: UnitModeQuery,
      response: { 200: MODE_SETTING.schema },
    }),
    handler: async (request) => {
      const mode: Record<string, unknown> = { current_panel_mode: 'Unit' };
      for (const field of ['building', 'unit', 'device'] as const) {
        const value = request.query[field];
        if (value !== undefined) mode[field] = Number(value);
      }
      return service.saveSetting(db, operatorCall(request, clock), MODE_SETTING, 1, mode);
    },
  });
}

/** Call forwarding per flat: stored and read back, no effect. */
function forwardRoutes(app: TypedApp, { db, clock }: AppContext): void {
  basipListRoute(app, {
    url: '/api/v1/forward/items',
    summary: 'BAS-IP: call forwarding of every flat, a page at a time. Stored and read back; no effect.',
    spec: FORWARD_LIST,
    item: ForwardObject,
    page: (operator, list) => service.listForwards(db, operator.site.id, list),
    // Stored as the wire shows them.
    present: ({ rows }) => rows,
  });
  app.delete('/api/v1/forward/items', {
    ...operatorRoute('BAS-IP: remove the call forwarding of these flats.', {
      body: ForwardUids,
      response: { 200: Type.Object({ deleted: Type.Integer() }) },
    }),
    handler: async (request) => {
      return { deleted: await service.deleteForwards(db, operatorCall(request, clock), request.body.uid_items) };
    },
  });
  app.get('/api/v1/forward/item/:flat', {
    ...operatorRoute("BAS-IP: one flat's call forwarding.", { params: FlatParams, response: { 200: ForwardObject } }),
    handler: async (request) => service.findForward(db, operatorOf(request).site.id, request.params.flat),
  });
  app.post('/api/v1/forward/item/:flat', {
    ...operatorRoute("BAS-IP: set one flat's call forwarding. Stored and read back; no effect (Portcullis places no calls).", {
      params: FlatParams,
      body: ForwardItem,
      response: { 200: ForwardObject },
    }),
    handler: async (request) => {
      return service.saveForward(db, operatorCall(request, clock), request.params.flat, request.body.forward_entity_list);
    },
  });
}

/** What a panel does that Portcullis cannot, refused in the panel's format (REFUSED). */
function refusedRoutes(app: TypedApp): void {
  for (const refused of REFUSED) {
    app.route({
      method: refused.method,
      url: `/api/v1/${refused.path}`,
      ...operatorRoute(`BAS-IP: refused. ${refused.why}.`, {}),
      handler: async () => {
        throw ERRORS.badRequest(`${refused.why}.`);
      },
    });
  }
}

/** The panel's own settings (sip, audio, lock timeouts, ntp, …), call forwarding, and what is refused. */
export const panelDeviceSettingsModule: ResourceModule = {
  name: 'panel-device-settings',
  register(app, context) {
    for (const definition of SETTINGS) settingRoutes(app, context.db, context.clock, definition);
    for (const routes of [readOnlyRoutes, networkRoutes, doorRoutes, queryStringSettingRoutes, forwardRoutes, refusedRoutes]) routes(app, context);
  },
};
