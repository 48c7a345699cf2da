import { expect } from 'vitest';
import type { Clock } from '../src/lib/clock.ts';
import { createOperator } from '../src/modules/users/operators.service.ts';
import type { Harness, Response } from './harness.ts';

/** An operator signed in to the console: its cookie and CSRF token, and requests sent with them. */
export interface ConsoleCaller {
  cookie: string;
  csrf: string;
  get(url: string): Promise<Response>;
  send(method: 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, options?: { csrf?: string | null }): Promise<Response>;
}

export type ConsoleOperator = ConsoleCaller & { username: string; password: string };

/**
 * Console sign-ins for a harness's site: each `operator(role)` a new account, signed in through the route.
 * The harness is asked for at each call, as suites make it in beforeAll.
 */
export function consoleSignIns(harness: () => Harness, clock: Clock, tag: string) {
  let sequence = 0;

  function signIn(username: string, password: string): Promise<Response> {
    return harness().request('POST', '/console/api/session', { as: null, body: { username, password } });
  }

  function callerOf(cookie: string, csrf: string): ConsoleCaller {
    return {
      cookie,
      csrf,
      get: (url) => harness().request('GET', url, { as: null, headers: { cookie } }),
      send: (method, url, body, { csrf: token = csrf } = {}) =>
        harness().request(method, url, { as: null, body, headers: { cookie, ...(token === null ? {} : { 'x-csrf-token': token }) } }),
    };
  }

  async function operator(role: 'admin' | 'manager' | 'installer'): Promise<ConsoleOperator> {
    sequence += 1;
    const username = `console-${role}-${sequence}-${tag}`;
    const password = `password of ${username}`;
    const h = harness();
    await createOperator(h.store.db, h.site.id, { username, password, role }, clock);
    const answer = await signIn(username, password);
    expect(answer.status).toBe(200);
    const cookie = String(answer.headers['set-cookie']).split(';')[0] as string;
    return { ...callerOf(cookie, answer.body.csrf_token), username, password };
  }

  return { signIn, callerOf, operator };
}
