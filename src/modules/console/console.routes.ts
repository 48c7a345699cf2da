import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import { type Static, Type } from 'typebox';
import { ERRORS } from '../../domain/errors.ts';
import { MAX_LOG_ID } from '../../db/log-ids.ts';
import { runBatch } from '../../http/batch.ts';
import { csvText, sendCsv } from '../../http/csv.ts';
import { addressKey } from '../../http/plugins/caller.ts';
import { clearConsoleCookie, consoleToken, csrfTokenOf, setConsoleCookie } from '../../http/plugins/console-auth.ts';
import { operatorOf } from '../../http/plugins/operator-auth.ts';
import { IdInput } from '../../http/schemas.ts';
import { presentAudit } from '../audit/audit.presenter.ts';
import { removeCredentials } from '../credentials/credentials.routes.ts';
import { changeSite, getSite } from '../sites/sites.service.ts';
import { panelAccessUrl } from '../panels/panels.basip.routes.ts';
import { EventStreams, lastEventId } from '../events/event-stream.ts';
import type { AppContext, ResourceModule, TypedApp } from '../module.ts';
import { consoleSessionHolds, consoleSignIn, logout } from '../operator-sessions/operator-sessions.service.ts';
import { createUsers, updateUsers } from '../users/users.operations.ts';
import { userIdsByIdNum } from '../users/users.repository.ts';
import { capabilitiesOf } from './console-permissions.ts';
import { IdParams, batchCallerOf, idOf, optionalId } from './console-params.ts';
import { accessRoutes } from './console-access.routes.ts';
import { personRoutes } from './console-person.routes.ts';
import { presentExplanation, presentPerson, presentPersonSummary, presentSiteSettings } from './console.presenter.ts';
import { accessLevelChoices, dashboard, personPage, searchPeople } from './console.service.ts';
import { changeSiteApiKey, createSiteApiKey, revokeSiteApiKey, siteApiKeys } from './console-keys.service.ts';
import { attachSiteDoor, detachSiteDoor, issueDevice, panelUrlTemplate, revokeSiteDevice, siteDevices } from './console-devices.service.ts';
import { explain, whoCanOpen } from './console-access.service.ts';
import { doorList, doorPage, emergencyOpenLock, unlockDoor } from './console-doors.service.ts';
import { doorAdminRoutes } from './console-door-admin.routes.ts';
import { doorModeRoutes } from './console-door-modes.routes.ts';
import {
  EVENT_CSV_COLUMNS,
  auditChoices,
  auditPage,
  consoleEventsAfter,
  denialReasons,
  eventExportChunks,
  eventPage,
} from './console-events.service.ts';

/**
 * The console's pages: scripts and styles only from this origin, no inline script or style, nothing
 * from another site (docs/console.md). Chart.js sets its canvas's size through the DOM, which a policy
 * allows; only style attributes in markup would need 'unsafe-inline'.
 */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const here = dirname(fileURLToPath(import.meta.url));
const chartJs = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');

/** Every file the console serves, by name: a fixed list read once, so no path from a URL reaches the disk. */
const ASSETS: Record<string, { path: string; type: string }> = {
  'app.js': { path: join(here, 'public/app.js'), type: 'text/javascript' },
  'dom.js': { path: join(here, 'public/dom.js'), type: 'text/javascript' },
  'dashboard.js': { path: join(here, 'public/dashboard.js'), type: 'text/javascript' },
  'people.js': { path: join(here, 'public/people.js'), type: 'text/javascript' },
  'person.js': { path: join(here, 'public/person.js'), type: 'text/javascript' },
  'doors.js': { path: join(here, 'public/doors.js'), type: 'text/javascript' },
  'lockdown.js': { path: join(here, 'public/lockdown.js'), type: 'text/javascript' },
  'door-admin.js': { path: join(here, 'public/door-admin.js'), type: 'text/javascript' },
  'devices.js': { path: join(here, 'public/devices.js'), type: 'text/javascript' },
  'settings.js': { path: join(here, 'public/settings.js'), type: 'text/javascript' },
  'events.js': { path: join(here, 'public/events.js'), type: 'text/javascript' },
  'explain.js': { path: join(here, 'public/explain.js'), type: 'text/javascript' },
  'access.js': { path: join(here, 'public/access.js'), type: 'text/javascript' },
  'console.css': { path: join(here, 'public/console.css'), type: 'text/css' },
  'chart.umd.min.js': { path: chartJs, type: 'text/javascript' },
};

