import type { SeededSite } from './seed.ts';

/** The requests the benchmarks send to a seeded site: bench/run.ts and bench/cpu-per-request.ts draw the same ones. */

/** A deterministic stream of pseudo-random integers below `n`, cheap enough for the load generator's loop. */
export function randomBelow(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
}

export const apiHeaders = (site: SeededSite) => ({ apiuser: site.apiuser, apikey: site.apikey });
export const deviceHeaders = (site: SeededSite) => ({ authorization: `Bearer ${site.deviceKey}`, 'content-type': 'application/json' });

/**
 * A random known card at a door it may or may not open: half the time one of its holder's levels names
 * the door (granted unless that level's schedule is closed now), half the time any door of the site
 * (mostly denied).
 */
export function decisionRequests(site: SeededSite, seed: number): () => string {
  const next = randomBelow(seed);
  const doors = site.doorIds.last - site.doorIds.first + 1;
  return () => {
    const card = next(site.cardNums.length);
    const own = site.cardDoors[card] ?? [];
    const door = own.length > 0 && next(2) === 0 ? (own[next(own.length)] as number) : site.doorIds.first + next(doors);
    return JSON.stringify({ door_id: door, card_num: site.cardNums[card] });
  };
}

/** `GET /api/v1/user?id=` for random seeded users. */
export function userByIdPaths(site: SeededSite, seed: number): () => string {
  const next = randomBelow(seed);
  const users = site.userIds.last - site.userIds.first + 1;
  return () => `/api/v1/user?id=${site.userIds.first + next(users)}`;
}
