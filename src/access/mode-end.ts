import { type DoorMode, type DoorModeFacts, type ResolvedMode, doorModeAt, nextModeChange } from './door-mode.ts';

/**
 * What a device is told of its door's mode (docs/door-modes.md, "Devices"): the mode now and the instant
 * it ends, after which the device falls back to `access_controlled` by itself, so a window that closes
 * while the server cannot reach it does not leave the door as it was. Null: the mode has no end the
 * engine knows (a lockdown without auto-revert, an override until returned, a schedule that does not
 * change within a year), and always for `access_controlled`, which is what the device falls back to.
 */
export interface TimedMode {
  mode: DoorMode;
  validUntil: number | null;
}

/** The next schedule change after an instant (`nextModeChange`); a caller asking for many doors may remember answers. */
export type NextChange = (facts: DoorModeFacts, from: number, zone: string) => number | null;

/**
 * `nextModeChange` remembering its answers, for one instant's look over many doors of one site: doors on
 * the same unlock schedule (the usual case: a few schedules over many doors) share the answer, a tenth
 * of a look's cost or less; holidays and first-person-in levels are the site's. A door's day of first
 * person in and its free-access windows are part of the key; nothing else of a door plays a part in its
 * schedule's change.
 */
export function rememberingNextChange(): NextChange {
  const known = new Map<string, number | null>();
  return (facts, from, zone) => {
    const rows = facts.unlockRows.map((row) => `${row.schedule.id}:${row.mode}:${row.firstPersonIn ? 1 : 0}`).join(',');
    const windows = facts.freeAccess.map((f) => `${f.lock}:${f.window.weekday}:${f.window.from}:${f.window.to}`).join(',');
    const key = `${from}|${zone}|${facts.lastFirstIn ?? ''}|${rows}|${windows}`;
    let change = known.get(key);
    if (change === undefined) {
      change = nextModeChange(facts, from, zone);
      known.set(key, change);
    }
    return change;
  };
}

/** The door's mode at `at` and when it ends. */
export function timedModeAt(facts: DoorModeFacts, at: number, zone: string, next: NextChange = nextModeChange): TimedMode {
  const now = doorModeAt(facts, at, zone);
  return { mode: now.mode, validUntil: now.mode === 'access_controlled' ? null : modeEnd(facts, now, at, zone, next) };
}

/**
 * The first instant after `at` at which the door's mode differs from `now`'s. The deciding cause's end
 * is followed while the mode stays the same beneath it (an override until 12:00 of a door the schedule
 * unlocks until 17:00 ends at 17:00), so a device is not told to fall back only to be told again. Each
 * step passes a plan's or the override's end, or is the schedule's change, which ends the walk; the
 * bound only guards against facts that contradict that (a plan or override starting in the future), and
 * then the earlier instant is answered: ending a mode early is the safe side.
 */
function modeEnd(facts: DoorModeFacts, now: ResolvedMode, at: number, zone: string, next: NextChange): number | null {
  let from = at;
  let cause = now;
  for (let step = 0; step <= facts.lockdowns.length + 2; step++) {
    const end = causeEnd(facts, cause, from, zone, next);
    if (end === null) return null;
    // With nothing above the schedule its change is the door's: no second resolution for most doors of a look.
    if (facts.override === null && facts.lockdowns.length === 0) return end;
    cause = doorModeAt(facts, end, zone);
    if (cause.mode !== now.mode) return end;
    from = end;
  }
  return from;
}

/** When what decided the mode at `from` stops deciding it, or null when it has no known end. */
function causeEnd(facts: DoorModeFacts, resolved: ResolvedMode, from: number, zone: string, next: NextChange): number | null {
  const { cause } = resolved;
  switch (cause.via) {
    case 'lockdown':
      return facts.lockdowns.find((plan) => plan.id === cause.planId)?.until ?? null;
    case 'override':
      return cause.until;
    case 'holiday':
    case 'schedule':
    case 'free_access':
    case 'first_person_in_pending':
    case 'default':
      return next(facts, from, zone);
  }
}