const JSON_API = { auth: 'console' } as const;
const tags = ['console'];
const hide = true;

const SignIn = Type.Object(
  { username: Type.String({ minLength: 1 }), password: Type.String({ minLength: 1 }) },
  { required: ['username', 'password'] },
);
const PeopleQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  after: Type.Optional(IdInput('after', 'The last id of the page before.')),
});
const PageQuery = Type.Object({
  after: Type.Optional(IdInput('after', 'The last id of the page before.')),
  before: Type.Optional(IdInput('before', 'The oldest id of the page before (pages newest first).')),
});
const ExplainQuery = Type.Object(
  {
    door_id: IdInput('door_id', 'The door.'),
    card_num: Type.Optional(Type.String({ maxLength: 64 })),
    person_id: Type.Optional(IdInput('person_id', 'A person, each of whose credentials is explained.')),
    at: Type.Optional(
      Type.String({ maxLength: 40, description: "A time in the site's zone (YYYY-MM-DD HH:MM:SS) or ISO 8601 with an offset; none: now." }),
    ),
  },
  { required: ['door_id'] },
);
const EventsQuery = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 40 })),
  to: Type.Optional(Type.String({ maxLength: 40 })),
  door_id: Type.Optional(IdInput('door_id', 'Only this door.')),
  person_id: Type.Optional(IdInput('person_id', 'Only this person.')),
  outcome: Type.Optional(Type.Union([Type.Literal('granted'), Type.Literal('denied')])),
  reason: Type.Optional(IdInput('reason', 'A decision subcode.')),
  before: Type.Optional(IdInput('before', 'The oldest id of the page before.')),
});
const AuditQuery = Type.Object({
  actor: Type.Optional(Type.String({ maxLength: 200, description: 'Only changes by this operator, API key or CLI user, as the log names them.' })),
  resource: Type.Optional(Type.String({ maxLength: 64, description: 'Only changes to this resource (users, accesslevels, site, …).' })),
  from: Type.Optional(Type.String({ maxLength: 40 })),
  to: Type.Optional(Type.String({ maxLength: 40 })),
  before: Type.Optional(IdInput('before', 'The oldest id of the page before.')),
});
const DeviceCreate = Type.Object(
  { name: Type.String({ maxLength: 200 }), door_ids: Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 255 }) },
  { required: ['name', 'door_ids'], additionalProperties: false },
);
const DoorAttach = Type.Object(
  { door_id: Type.Integer({ minimum: 1 }), lock_number: Type.Optional(Type.Integer({ minimum: 1, maximum: 255 })) },
  { required: ['door_id'], additionalProperties: false },
);
const DeviceDoorParams = Type.Object({ id: IdInput('id', 'The device.'), door: IdInput('door', 'The door.') }, { required: ['id', 'door'] });
const SiteUpdate = Type.Partial(
  Type.Object(
    {
      name: Type.String({ maxLength: 200 }),
      timezone: Type.String({ maxLength: 64 }),
      card_num_max_length: Type.Integer(),
      pin_min_length: Type.Integer(),
      pin_max_length: Type.Integer(),
      unique_pins: Type.Boolean(),
      events_limit: Type.Integer(),
    },
    { additionalProperties: false },
  ),
);
const ApiUserParams = Type.Object({ apiuser: Type.String({ maxLength: 64 }) }, { required: ['apiuser'] });
const ApiKeyUpdate = Type.Partial(Type.Object({ max_batch_size: Type.Integer(), enabled: Type.Boolean() }, { additionalProperties: false }));
const EmergencyOpen = Type.Object(
  { lock_number: Type.Integer({ minimum: 0, maximum: 255, description: 'The lock to open; 0 for every lock.' }) },
  { required: ['lock_number'], additionalProperties: false },
);

