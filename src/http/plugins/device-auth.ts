import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { hashSecret } from '../../lib/secrets.ts';
import { type DevicePrincipal, authenticateDevice, noteDeviceSeen } from '../../modules/devices/devices.service.ts';
import { rememberedCallers } from './caller-cache.ts';
import { addRouteHook } from './route-hooks.ts';

declare module 'fastify' {
  interface FastifyRequest {
    device: DevicePrincipal | null;
  }
  interface FastifyInstance {
    /** The device holding this key, noted as seen now; for a route that carries the key elsewhere (the panel URL). */
    authenticateDeviceKey(key: string): Promise<DevicePrincipal>;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Authenticates device routes (`auth: 'device'`) from `Authorization: Bearer <device_key>` alone, before
 * the body is read. A site's API key is not looked at here, so it opens no device route, and a device key
 * opens no Lockt route (those read only apiuser/apikey). Keys that passed are remembered (caller-cache.ts).
 */
export function installDeviceAuth(app: FastifyInstance, db: Queryable, clock: Clock): void {
  const devices = rememberedCallers<DevicePrincipal>(app, db, clock);
  app.decorate('authenticateDeviceKey', async (key: string) => {
    const device = await devices.get(hashSecret(key), async () => ({ caller: await authenticateDevice(db, key) }));
    await noteDeviceSeen(db, device, clock.now());
    return device;
  });
  app.decorateRequest('device', null);
  addRouteHook(
    app,
    'onRequest',
    (route) => route.config?.auth === 'device',
    async (request) => {
      const header = request.headers.authorization;
      const key = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
      if (!key) throw ERRORS.unauthorized('Missing device credentials: send Authorization: Bearer <device_key>.');
      request.device = await app.authenticateDeviceKey(key);
    },
  );
}

/** The authenticated device of an `auth: 'device'` route. */
export function deviceOf(request: FastifyRequest): DevicePrincipal {
  if (!request.device) throw ERRORS.unauthorized('Invalid device credentials.');
  return request.device;
}
