import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type Static, type TObject, Type } from 'typebox';
import type { Queryable } from '../../db/queryable.ts';
import { toBool, toId } from '../../domain/batch-checks.ts';
import { type Answer, storeUnavailableAnswer } from '../../access/access.service.ts';
import { isStoreUnavailable } from '../../db/store-errors.ts';
import { ERRORS, PortcullisError, STORE_RETRY_AFTER_SECONDS } from '../../domain/errors.ts';
import { batchOperation } from '../../domain/batch.ts';
import { type BatchResult, runBatch } from '../../http/batch.ts';
import { endWhenRevoked } from '../../http/authority.ts';
import { unavailableStore } from '../../http/error-handler.ts';
import { STATUS_OF } from '../../http/errors.ts';
import { data } from '../../http/lockt/envelope.ts';
import { bodyFor, responseFor } from '../../http/lockt/routes.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { deviceOf } from '../../http/plugins/device-auth.ts';
import { DataEnvelope } from '../../http/schemas.ts';
import { conforms, fieldProblems } from '../../http/validation.ts';
import type { ApiKeyPrincipal } from '../api-keys/api-keys.service.ts';
import { type AppContext, LOCKT_API_KEY, LOCKT_SECURITY, type ResourceModule, type TypedApp } from '../module.ts';
import { presentAnswer, presentCommand } from './devices.presenter.ts';
import {
  AccessAnswer,
  AccessRequest,
  CommandAck,
  CommandObject,
  CommandsQuery,
  DeviceEventRecord,
  EventsAnswer,
  StateAnswer,
  StateReport,
  UnlockRequest,
} from './devices.schema.ts';
import { savedLockTimeouts } from '../panels/device-settings.service.ts';
import * as queue from './device-commands.service.ts';
import { decideAtDoor } from './device-decisions.service.ts';
import * as deviceEvents from './device-events.service.ts';
import * as registry from './devices.service.ts';

const tags = ['device'];
const DEVICE_AUTH = { auth: 'device' } as const;
/** OpenAPI security requirement of the device routes: `Authorization: Bearer <device_key>` (docs/devices.md). */
const DEVICE_SECURITY = [{ deviceKey: [] }];

const DEFAULT_WAIT_SECONDS = 25;
const MAX_WAIT_SECONDS = 30;

/**
 * Device routes answer every refusal `{"data":{"error"}}`: they are not Lockt writes, whose 400 puts the
 * message under `result`. The failing records of a batch keep the Lockt failure envelope, which lists
 * each one; anything else goes on to the app's error handler.
 */
function deviceErrors(error: FastifyError | PortcullisError, request: FastifyRequest, reply: FastifyReply) {
  const known = error instanceof PortcullisError ? error : unavailableStore(request, error);
  if (!known || known.failures.length > 0) throw error;
  return reply
    .code(STATUS_OF[known.code])
    .headers(known.headers)
    .type('application/json; charset=utf-8')
    .send({ data: { error: known.message } });
}

/**
 * An access question the store cannot answer, in the decision's own shape: 503, and a denial a device
 * can act on whether it reads the status or the body. Also for the authentication before it, which reads
 * the store too. The log line names it.
 */
function sendStoreUnavailableDenial(request: FastifyRequest, reply: FastifyReply, answer: Answer & { eventId: number | null }) {
  request.log.warn({ reason: answer.decision.reason }, 'access denied: store unavailable');
  return reply
    .code(STATUS_OF.store_unavailable)
    .header('retry-after', String(STORE_RETRY_AFTER_SECONDS))
    .type('application/json; charset=utf-8')
    .send(data(presentAnswer(answer)));
}

function decisionErrors(error: FastifyError | PortcullisError, request: FastifyRequest, reply: FastifyReply) {
  if (isStoreUnavailable(error)) return sendStoreUnavailableDenial(request, reply, storeUnavailableAnswer(request.device?.site.timezone ?? 'UTC'));
  return deviceErrors(error, request, reply);
}

/**
 * One object body, checked field by field so the device reads which field is wrong (Fastify's own body
 * check, left attached and unread, can only say the body failed).
 */
function readObject<Schema extends TObject>(schema: Schema, body: unknown): Static<Schema> {
  if (conforms(schema, body)) return body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw ERRORS.unparseableBody();
  throw ERRORS.badRequest(
    fieldProblems(schema, body)
      .map((p) => p.message)
      .join('; '),
  );
}