/** A log id (events, audit) from a URL: larger than the integer ids of rows (src/db/log-ids.ts), capped as `/events` caps it. */
const logIdOf = (value: number | string | undefined) => (value === undefined ? undefined : Math.min(Number(value), MAX_LOG_ID));

/** What the person form sends: the Lockt user record's fields, under the console's names. */
const PersonFields = {
  id_num: Type.String(),
  first_name: Type.String(),
  last_name: Type.String(),
  email: Type.String(),
  phone: Type.String(),
  pin: Type.String(),
  card_num: Type.String(),
  // In the site's zone, as the Lockt user write reads them; "" clears.
  access_effective: Type.String({ maxLength: 40 }),
  access_expires: Type.String({ maxLength: 40 }),
  enabled: Type.Boolean(),
  access_levels: Type.Array(Type.Integer()),
};
const PersonCreate = Type.Object(PersonFields, {
  required: ['id_num', 'first_name', 'last_name', 'email', 'phone', 'pin'],
  additionalProperties: false,
});
const PersonUpdate = Type.Partial(Type.Object(PersonFields, { additionalProperties: false }));

type PersonBody = Partial<Static<typeof PersonUpdate>>;

/** The form's fields as a record of the user writes (POST and PUT /user), so every rule is theirs. */
function userRecord(id: number, body: PersonBody): Record<string, unknown> {
  const { access_levels: levels, card_num: card, pin, ...rest } = body;
  return {
    id,
    ...rest,
    // Blank: none given (a PIN the form leaves empty is kept; an absent card is not added).
    ...(pin !== undefined && pin !== '' ? { pin } : {}),
    ...(card !== undefined && card !== '' ? { card_num: card } : {}),
    ...(levels !== undefined ? { accesslevels: levels.map((level) => ({ id: level })) } : {}),
  };
}

