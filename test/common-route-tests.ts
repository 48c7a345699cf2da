import { expect, it } from 'vitest';
import { revokeDevice } from '../src/modules/devices/devices.service.ts';
import type { Harness, Method } from './harness.ts';

/**
 * The 401 cases every Lockt endpoint must pass: no headers, one header, an unknown apiuser and a wrong
 * apikey all get the same envelope and a message that does not tell which part was wrong.
 */
export function itRequiresApiKey(harness: () => Harness, method: Method, url: string, body?: unknown): void {
  it(`${method} ${url} refuses missing or wrong credentials with 401`, async () => {
    const h = harness();
    const attempts = [
      null,
      { apiuser: h.credentials.apiuser },
      { apiuser: 'x'.repeat(32), apikey: h.credentials.apikey },
      { apiuser: h.credentials.apiuser, apikey: 'y'.repeat(32) },
    ];
    const messages = new Set<string>();
    for (const as of attempts) {
      const response = await h.request(method, url, { body, as: as as never });
      expect(response.status, JSON.stringify(response.body)).toBe(401);
      expect(response.body).toEqual({ data: { error: expect.any(String) } });
      if (as && 'apikey' in as) messages.add(response.body.data.error);
    }
    // Unknown apiuser and wrong apikey read the same: the answer does not reveal which apiusers exist.
    expect(messages.size).toBe(1);
  });
}

/**
 * The cases every panel-face endpoint must pass: no credentials, an unknown token, a Lockt API key and a
 * wrong Basic password are all 401 "Log In"; a manager may read but not change ("Administrator rights
 * required"), unless the route is open to every role.
 */
export function itRequiresOperator(
  harness: () => Harness,
  method: Method,
  url: string,
  body?: unknown,
  { anyRole = false }: { anyRole?: boolean } = {},
): void {
  const changes = method !== 'GET' && !anyRole;
  it(`${method} ${url} refuses ${changes ? 'a manager with 403 and ' : ''}missing or wrong credentials with 401`, async () => {
    const h = harness();
    const admin = await h.operator('admin');
    const wrongBasic = `Basic ${Buffer.from(`${admin.username}:not ${admin.password}`).toString('base64')}`;
    for (const caller of [h.caller({}), h.caller({ authorization: 'Bearer x' }), h.caller({ authorization: wrongBasic }), h.apiKey()]) {
      const response = await caller.request(method, url, { body });
      expect(response.status, JSON.stringify(caller.headers)).toBe(401);
      expect(response.body).toEqual({ error: 'Log In' });
    }
    if (changes) {
      for (const manager of [await h.operator('manager'), (await h.operator('manager')).basic]) {
        const response = await manager.request(method, url, { body });
        expect(response.status, JSON.stringify(response.body)).toBe(403);
        expect(response.body).toEqual({ error: 'Administrator rights required' });
      }
    }
  });
}

/**
 * The 401 cases every device endpoint must pass: no key, a key not sent as a bearer token, an empty one, an
 * unknown one, a revoked one and the site's API key; unknown and revoked read the same.
 */
export function itRequiresDeviceKey(harness: () => Harness, method: Method, url: string, body?: unknown): void {
  it(`${method} ${url} refuses a missing, unknown or revoked device key with 401`, async () => {
    const h = harness();
    const revoked = await h.device();
    await revokeDevice(h.store.db, revoked.id, h.clock);
    const answers = [];
    for (const caller of [
      h.caller({}),
      h.caller({ authorization: `Basic ${revoked.key}` }),
      h.caller({ authorization: 'Bearer ' }),
      h.apiKey(),
      h.caller({ authorization: `Bearer ${'x'.repeat(revoked.key.length)}` }),
      revoked,
    ]) {
      const response = await caller.request(method, url, { body });
      expect(response.status, JSON.stringify(caller.headers)).toBe(401);
      expect(response.body).toEqual({ data: { error: expect.any(String) } });
      answers.push(response.body);
    }
    expect(answers.at(-1)).toEqual(answers.at(-2));
  });
}
