/** The source of "now", injected so expiry and schedule tests can pin time. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that stays where tests put it. */
export function fixedClock(at: number): Clock & { set(at: number): void } {
  let current = at;
  return {
    now: () => current,
    set: (next: number) => {
      current = next;
    },
  };
}
