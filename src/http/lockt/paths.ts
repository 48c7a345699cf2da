import type { FastifyInstance } from 'fastify';

/** A Lockt endpoint as registered: one word under `/api/v1/`. */
const ENDPOINT = /^\/api\/v1\/([a-z]+)$/;

/** A Lockt URL as called, with or without `/api`, its endpoint word and what follows it. */
const LOCKT_PATH = /^(?:\/api)?\/v1\/([a-z]+)(\/?(?:[?#].*)?)$/;

/**
 * The other number of an endpoint word: `user` → `users`, `credentialsummary` → `credentialsummaries`,
 * `access` → `accesses`, and a plural's singular, `events` → `event`.
 */
function otherNumber(word: string): string {
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('ss')) return `${word}es`;
  if (word.endsWith('s')) return word.slice(0, -1);
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}

/**
 * Spellings of Lockt URLs that the spec's own examples call, mapped to the one each route is registered
 * under: every Lockt endpoint `/api/v1/<word>` also answers to the other number of its word (`/users`,
 * `/accesslevels`, `/event` for `/events`), and to the `/v1/…` form without `/api` used by the spec's
 * DELETE and PUT examples. The words are the Lockt routes' own, recorded as they are registered, so a
 * new resource has its plural without a list to keep. A trailing slash is ignored by the router.
 */
export class LocktPaths {
  /** Each spelling → the registered word it stands for (a registered word stands for itself). */
  private readonly words = new Map<string, string>();

  /**
   * Records the app's Lockt routes as they are registered. Called after the faces' own hook is added, so
   * that each route's face is stamped on its config (src/http/faces.ts).
   */
  learnFrom(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => {
      if (route.config?.face === 'lockt') this.add(route.url);
    });
  }

  private add(url: string): void {
    const word = ENDPOINT.exec(url)?.[1];
    if (word === undefined) return;
    this.words.set(word, word);
    // A registered word is never rewritten to another, whichever was registered first.
    const other = otherNumber(word);
    if (this.words.get(other) !== other) this.words.set(other, word);
  }

  /** Rewrites an aliased Lockt URL to its registered form; any other URL is returned unchanged. */
  canonical(url: string): string {
    const match = LOCKT_PATH.exec(url);
    if (!match) return url;
    const [, word = '', rest = ''] = match;
    const canonical = this.words.get(word) ?? word;
    if (url.startsWith('/api/') && canonical === word) return url;
    return `/api/v1/${canonical}${rest}`;
  }
}