/** `/console`: the operator console, its sign-in and its JSON routes under `/console/api/`. */
export const consoleModule: ResourceModule = {
  name: 'console',
  register(app, context) {
    const shell = readFileSync(join(here, 'public/index.html'));
    const assets = new Map(
      Object.entries(ASSETS).map(([name, { path, type }]) => {
        const body = readFileSync(path);
        return [name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` }];
      }),
    );
    const page = async (_request: unknown, reply: FastifyReply) =>
      reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', CONSOLE_CSP).send(shell);
    app.get('/console', { schema: { hide } }, page);
    app.get('/console/*', { schema: { hide } }, page);
    app.get('/console/assets/:name', { schema: { hide, params: Type.Object({ name: Type.String() }) } }, async (request, reply) => {
      const asset = assets.get(request.params.name);
      if (!asset) throw ERRORS.notFound(`No console asset ${request.params.name}.`);
      // Each screen is a page load that asks for every module again: a 304 spares sending them (docs/performance.md).
      reply.header('content-security-policy', CONSOLE_CSP).header('etag', asset.etag).header('cache-control', 'no-cache');
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      return reply.header('content-type', `${asset.type}; charset=utf-8`).send(asset.body);
    });
    // Not the page: a JSON client asking for a route that does not exist is told so.
    app.all('/console/api/*', { schema: { hide } }, async (request) => {
      throw ERRORS.notFound(`No console route ${request.method} ${request.url}.`);
    });
    sessionRoutes(app, context);
    dashboardRoutes(app, context);
    peopleRoutes(app, context);
    personRoutes(app, context);
    doorRoutes(app, context);
    doorAdminRoutes(app, context);
    doorModeRoutes(app, context);
    deviceRoutes(app, context);
    siteRoutes(app, context);
    apiKeyRoutes(app, context);
    explainRoutes(app, context);
    logRoutes(app, context);
    accessRoutes(app, context);
  },
};

function sessionRoutes(app: TypedApp, { db, clock }: AppContext): void {
  app.post('/console/api/session', { schema: { tags, hide, body: SignIn } }, async (request, reply) => {
    const { username, password } = request.body;
    const { token, role, username: signedIn } = await consoleSignIn(db, { username, password, address: addressKey(request) }, clock);
    setConsoleCookie(reply, token);
    return { username: signedIn, role, capabilities: capabilitiesOf(role), csrf_token: csrfTokenOf(token) };
  });

  app.get('/console/api/session', { config: JSON_API, schema: { tags, hide } }, async (request) => {
    const operator = operatorOf(request);
    const token = consoleToken(request) ?? '';
    return {
      username: operator.username,
      role: operator.role,
      capabilities: capabilitiesOf(operator.role),
      site: { name: operator.site.name, timezone: operator.site.timezone },
      csrf_token: csrfTokenOf(token),
    };
  });

  app.delete('/console/api/session', { config: JSON_API, schema: { tags, hide } }, async (request, reply) => {
    const token = consoleToken(request);
    if (token) await logout(db, token);
    clearConsoleCookie(reply);
    return {};
  });
}

function dashboardRoutes(app: TypedApp, { db, clock }: AppContext): void {
  const streams = new EventStreams();
  app.addHook('preClose', async () => streams.closeAll());

  app.get('/console/api/dashboard', { config: { ...JSON_API, capability: 'events.read' }, schema: { tags, hide } }, async (request) =>
    dashboard(db, operatorOf(request).site, clock),
  );

  app.get(
    '/console/api/events/stream',
    {
      config: { ...JSON_API, capability: 'events.read' },
      schema: { tags, hide, querystring: Type.Object({ after: Type.Optional(IdInput('after', 'The newest event the page has.')) }) },
    },
    async (request, reply) => {
      const operator = operatorOf(request);
      const token = consoleToken(request) ?? '';
      const resume = lastEventId(request.headers['last-event-id']) ?? (request.query.after === undefined ? undefined : Number(request.query.after));
      const holder = {
        key: `operator ${operator.userId}`,
        scope: 'operator' as const,
        siteId: operator.site.id,
        stillValid: () => consoleSessionHolds(db, token, clock.now()),
      };
      await streams.serve(request, reply, db, holder, resume, consoleEventsAfter);
      return reply;
    },
  );
}

function peopleRoutes(app: TypedApp, { db, clock }: AppContext): void {
  const read = { ...JSON_API, capability: 'people.read' } as const;
  const write = { ...JSON_API, capability: 'people.write' } as const;
  const caller = (request: Parameters<typeof operatorOf>[0]) => batchCallerOf(operatorOf(request), clock);

  app.get('/console/api/people', { config: read, schema: { tags, hide, querystring: PeopleQuery } }, async (request) => {
    const { q, after } = request.query;
    const rows = await searchPeople(db, operatorOf(request).site, q, after === undefined ? 0 : Number(after));
    return { people: rows.map(presentPersonSummary) };
  });

  app.get('/console/api/people/:id', { config: read, schema: { tags, hide, params: IdParams } }, async (request) =>
    presentPerson(await personPage(db, operatorOf(request).site, Number(request.params.id))),
  );

  app.get('/console/api/access-levels', { config: read, schema: { tags, hide } }, async (request) => ({
    access_levels: await accessLevelChoices(db, operatorOf(request).site),
  }));

  app.post('/console/api/people', { config: write, schema: { tags, hide, body: PersonCreate } }, async (request) => {
    const { caller: by, call } = caller(request);
    await runBatch(db, createUsers, { users: [userRecord(-1, request.body)] }, by, call);
    const ids = await userIdsByIdNum(db, call.site.id, [request.body.id_num.trim()]);
    return { id: ids.get(request.body.id_num.trim()) };
  });

  app.patch('/console/api/people/:id', { config: write, schema: { tags, hide, params: IdParams, body: PersonUpdate } }, async (request) => {
    const { caller: by, call } = caller(request);
    const id = Number(request.params.id);
    await runBatch(db, updateUsers, { users: [userRecord(id, request.body)] }, by, call);
    return { id };
  });

  app.delete('/console/api/credentials/:id', { config: write, schema: { tags, hide, params: IdParams } }, async (request) => {
    const { caller: by, call } = caller(request);
    await runBatch(db, removeCredentials, { credentials: [{ id: Number(request.params.id) }] }, by, call);
    return {};
  });
}

function doorRoutes(app: TypedApp, { db, clock, access }: AppContext): void {
  const read = { ...JSON_API, capability: 'events.read' } as const;

  app.get('/console/api/doors', { config: read, schema: { tags, hide } }, async (request) => ({
    doors: await doorList(db, operatorOf(request).site, clock),
  }));

  app.get('/console/api/doors/:id', { config: read, schema: { tags, hide, params: IdParams } }, async (request) =>
    doorPage(db, operatorOf(request).site, idOf(request.params.id, 'door'), clock),
  );

  app.get(
    '/console/api/doors/:id/people',
    { config: { ...JSON_API, capability: 'people.read' }, schema: { tags, hide, params: IdParams, querystring: PageQuery } },
    async (request) => {
      const after = optionalId(request.query.after, 'person') ?? 0;
      return whoCanOpen(db, access, operatorOf(request).site, idOf(request.params.id, 'door'), after, clock.now());
    },
  );

  app.post(
    '/console/api/doors/:id/unlock',
    { config: { ...JSON_API, capability: 'doors.unlock' }, schema: { tags, hide, params: IdParams } },
    async (request) => {
      const operator = operatorOf(request);
      return { queued: await unlockDoor(db, operator.site, idOf(request.params.id, 'door'), operator, clock) };
    },
  );

  app.post(
    '/console/api/emergency-open',
    { config: { ...JSON_API, capability: 'doors.emergency' }, schema: { tags, hide, body: EmergencyOpen } },
    async (request) => {
      const operator = operatorOf(request);
      return { queued: await emergencyOpenLock(db, operator.site, request.body.lock_number, operator, clock) };
    },
  );
}

function explainRoutes(app: TypedApp, { db, clock, access }: AppContext): void {
  app.get(
    '/console/api/explain',
    { config: { ...JSON_API, capability: 'access.explain' }, schema: { tags, hide, querystring: ExplainQuery } },
    async (request) => {
      const { door_id: door, person_id: person, card_num, at } = request.query;
      const query = { door_id: idOf(door, 'door'), person_id: optionalId(person, 'person'), card_num, at };
      const answer = await explain(db, access, operatorOf(request).site, query, clock.now());
      return { at: answer.at, person: answer.person, explanations: answer.explanations.map(presentExplanation) };
    },
  );
}

function logRoutes(app: TypedApp, { db }: AppContext): void {
  const read = { ...JSON_API, capability: 'events.read' } as const;
  const filterOf = (query: Static<typeof EventsQuery>) => ({
    ...query,
    door_id: optionalId(query.door_id, 'door'),
    person_id: optionalId(query.person_id, 'person'),
    reason: query.reason === undefined ? undefined : Number(query.reason),
  });

  app.get('/console/api/events/reasons', { config: read, schema: { tags, hide } }, async () => ({ reasons: denialReasons() }));

  app.get('/console/api/events', { config: read, schema: { tags, hide, querystring: EventsQuery } }, async (request) =>
    eventPage(db, operatorOf(request).site, filterOf(request.query), logIdOf(request.query.before)),
  );

  app.get('/console/api/events.csv', { config: read, schema: { tags, hide, querystring: EventsQuery } }, async (request, reply) => {
    const text = await csvText(EVENT_CSV_COLUMNS, eventExportChunks(db, operatorOf(request).site, filterOf(request.query)));
    return sendCsv(reply, text, 'events.csv');
  });

  const audit = { ...JSON_API, capability: 'audit.read' } as const;
  app.get('/console/api/audit', { config: audit, schema: { tags, hide, querystring: AuditQuery } }, async (request) => {
    const { records, next } = await auditPage(db, operatorOf(request).site, request.query, logIdOf(request.query.before));
    return { records: records.map(presentAudit), next };
  });

  app.get('/console/api/audit/choices', { config: audit, schema: { tags, hide } }, async (request) => auditChoices(db, operatorOf(request).site));
}

function deviceRoutes(app: TypedApp, { db, clock }: AppContext): void {
  const manage = { ...JSON_API, capability: 'devices.manage' } as const;
  const create = { ...JSON_API, capability: 'devices.create' } as const;

  app.get('/console/api/devices', { config: manage, schema: { tags, hide } }, async (request) => {
    const { site } = operatorOf(request);
    return { devices: await siteDevices(db, site, clock), panel_url_template: await panelUrlTemplate(db, site, panelAccessUrl(request)) };
  });

  app.post('/console/api/devices', { config: create, schema: { tags, hide, body: DeviceCreate } }, async (request) => {
    const { site } = operatorOf(request);
    const input = { name: request.body.name, doorIds: request.body.door_ids };
    const issued = await issueDevice(db, site, input, await panelUrlTemplate(db, site, panelAccessUrl(request)), clock);
    return { id: issued.device.id, name: issued.device.name, device_key: issued.deviceKey, panel_url: issued.panelUrl };
  });

  app.post('/console/api/devices/:id/doors', { config: create, schema: { tags, hide, params: IdParams, body: DoorAttach } }, async (request) =>
    attachSiteDoor(db, operatorOf(request).site, idOf(request.params.id, 'device'), request.body.door_id, request.body.lock_number),
  );

  app.delete('/console/api/devices/:id/doors/:door', { config: create, schema: { tags, hide, params: DeviceDoorParams } }, async (request) =>
    detachSiteDoor(db, operatorOf(request).site, idOf(request.params.id, 'device'), idOf(request.params.door, 'door')),
  );

  app.post('/console/api/devices/:id/revoke', { config: manage, schema: { tags, hide, params: IdParams } }, async (request) => {
    await revokeSiteDevice(db, operatorOf(request).site, idOf(request.params.id, 'device'), clock);
    return {};
  });
}

function siteRoutes(app: TypedApp, { db, clock }: AppContext): void {
  const manage = { ...JSON_API, capability: 'site.manage' } as const;

  // Read fresh, not from the session: the principal's site is as it was when the request was authenticated.
  app.get('/console/api/site', { config: manage, schema: { tags, hide } }, async (request) =>
    presentSiteSettings(await getSite(db, operatorOf(request).site.id)),
  );

  app.patch('/console/api/site', { config: manage, schema: { tags, hide, body: SiteUpdate } }, async (request) => {
    const operator = operatorOf(request);
    const { body } = request;
    const change = {
      name: body.name,
      timezone: body.timezone,
      cardNumMaxLength: body.card_num_max_length,
      pinMinLength: body.pin_min_length,
      pinMaxLength: body.pin_max_length,
      uniquePins: body.unique_pins,
      eventsLimit: body.events_limit,
    };
    return presentSiteSettings(await changeSite(db, operator.site.id, change, { actor: operator.actor, at: clock.now() }));
  });
}

function apiKeyRoutes(app: TypedApp, { db, clock }: AppContext): void {
  const manage = { ...JSON_API, capability: 'keys.manage' } as const;

  app.get('/console/api/api-keys', { config: manage, schema: { tags, hide } }, async (request) => ({
    keys: await siteApiKeys(db, operatorOf(request).site),
  }));

  app.post('/console/api/api-keys', { config: manage, schema: { tags, hide } }, async (request) =>
    createSiteApiKey(db, operatorOf(request).site, clock),
  );

  app.patch(
    '/console/api/api-keys/:apiuser',
    { config: manage, schema: { tags, hide, params: ApiUserParams, body: ApiKeyUpdate } },
    async (request) =>
      changeSiteApiKey(db, operatorOf(request).site, request.params.apiuser, {
        maxBatchSize: request.body.max_batch_size,
        enabled: request.body.enabled,
      }),
  );

  app.post('/console/api/api-keys/:apiuser/revoke', { config: manage, schema: { tags, hide, params: ApiUserParams } }, async (request) =>
    revokeSiteApiKey(db, operatorOf(request).site, request.params.apiuser, clock),
  );
}