/** A device as the batch runner sees it: devices have no API key, so the cap is the device API's own. */
const batchCaller = (device: registry.DevicePrincipal) => ({ maxBatchSize: registry.DEVICE_MAX_BATCH, site: device.site, actor: device.actor });

const recordEvents = batchOperation({
  node: 'events',
  record: DeviceEventRecord,
  options: [],
  partialAllowed: false,
  parse: (record): deviceEvents.DeviceEventInput => ({
    type: record.type,
    doorId: toId(record.door_id),
    hwTime: record.hw_time,
    detail: record.detail,
  }),
  check: deviceEvents.checkDeviceEvents,
  write: deviceEvents.recordDeviceEvents,
});

const acknowledge = batchOperation({
  node: 'commands',
  record: CommandAck,
  options: [],
  partialAllowed: false,
  summary: 'process',
  parse: (record): queue.AckInput => ({ id: toId(record.id), result: record.result }),
  check: queue.checkAcks,
  write: queue.writeAcks,
});

const unlock = batchOperation({
  node: 'doors',
  record: UnlockRequest,
  summary: 'process',
  parse: (record) => toId(record.id),
  check: queue.checkUnlockRequests,
  write: queue.queueUnlocks,
});

/**
 * Remote unlock through the batch runner, for `POST /door/unlock` (and `POST /door?unlock` once the doors
 * module routes it here): the caller's API key is named as who asked, and the devices' polls are woken
 * after the commit.
 */
export async function runUnlockBatch(db: Queryable, body: unknown, principal: ApiKeyPrincipal, now: number): Promise<BatchResult> {
  const context: queue.UnlockContext = { site: principal.site, requestedBy: `API key ${principal.apiuser}`, now, queued: new Set() };
  const result = await runBatch(db, unlock, body, principal, context);
  queue.signalDevices(db, context.queued);
  return result;
}

type DeviceRouteContext = Pick<AppContext, 'db' | 'clock' | 'access'>;

/** `POST /device/access`: a decision, recorded before it is answered. */
function accessRoute(app: TypedApp, { db, clock, access }: DeviceRouteContext): void {
  app.post('/api/v1/device/access', {
    config: DEVICE_AUTH,
    errorHandler: decisionErrors,
    attachValidation: true,
    schema: {
      tags,
      security: DEVICE_SECURITY,
      summary: 'Extension: decide whether a presented card, PIN or mobile credential opens a door, and record it.',
      body: AccessRequest,
      response: { 200: DataEnvelope(AccessAnswer), 503: DataEnvelope(AccessAnswer) },
    },
    handler: async (request, reply) => {
      const body = readObject(AccessRequest, request.body);
      const presented = { doorId: toId(body.door_id), cardNum: body.card_num, pin: body.pin, credentialKey: body.credential_key };
      const answer = await decideAtDoor(db, access, deviceOf(request), presented, clock.now());
      if (answer.decision.reason === 'store_unavailable') return sendStoreUnavailableDenial(request, reply, answer);
      return data(presentAnswer(answer));
    },
  });
}

/** `POST /device/events`: alarms and device events, answered with their event ids. */
function eventsRoute(app: TypedApp, { db, clock }: DeviceRouteContext): void {
  app.post('/api/v1/device/events', {
    config: DEVICE_AUTH,
    errorHandler: deviceErrors,
    schema: {
      tags,
      security: DEVICE_SECURITY,
      summary: 'Extension: report door alarms and device events; the whole batch fails if any record does.',
      body: bodyFor(recordEvents),
      response: { 200: EventsAnswer },
    },
    handler: async (request) => {
      const device = deviceOf(request);
      const context: deviceEvents.DeviceEventContext = { device, now: clock.now(), eventIds: [] };
      const result = await runBatch(db, recordEvents, request.body, batchCaller(device), context);
      const { submitted = 0, inserted = 0, errors = 0 } = result.data;
      return data({ submitted, inserted, errors, event_ids: context.eventIds });
    },
  });
}

