import type { FastifyRequest } from 'fastify';

/**
 * Whether a request was sent by a browser on behalf of a page of another origin, or as a navigation
 * (a link, a form, the address bar): what a state-changing GET must refuse, since a browser holding
 * cached HTTP Basic credentials sends them with either (CSRF). Clients that are not browsers send
 * neither `Origin` nor `Sec-Fetch-*`; a page of this origin fetching it does so as `same-origin`.
 */
export function isCrossSiteBrowserRequest(request: FastifyRequest): boolean {
  const header = (name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  };
  const origin = header('origin');
  if (origin !== undefined && origin !== `${request.protocol}://${request.host}`.toLowerCase()) return true;
  const site = header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return true;
  return header('sec-fetch-mode') === 'navigate';
}
