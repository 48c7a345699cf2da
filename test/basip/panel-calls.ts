import { afterEach, beforeEach, expect } from 'vitest';
import type { Dialect } from '../../src/db/open.ts';
import { type Harness, type Method, type OperatorCaller, type Response, createHarness } from '../harness.ts';

/** What a panel suite's test stands on: its own harness, an administrator and a manager (read-only). */
export interface PanelSuite {
  readonly h: Harness;
  readonly admin: OperatorCaller;
  readonly manager: OperatorCaller;
}

/**
 * Opens a harness and logs both operators in before each test of the enclosing `describe`, and closes it
 * after; what it gives is the current test's, so it is read inside tests and hooks only.
 */
export function panelSuite(dialect: Dialect): PanelSuite {
  let current: PanelSuite | undefined;
  beforeEach(async () => {
    const h = await createHarness(dialect);
    const admin = await h.operator('admin', { username: 'admin', password: 'correct horse' });
    current = { h, admin, manager: await h.operator('manager', { username: 'watcher', password: 'battery staple' }) };
  });
  afterEach(async () => {
    await current?.h.close();
    current = undefined;
  });
  const now = (): PanelSuite => {
    if (!current) throw new Error('A panel suite is read only inside its tests and hooks');
    return current;
  };
  return {
    get h() {
      return now().h;
    },
    get admin() {
      return now().admin;
    },
    get manager() {
      return now().manager;
    },
  };
}

/**
 * The panel API as a suite calls it for an operator: `api` answers whatever comes back, `ok` expects a
 * 200 and gives its body, each with URLs below `/api/v1`.
 */
export function panelCalls(caller: () => OperatorCaller) {
  const api = (method: Method, url: string, body?: unknown) => caller().request(method, `/api/v1${url}`, { body });
  const ok = async (method: Method, url: string, body?: unknown) => {
    const response = await api(method, url, body);
    expect(response.status, `${method} ${url}: ${JSON.stringify(response.body)}`).toBe(200);
    return response.body;
  };
  return { api, ok };
}

/** A refusal in the panel's envelope: this status and `{"error"}`. */
export function expectPanelError(response: Response, status: number, error: string): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body).toEqual({ error });
}