/** `POST /device/state`: what the device sees at one of its doors. */
function stateRoute(app: TypedApp, { db, clock }: DeviceRouteContext): void {
  app.post('/api/v1/device/state', {
    config: DEVICE_AUTH,
    errorHandler: deviceErrors,
    attachValidation: true,
    schema: {
      tags,
      security: DEVICE_SECURITY,
      summary:
        "Extension: report a door's battery level, whether its lock is online, whether it is open, (optionally) whether it is locked, and the mode it applied.",
      body: StateReport,
      response: { 200: StateAnswer },
    },
    handler: async (request) => {
      const body = readObject(StateReport, request.body);
      const doorId = toId(body.door_id);
      if (doorId === undefined) throw ERRORS.badRequest('Missing or blank door_id');
      const locked = toBool(body.locked) ?? null;
      const state = {
        doorId,
        batteryLevel: body.battery_level,
        online: toBool(body.online),
        doorOpen: toBool(body.door_open),
        locked,
        mode: body.mode,
      };
      await deviceEvents.reportDoorState(db, deviceOf(request), state, clock.now());
      return data({
        door_id: state.doorId,
        battery_level: state.batteryLevel,
        online: state.online,
        door_open: state.doorOpen,
        locked,
        ...(state.mode === undefined ? {} : { mode: state.mode }),
      });
    },
  });
}

/** `GET /device/commands`: the long poll; ended when the device is revoked or the server closes. */
function commandsRoute(app: TypedApp, { db, clock }: DeviceRouteContext, polls: Set<AbortController>): void {
  app.get('/api/v1/device/commands', {
    config: DEVICE_AUTH,
    errorHandler: deviceErrors,
    schema: {
      tags,
      security: DEVICE_SECURITY,
      summary:
        'Extension: long poll for commands (remote unlock): at once if any is pending, else the first within ?wait= seconds (default 25, at most 30), else none.',
      querystring: CommandsQuery,
      response: { 200: DataEnvelope(Type.Array(CommandObject)) },
    },
    handler: async (request, reply) => {
      const device = deviceOf(request);
      const seconds = Math.min(request.query.wait === undefined ? DEFAULT_WAIT_SECONDS : Number(request.query.wait), MAX_WAIT_SECONDS);
      const poll = new AbortController();
      // The response's close, not the request's: Node closes a request once its body is read, while
      // the response closes early only when the client goes away.
      const gone = () => poll.abort();
      reply.raw.once('close', gone);
      polls.add(poll);
      const stopChecking = endWhenRevoked(() => registry.deviceStillValid(db, device), poll);
      try {
        const pending = await queue.waitForCommands(db, device, seconds * 1000, clock, poll.signal);
        // A poll its device's revocation ended is refused as the next request would be.
        if (poll.signal.reason === 'revoked') throw ERRORS.unauthorized('Invalid device credentials.');
        if (poll.signal.reason === 'unverifiable') throw ERRORS.storeUnavailable();
        const unlockSeconds = pending.length === 0 ? new Map<number, number>() : await savedLockTimeouts(db, device.site.id);
        return data(pending.map((command) => presentCommand(command, unlockSeconds)));
      } finally {
        stopChecking();
        polls.delete(poll);
        reply.raw.off('close', gone);
      }
    },
  });
}

/** `POST /device/commands/ack`: each collected command ok or failed. */
function ackRoute(app: TypedApp, { db, clock }: DeviceRouteContext): void {
  app.post('/api/v1/device/commands/ack', {
    config: DEVICE_AUTH,
    errorHandler: deviceErrors,
    schema: {
      tags,
      security: DEVICE_SECURITY,
      summary: 'Extension: acknowledge collected commands, each ok or failed.',
      body: bodyFor(acknowledge),
      response: { 200: responseFor(acknowledge.summary) },
    },
    handler: async (request) => {
      const device = deviceOf(request);
      return runBatch(db, acknowledge, request.body, batchCaller(device), { device, now: clock.now() });
    },
  });
}

/** `POST /door/unlock`: a site's API key queues a remote unlock. */
function unlockRoute(app: TypedApp, { db, clock }: DeviceRouteContext): void {
  app.post('/api/v1/door/unlock', {
    config: LOCKT_API_KEY,
    schema: {
      tags: ['door'],
      security: LOCKT_SECURITY,
      summary: 'Extension: remote unlock: queue an unlock for every device attached to each door.',
      body: bodyFor(unlock),
      response: { 200: responseFor(unlock.summary) },
    },
    handler: async (request) => runUnlockBatch(db, request.body, principalOf(request), clock.now()),
  });
}

/** The device API (extension): access decisions, events, door state, and remote-unlock commands. */
export const devicesModule: ResourceModule = {
  name: 'devices',
  register(app, context) {
    // Long polls in flight: ended when the server begins to close, which waits for open requests.
    const polls = new Set<AbortController>();
    app.addHook('preClose', async () => {
      for (const poll of polls) poll.abort();
    });
    accessRoute(app, context);
    eventsRoute(app, context);
    stateRoute(app, context);
    commandsRoute(app, context, polls);
    ackRoute(app, context);
    unlockRoute(app, context);
  },
};
