import { hashPin } from '../lib/pins.ts';
import type { IdentifierLock } from './decide.ts';
import type { FreeAccessFacts, FreeAccessWindow } from './door-mode.ts';

/**
 * The two BAS-IP panel settings that open a panel's doors without asking who: free access (weekly
 * windows in which a lock's doors open to anyone) and the public unlock code (a code that opens them
 * when typed). They are saved through the panel settings API (src/modules/panels/device-settings.*)
 * and read here as engine facts, carried by the access index like every other fact. Free access is a
 * door-mode fact (the doors behind a lock are `unlocked` in its windows, src/access/door-mode.ts); the
 * public code stays a panel rule, decided where a panel's lock asks.
 */

export const FREE_ACCESS_SETTING = 'access/freeaccess';
export const PUBLIC_CODE_SETTING = 'access/general/unlock/input/code';

export const FREE_ACCESS_DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;

/** `access/freeaccess` as stored. */
export interface StoredFreeAccess {
  enable: boolean;
  days: { lock: IdentifierLock; enable: boolean; time_from: number; time_to: number; day: (typeof FREE_ACCESS_DAYS)[number] }[];
}

/** `access/general/unlock/input/code` as stored: the code itself only as its keyed hash. */
export interface StoredPublicCode {
  input_code_enable: boolean;
  /** HMAC of the code's decimal digits under the site's pin secret (src/lib/pins.ts); absent until one is set. */
  input_code_hash?: string;
}

export interface PanelRules {
  /** The public code's hash and the key it was made with, while the code is on and one is set. */
  publicCode: { hash: string; secret: string } | null;
}

export const NO_PANEL_RULES: PanelRules = { publicCode: null };

/** A free-access window of the stored settings, with the locks it opens. */
export interface FreeAccessSetting {
  lock: IdentifierLock;
  window: FreeAccessWindow;
}

/**
 * A panel sets free-access hours to the minute: `time_to` names the last minute open, whole
 * (SmartYard-Server's "free pass all day" sends 0 to 86340, 23:59, and means up to midnight).
 */
const endOfMinute = (second: number) => second - (second % 60) + 59;

/** The free-access windows that are on (JSON text as stored, or undefined when never saved); none while free access is off. */
export function freeAccessOf(stored: string | undefined): FreeAccessSetting[] {
  const free = stored === undefined ? undefined : (JSON.parse(stored) as StoredFreeAccess);
  if (free?.enable !== true) return [];
  return free.days
    .filter((day) => day.enable)
    .map((day) => ({ lock: day.lock, window: { weekday: FREE_ACCESS_DAYS.indexOf(day.day), from: day.time_from, to: endOfMinute(day.time_to) } }));
}

/** The rules from the stored public code (JSON text, or undefined when never saved) and the site's pin secret. */
export function panelRulesOf(publicCode: string | undefined, pinSecret: string): PanelRules {
  const code = publicCode === undefined ? undefined : (JSON.parse(publicCode) as StoredPublicCode);
  return {
    publicCode: code?.input_code_enable === true && code.input_code_hash !== undefined ? { hash: code.input_code_hash, secret: pinSecret } : null,
  };
}

/** Whether a panel's `first`/`second`/`all` names lock `lockNumber`. */
export function lockIncludes(lock: IdentifierLock, lockNumber: number): boolean {
  return lock === 'all' || (lock === 'first' ? lockNumber === 1 : lockNumber === 2);
}

/** The windows that open a door driven under these lock numbers, each once per lock. */
export function freeAccessOfLocks(settings: readonly FreeAccessSetting[], lockNumbers: readonly number[]): FreeAccessFacts[] {
  return [...new Set(lockNumbers)].flatMap((lock) =>
    settings.filter((free) => lockIncludes(free.lock, lock)).map(({ window }) => ({ lock, window })),
  );
}

/**
 * The keyed hash a public code is stored as: of its decimal digits (the panel API sends it as a number,
 * so `0123` cannot be one; typed, it is compared as typed).
 */
export function publicCodeHash(code: number, pinSecret: string): string {
  return hashPin(String(code), pinSecret);
}

/** Whether a typed code is the public unlock code (compared as its keyed hash). */
export function isPublicCode(rules: PanelRules, code: string): boolean {
  return rules.publicCode !== null && hashPin(code, rules.publicCode.secret) === rules.publicCode.hash;
}
