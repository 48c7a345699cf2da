import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { type DevicePrincipal, authenticateDevice, noteDeviceSeen } from '../../modules/devices/devices.service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    device: DevicePrincipal | null;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Authenticates device routes (`auth: 'device'`) from `Authorization: Bearer <device_key>` alone, before
 * the body is read. A site's API key is not looked at here, so it opens no device route, and a device key
 * opens no Lockt route (those read only apiuser/apikey).
 */
export function installDeviceAuth(app: FastifyInstance, db: Queryable, clock: Clock): void {
  app.decorateRequest('device', null);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.auth !== 'device') return;
    const header = request.headers.authorization;
    const key = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    if (!key) throw ERRORS.unauthorized('Missing device credentials: send Authorization: Bearer <device_key>.');
    const device = await authenticateDevice(db, key);
    await noteDeviceSeen(db, device, clock.now());
    request.device = device;
  });
}

/** The authenticated device of an `auth: 'device'` route. */
export function deviceOf(request: FastifyRequest): DevicePrincipal {
  if (!request.device) throw ERRORS.unauthorized('Invalid device credentials.');
  return request.device;
}
