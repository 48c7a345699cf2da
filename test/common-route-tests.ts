import { expect, it } from 'vitest';
import type { Harness } from './harness.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

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
