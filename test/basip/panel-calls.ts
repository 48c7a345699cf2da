import { expect } from 'vitest';
import type { Method, OperatorCaller, Response } from '../harness.ts';

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
