import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './schema.js';

export type { components, paths } from './schema.js';

/** A client over every route of the document; each face's constructor below only sets its credentials. */
export type PortcullisClient = Client<paths>;

/** Where the server is, and anything else openapi-fetch takes (a `fetch` of your own, an undici dispatcher). */
export type ServerOptions = Omit<ClientOptions, 'headers'> & { baseUrl: string };

function clientWith(options: ServerOptions, headers: Record<string, string>): PortcullisClient {
  return createClient<paths>({ ...options, headers });
}

/** The Lockt face (`/api/v1/user`, `/api/v1/events`, …) with a site's API user and key. */
export function locktClient(options: ServerOptions, credentials: { apiuser: string; apikey: string }): PortcullisClient {
  return clientWith(options, { apiuser: credentials.apiuser, apikey: credentials.apikey });
}

/** The device API (`/api/v1/device/…`) with a device key from `portcullis device create`. */
export function deviceClient(options: ServerOptions, deviceKey: string): PortcullisClient {
  return clientWith(options, { authorization: `Bearer ${deviceKey}` });
}

/**
 * The BAS-IP face with an operator: a token from `GET /api/v1/login`, or the account's name and password
 * sent as HTTP Basic on every request.
 */
export function basipClient(options: ServerOptions, operator: { token: string } | { username: string; password: string }): PortcullisClient {
  const authorization =
    'token' in operator ? `Bearer ${operator.token}` : `Basic ${Buffer.from(`${operator.username}:${operator.password}`).toString('base64')}`;
  return clientWith(options, { authorization });
}

/** No credentials: `/api/v1/health`, `/api/v1/ready`, the BAS-IP login and `/api/info`. */
export function publicClient(options: ServerOptions): PortcullisClient {
  return clientWith(options, {});
}
