import { setTimeout as wait } from 'node:timers/promises';

/** The source of time, injected so expiry, schedule and slow-down tests can pin it. */
export interface Clock {
  now(): number;
  /** Resolves once `ms` have passed on this clock. */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now(), sleep: (ms) => wait(ms) };

/** A clock that stays where tests put it; sleeping on it moves it on by the time slept, at once. */
export function fixedClock(at: number): Clock & { set(at: number): void } {
  let current = at;
  return {
    now: () => current,
    sleep: async (ms: number) => {
      current += ms;
    },
    set: (next: number) => {
      current = next;
    },
  };
}
