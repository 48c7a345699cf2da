import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { faceOfUrl } from '../faces.ts';

/**
 * A site's own panel URL: `https://<portcullis>/site/<site id>` is the base URL a BAS-IP client is given
 * for that site (SmartYard-Server appends `/api/v1/…` to it). Operators' usernames are unique per site
 * only, and every client logs in as `admin`, so the login must say which site it means; a client that
 * cannot be given a path names no site, and its username must then be unique across sites.
 */
const SITE_PREFIX = /^\/site\/([1-9][0-9]{0,9})(?=\/api\/)/;

const prefixedSite = new WeakMap<IncomingMessage, number>();

/**
 * The URL routed for `raw`: a BAS-IP path under a site's prefix loses the prefix, which is remembered
 * for the request. Anything else is left alone (a prefixed Lockt path is not found: its API key names
 * the site).
 */
export function withoutSitePrefix(raw: IncomingMessage): string {
  const url = raw.url ?? '/';
  const match = SITE_PREFIX.exec(url);
  if (!match) return url;
  const rest = url.slice(match[0].length);
  if (faceOfUrl(rest) !== 'basip') return url;
  prefixedSite.set(raw, Number(match[1]));
  return rest;
}

/** The site a request's URL named through its prefix, if it did. */
export function siteOfPrefix(request: FastifyRequest): number | undefined {
  return prefixedSite.get(request.raw);
}
