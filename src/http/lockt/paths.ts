/**
 * Spellings of Lockt URLs that the spec's own examples call, mapped to the one each route is
 * registered under: plurals (`/users`, `/accesslevels`), `/event` for `/events`, and the `/v1/…` form
 * without `/api` used by the spec's DELETE and PUT examples. A trailing slash is ignored by the router.
 */
const ALIASES: Record<string, string> = {
  users: 'user',
  credentials: 'credential',
  credentialsummaries: 'credentialsummary',
  fobs: 'fob',
  accesslevels: 'accesslevel',
  doors: 'door',
  doorstates: 'doorstate',
  delegates: 'delegate',
  locations: 'location',
  locationtypes: 'locationtype',
  schedules: 'schedule',
  event: 'events',
  objects: 'object',
};

const LOCKT_PATH = /^(?:\/api)?\/v1\/([a-z]+)(\/?(?:[?#].*)?)$/;

/** Rewrites an aliased Lockt URL to its registered form; any other URL is returned unchanged. */
export function canonicalLocktUrl(url: string): string {
  const match = LOCKT_PATH.exec(url);
  if (!match) return url;
  const [, endpoint = '', rest = ''] = match;
  const canonical = ALIASES[endpoint] ?? endpoint;
  if (url.startsWith('/api/') && canonical === endpoint) return url;
  return `/api/v1/${canonical}${rest}`;
}
