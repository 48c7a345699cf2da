import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { systemClock } from '../../src/lib/clock.ts';
import { issueApiKey } from '../../src/modules/api-keys/api-keys.service.ts';
import { createDevice } from '../../src/modules/devices/devices.service.ts';
import { createOperator } from '../../src/modules/users/operators.service.ts';
import { seedDoor } from '../factories/access.ts';
import type { Credentials, Harness } from '../harness.ts';

export const md5 = (text: string) => createHash('md5').update(text).digest('hex');

export const OPERATOR_PASSWORD = 'correct horse';

/** One of each kind of caller in the harness's site: a second API key, a device and a logged-in admin. */
export async function seedCallers(
  h: Harness,
): Promise<{ otherKey: Credentials; doorId: number; device: { id: number; key: string }; token: string }> {
  const otherKey = await issueApiKey(h.store.db, h.site.id, systemClock);
  const doorId = await seedDoor(h.store.db, h.site.id, 'Front Door');
  const issued = await createDevice(h.store.db, h.site, { name: 'Lobby Panel', doorIds: [doorId] }, systemClock);
  await createOperator(h.store.db, h.site.id, { username: 'admin', password: OPERATOR_PASSWORD, role: 'admin' }, systemClock);
  const login = await h.request('GET', `/api/v1/login?username=admin&password=${md5(OPERATOR_PASSWORD)}`, { as: null });
  if (login.status !== 200) throw new Error(`login failed: ${login.text}`);
  return { otherKey, doorId, device: { id: issued.device.id, key: issued.deviceKey }, token: login.body.token };
}

export const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

/** A request from a given client address (the harness's requests all come from 127.0.0.1). */
export function fromAddress(
  h: Harness,
  remoteAddress: string,
  method: 'GET' | 'POST',
  url: string,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return h.app.inject({ method, url, remoteAddress, headers });
}
