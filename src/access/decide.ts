import { DateTime } from 'luxon';
import { type DoorModeFacts, type ModeCause, type ResolvedMode, holidayAt, doorModeAt, siteDay } from './door-mode.ts';
import { lockIncludes } from './panel-rules.ts';
import { type NamedSchedule, scheduleAdmits } from './schedule.ts';
import { type TimeProfile, isTimeProfileActive } from './time-profile.ts';

/**
 * The access decision: may this credential open this door at this instant? Pure: the caller gathers the
 * facts, `decide` runs an ordered list of checks and returns the first that fails, or a grant naming the
 * rule that granted. docs/access-decisions.md lists the checks in this order.
 */

/** An access window; either end may be open. */
export interface AccessWindow {
  effective: number | null;
  expires: number | null;
}

/** The BAS-IP authentication factors: what kind of thing a person presents. */
export type AuthFactor = 'card' | 'input_code' | 'qr' | 'face_id' | 'license_plate';

/** Which of a panel's locks an identifier opens. */
export type IdentifierLock = 'first' | 'second' | 'all';

export interface CredentialFacts extends AccessWindow {
  id: number;
  enabled: boolean;
  isFob: boolean;
  /** Null for a fob assigned to nobody. */
  holderId: number | null;
  /** Passes left under a pass limit (BAS-IP identifiers); null when unlimited. */
  passesLeft: number | null;
  /** The factor this presentation is (a card, an input code, a QR code …). */
  factor: AuthFactor;
  lock: IdentifierLock;
  /** Opens the site's panel locks by itself, as an identifier stored on a panel does. */
  panelAccess: boolean;
  /** Time profiles attached to the identifier: when any is, one must be active. */
  timeProfiles: readonly NamedTimeProfile[];
}

export interface HolderFacts extends AccessWindow {
  id: number;
  name: string;
  enabled: boolean;
  /** Null: any factor; otherwise only these (BAS-IP custom user access). */
  authFactors: readonly AuthFactor[] | null;
  /** 0 both locks, 1 the first, 2 the second. */
  lockNumber: number;
  /** Time profiles attached to the user: when any is, one must be active. */
  timeProfiles: readonly NamedTimeProfile[];
}

export interface NamedTimeProfile {
  id: number;
  name: string;
  profile: TimeProfile;
}

export interface DoorFacts {
  id: number;
  name: string;
  enabled: boolean;
}

/** An access level that names the door, with its schedule. */
export interface LevelGrant {
  via: 'level';
  levelId: number;
  levelName: string;
  /**
   * Null: the level opens the door at all times. A schedule that is a BAS-IP time profile carries
   * its rule, which then decides instead of the weekly days and times; one that observes holidays is
   * inactive on the site's holidays.
   */
  schedule: NamedSchedule | null;
}

/**
 * What the giver of a delegation is at the moment of the decision: a delegation gives at most what its
 * giver could do then, so the giver's own access is decided again each time, not only when delegating.
 */
export interface GiverFacts {
  holder: HolderFacts;
  /** The giver's own levels that name the door; doors delegated to the giver never count. */
  levels: readonly LevelGrant[];
}

/** A delegation to the holder: a window, bounded by what its giver may do (null: the giver is gone). */
export interface DelegationGrant {
  via: 'delegation';
  levelId: number;
  levelName: string;
  window: AccessWindow;
  giver: GiverFacts | null;
}

/** One way the holder may reach the door: an access level (with its schedule), a delegation or a panel identifier. */
export type Grant =
  | LevelGrant
  | DelegationGrant
  | {
      /** A panel-face identifier at one of the site's panel locks. */
      via: 'panel';
      lockNumber: number;
    };

export interface DecisionFacts {
  /** IANA zone schedules are read in. */
  timezone: string;
  credential: CredentialFacts | null;
  holder: HolderFacts | null;
  door: DoorFacts | null;
  /** The door's lock number on the asking device, when it is one of a panel's locks. */
  lockNumber: number | null;
  /** Every grant of the holder that names this door. */
  grants: readonly Grant[];
  /** What was typed is the site's public unlock code, switched on, at one of a panel's locks. */
  publicCode: boolean;
  /**
   * The door's mode facts (src/access/door-mode.ts), with the site's holidays and the free-access windows
   * of the panel locks it sits behind: free access opens the door as its mode, whoever asks.
   */
  doorMode: DoorModeFacts;
  /** Every access level assigned to the holder: a lockdown's responders are named by level. */
  holderLevelIds: readonly number[];
  /** The presentation carried a card and the PIN of that card's holder (a `card_and_pin` door's two factors). */
  pinConfirmed: boolean;
}

/** Why a decision went the way it did; one per check, plus `granted`. */
export type ReasonCode =
  | 'unknown_credential'
  | 'credential_disabled'
  | 'credential_not_yet_effective'
  | 'credential_expired'
  | 'fob_not_assigned'
  | 'holder_disabled'
  | 'holder_not_yet_effective'
  | 'holder_expired'
  | 'factor_not_allowed'
  | 'unknown_door'
  | 'door_disabled'
  | 'door_locked'
  | 'lock_not_allowed'
  | 'no_grant'
  | 'outside_schedule'
  | 'outside_time_profile'
  | 'second_factor_required'
  | 'passes_used_up'
  /** Not a check of decide(): the store could not be read or the decision recorded (access.service.ts). */
  | 'store_unavailable'
  | 'granted';

/** The rule that granted access. */
export type GrantingRule =
  | { via: 'level'; levelId: number; levelName: string; scheduleId: number | null; scheduleName: string | null }
  | { via: 'delegation'; levelId: number; levelName: string }
  | { via: 'panel'; lockNumber: number }
  /** The public unlock code was typed. */
  | { via: 'public_code'; lockNumber: number }
  /**
   * The door was unlocked (by a plan, an override, its unlock schedule or a panel lock's free access:
   * `cause` says which, in words).
   */
  | { via: 'door_mode'; cause: string }
  /** The door was locked down and the holder holds one of the plan's responder levels. */
  | { via: 'lockdown_responder'; planId: number; planName: string; cause: string };

/** Whether the rule opened the door to anyone, whoever presented what: no pass of theirs is spent. */
export const opensToAnyone = (rule: GrantingRule | null): boolean => rule?.via === 'public_code' || rule?.via === 'door_mode';

export interface TraceStep {
  check: ReasonCode;
  passed: boolean;
}

export interface Decision {
  granted: boolean;
  reason: ReasonCode;
  /** Plain-language explanation naming what decided. */
  explanation: string;
  rule: GrantingRule | null;
  /** Every check that ran, in order; the last is the one that decided. */
  trace: TraceStep[];
}

const within = (window: AccessWindow, at: number) =>
  (window.effective === null || at >= window.effective) && (window.expires === null || at < window.expires);

interface Check {
  reason: Exclude<ReasonCode, 'granted'>;
  /** True when the check fails, i.e. access must be denied for this reason. */
  fails(facts: DecisionFacts, at: number, mode: ResolvedMode): boolean;
  explain(facts: DecisionFacts, at: number, mode: ResolvedMode): string;
}

/** An unscheduled level, or one whose schedule is active (and, when it observes holidays, not on one). */
function levelActive(grant: LevelGrant, at: number, facts: Pick<DecisionFacts, 'timezone' | 'doorMode'>): boolean {
  const { schedule } = grant;
  if (schedule === null) return true;
  if (schedule.observesHolidays === true && holidayAt(facts.doorMode.holidays, at, facts.timezone) !== undefined) return false;
  return scheduleAdmits(schedule, at, facts.timezone);
}

/**
 * Why a delegation's giver does not hold the door at `at` (what creating the delegation required: an
 * enabled, current user with a level of their own naming the door), or null when they do. The giver is
 * named by id: the text is recorded in the receiver's events, where anonymizing the giver cannot reach.
 */
function giverLacksDoor(giver: GiverFacts | null, at: number): string | null {
  if (giver === null) return 'its giver is no longer a cardholder of the site';
  const { holder } = giver;
  if (!holder.enabled) return `its giver (user ${holder.id}) is disabled`;
  if (holder.effective !== null && at < holder.effective) return `its giver (user ${holder.id}) is not yet effective`;
  if (holder.expires !== null && at >= holder.expires) return `its giver (user ${holder.id}) has expired`;
  if (giver.levels.length === 0) return `its giver (user ${holder.id}) has no access level of their own that includes the door`;
  return null;
}

/** Why the giver could not open the door at `at` (holding it, their time profiles, their schedules), or null when they could. */
function giverCannotOpen(giver: GiverFacts | null, at: number, facts: DecisionFacts): string | null {
  const lacks = giverLacksDoor(giver, at);
  if (lacks !== null || giver === null) return lacks;
  const { holder } = giver;
  if (!profilesAllow(holder.timeProfiles, at, facts.timezone)) return `its giver (user ${holder.id}) is outside their time profiles`;
  if (!giver.levels.some((level) => levelActive(level, at, facts)))
    return `its giver (user ${holder.id}) is outside every schedule of theirs for the door`;
  return null;
}

const delegationsOf = (grants: readonly Grant[]) => grants.filter((g): g is DelegationGrant => g.via === 'delegation');

/** " Delegation X does not: <why>." for each delegation a check set aside because of its giver. */
const delegationNotes = (notes: readonly (readonly [DelegationGrant, string | null])[]) =>
  notes.flatMap(([grant, why]) => (why === null ? [] : [` Delegation ${grant.levelName} does not: ${why}.`])).join('');

const grantsAt = (facts: DecisionFacts, at: number) =>
  facts.grants.filter((g) => g.via !== 'delegation' || (within(g.window, at) && giverLacksDoor(g.giver, at) === null));

/** Whether the door's lock, on the asking panel, is one the user and the identifier may open. */
function lockAllowed(facts: DecisionFacts): boolean {
  const lock = facts.lockNumber;
  if (lock === null) return true;
  const userLock = facts.holder?.lockNumber ?? 0;
  const identifierLock = facts.credential?.lock ?? 'all';
  const userAllows = userLock === 0 || userLock === lock;
  return userAllows && lockIncludes(identifierLock, lock);
}

/** None attached, or one of them active now. */
function profilesAllow(profiles: readonly NamedTimeProfile[], at: number, zone: string): boolean {
  return profiles.length === 0 || profiles.some((p) => isTimeProfileActive(p.profile, at, zone));
}

/** The ordered checks. Earlier reasons win over later ones. */
const CHECKS: readonly Check[] = [
  { reason: 'unknown_credential', fails: (f) => f.credential === null, explain: () => 'No credential matches what was presented.' },
  { reason: 'credential_disabled', fails: (f) => f.credential?.enabled === false, explain: (f) => `Credential ${f.credential?.id} is disabled.` },
  {
    reason: 'credential_not_yet_effective',
    fails: (f, at) => f.credential?.effective != null && at < f.credential.effective,
    explain: (f) => `Credential ${f.credential?.id} is not yet effective.`,
  },
  {
    reason: 'credential_expired',
    fails: (f, at) => f.credential?.expires != null && at >= f.credential.expires,
    explain: (f) => `Credential ${f.credential?.id} has expired.`,
  },
  {
    reason: 'fob_not_assigned',
    fails: (f) => f.credential?.isFob === true && f.credential.holderId === null,
    explain: (f) => `Fob ${f.credential?.id} is not assigned to anyone.`,
  },
  { reason: 'holder_disabled', fails: (f) => f.holder?.enabled === false, explain: (f) => `User ${f.holder?.name} is disabled.` },
  {
    reason: 'holder_not_yet_effective',
    fails: (f, at) => f.holder?.effective != null && at < f.holder.effective,
    explain: (f) => `User ${f.holder?.name}'s access is not yet effective.`,
  },
  {
    reason: 'holder_expired',
    fails: (f, at) => f.holder?.expires != null && at >= f.holder.expires,
    explain: (f) => `User ${f.holder?.name}'s access has expired.`,
  },
  {
    reason: 'factor_not_allowed',
    fails: (f) => f.holder?.authFactors != null && f.credential !== null && !f.holder.authFactors.includes(f.credential.factor),
    explain: (f) => `User ${f.holder?.name} may not use ${f.credential?.factor} to get in.`,
  },
  { reason: 'unknown_door', fails: (f) => f.door === null, explain: () => 'No such door.' },
  { reason: 'door_disabled', fails: (f) => f.door?.enabled === false, explain: (f) => `Door ${f.door?.name} is disabled.` },
  {
    // Passed while locked only by a responder of the plan that locked it, who is then let in (decide()).
    reason: 'door_locked',
    fails: (f, _at, mode) => mode.mode === 'locked' && responderPlan(f, mode) === null,
    explain: (f, at, mode) => `Door ${f.door?.name} is locked by ${describeCause(mode.cause, at, f.timezone)}.`,
  },
  {
    reason: 'lock_not_allowed',
    fails: (f) => !lockAllowed(f),
    explain: (f) => `Lock ${f.lockNumber} is not one this user and credential may open.`,
  },
  {
    reason: 'no_grant',
    // A panel identifier may belong to nobody (a guest's card) and still open the panel's locks.
    fails: (f, at) => grantsAt(f, at).length === 0,
    explain: (f, at) =>
      `No access level or current delegation gives access to door ${f.door?.name}.` +
      delegationNotes(
        delegationsOf(f.grants)
          .filter((g) => within(g.window, at))
          .map((g) => [g, giverLacksDoor(g.giver, at)]),
      ),
  },
  {
    reason: 'outside_schedule',
    fails: (f, at) => activeGrant(f, at) === undefined,
    explain: (f, at) =>
      `Door ${f.door?.name} is outside every schedule that grants it now.` +
      delegationNotes(delegationsOf(grantsAt(f, at)).map((g) => [g, giverCannotOpen(g.giver, at, f)])),
  },
  {
    reason: 'outside_time_profile',
    fails: (f, at) =>
      !profilesAllow(f.credential?.timeProfiles ?? [], at, f.timezone) || !profilesAllow(f.holder?.timeProfiles ?? [], at, f.timezone),
    explain: (f) => `Outside every time profile attached to credential ${f.credential?.id} or its user.`,
  },
  {
    reason: 'second_factor_required',
    fails: (f, _at, mode) => mode.mode === 'card_and_pin' && !f.pinConfirmed,
    explain: (f, at, mode) => `Door ${f.door?.name} needs a card and its user's PIN, by ${describeCause(mode.cause, at, f.timezone)}.`,
  },
  {
    reason: 'passes_used_up',
    fails: (f) => f.credential?.passesLeft != null && f.credential.passesLeft <= 0,
    explain: (f) => `Credential ${f.credential?.id} has no passes left.`,
  },
];

/**
 * The first grant open at `at`, in the order given: a panel grant, an unscheduled level or one whose
 * schedule is active, or a delegation whose giver could open the door now.
 */
function activeGrant(facts: DecisionFacts, at: number): Grant | undefined {
  return grantsAt(facts, at).find(
    (g) => g.via === 'panel' || (g.via === 'level' ? levelActive(g, at, facts) : giverCannotOpen(g.giver, at, facts) === null),
  );
}

function ruleOf(grant: Grant): GrantingRule {
  if (grant.via === 'panel') return { via: 'panel', lockNumber: grant.lockNumber };
  if (grant.via === 'delegation') return { via: 'delegation', levelId: grant.levelId, levelName: grant.levelName };
  return {
    via: 'level',
    levelId: grant.levelId,
    levelName: grant.levelName,
    scheduleId: grant.schedule?.id ?? null,
    scheduleName: grant.schedule?.name ?? null,
  };
}

/** The granting rule in words: "access level Office on schedule Office hours", "delegation …", "the panel identifier, lock 1". */
export function describeRule(rule: GrantingRule): string {
  switch (rule.via) {
    case 'panel':
      return `the panel identifier, lock ${rule.lockNumber}`;
    case 'public_code':
      return `the public unlock code, lock ${rule.lockNumber}`;
    case 'delegation':
      return `delegation ${rule.levelName}`;
    case 'level':
      return `access level ${rule.levelName}${rule.scheduleName ? ` on schedule ${rule.scheduleName}` : ''}`;
    case 'door_mode':
      return `door mode unlocked: ${rule.cause}`;
    case 'lockdown_responder':
      return `a responder level of ${rule.cause}`;
  }
}

/** An instant on the site's clocks: the time alone on the day of `at`, else with its date. */
function siteTime(instant: number, at: number, zone: string): string {
  const local = DateTime.fromMillis(instant, { zone });
  return local.toFormat(siteDay(instant, zone) === siteDay(at, zone) ? 'HH:mm' : 'yyyy-MM-dd HH:mm');
}

/** What a holiday set aside, in words: "unlock schedules do not apply", "BAS-IP free access does not apply". */
function suspended(suspends: readonly ('schedule' | 'free_access')[]): string {
  const names = suspends.map((what) => (what === 'schedule' ? 'unlock schedules' : 'BAS-IP free access'));
  return names.length === 1 && suspends[0] === 'free_access' ? `${names[0]} does not apply` : `${names.join(' and ')} do not apply`;
}

/** What decided a door's mode, in words: "lockdown 'Fire drill' (priority 10) since 14:02, by operator alice". */
export function describeCause(cause: ModeCause, at: number, zone: string): string {
  switch (cause.via) {
    case 'lockdown':
      return `${cause.mode} '${cause.name}' (priority ${cause.priority}) since ${siteTime(cause.since, at, zone)}${cause.by ? `, by ${cause.by}` : ''}`;
    case 'override':
      return `override by ${cause.actor} since ${siteTime(cause.since, at, zone)}${cause.until === null ? '' : ` until ${siteTime(cause.until, at, zone)}`}`;
    case 'holiday':
      return `holiday '${cause.name}', on which ${suspended(cause.suspends)}`;
    case 'schedule':
      return `unlock schedule '${cause.scheduleName}'`;
    case 'free_access':
      return `BAS-IP free access, lock ${cause.lock}, until ${siteTime(cause.until, at, zone)}`;
    case 'first_person_in_pending':
      return `unlock schedule '${cause.scheduleName}', waiting for today's first person in`;
    case 'default':
      return 'no unlock schedule, override or plan';
  }
}

const MODE_WORDS: Record<ResolvedMode['mode'], string> = {
  access_controlled: 'access controlled',
  unlocked: 'unlocked',
  locked: 'locked',
  card_and_pin: 'card and PIN',
};

/** " Door mode card and PIN: unlock schedule 'Lunch'." after an explanation, unless nothing but the default decided. */
function modeNote(mode: ResolvedMode, at: number, zone: string): string {
  return mode.cause.via === 'default' ? '' : ` Door mode ${MODE_WORDS[mode.mode]}: ${describeCause(mode.cause, at, zone)}.`;
}

/** The lockdown plan behind a locked door, when the holder holds one of its responder levels; else null. */
function responderPlan(facts: DecisionFacts, mode: ResolvedMode): (ModeCause & { via: 'lockdown' }) | null {
  const { cause } = mode;
  if (cause.via !== 'lockdown' || facts.holder === null) return null;
  return cause.responderLevelIds.some((id) => facts.holderLevelIds.includes(id)) ? cause : null;
}

/** The mode of a known, enabled door; any other is refused by the checks before its mode counts. */
const modeOf = (facts: DecisionFacts, at: number): ResolvedMode =>
  facts.door?.enabled === true ? doorModeAt(facts.doorMode, at, facts.timezone) : { mode: 'access_controlled', cause: { via: 'default' } };

/**
 * What opens a known, enabled door at one of a panel's locks to anyone, before any check of who asks: the
 * public unlock code. Null when nothing does. (Free access is the door's mode: `unlocked` by its window.)
 */
function openToAnyone(facts: DecisionFacts): GrantingRule | null {
  const lockNumber = facts.lockNumber;
  if (lockNumber === null || facts.door === null || !facts.door.enabled) return null;
  return facts.publicCode ? { via: 'public_code', lockNumber } : null;
}

/**
 * The decision. The door's mode comes first (docs/door-modes.md): `unlocked` opens it to anyone; `locked`
 * and `card_and_pin` set aside what opens a panel lock to anyone (fail closed); `locked` then denies
 * everyone but a responder of the plan that locked it, and `card_and_pin` everyone who did not present
 * a card with its user's PIN.
 */
export function decide(facts: DecisionFacts, at: number): Decision {
  const mode = modeOf(facts, at);
  const zone = facts.timezone;
  const open: GrantingRule | null =
    mode.mode === 'unlocked'
      ? { via: 'door_mode', cause: describeCause(mode.cause, at, zone) }
      : mode.mode === 'access_controlled'
        ? openToAnyone(facts)
        : null;
  if (open !== null) {
    const trace: TraceStep[] = [
      { check: 'unknown_door', passed: true },
      { check: 'door_disabled', passed: true },
      { check: 'granted', passed: true },
    ];
    return { granted: true, reason: 'granted', explanation: `Granted by ${describeRule(open)}.`, rule: open, trace };
  }
  const note = modeNote(mode, at, zone);
  const trace: TraceStep[] = [];
  for (const check of CHECKS) {
    const failed = check.fails(facts, at, mode);
    trace.push({ check: check.reason, passed: !failed });
    // The checks of a door's mode name it themselves.
    const named = check.reason === 'door_locked' || check.reason === 'second_factor_required';
    if (failed) return { granted: false, reason: check.reason, explanation: check.explain(facts, at, mode) + (named ? '' : note), rule: null, trace };
    const plan = check.reason === 'door_locked' ? responderPlan(facts, mode) : null;
    if (plan !== null) {
      const rule: GrantingRule = { via: 'lockdown_responder', planId: plan.planId, planName: plan.name, cause: describeCause(plan, at, zone) };
      trace.push({ check: 'granted', passed: true });
      return { granted: true, reason: 'granted', explanation: `Granted by ${describeRule(rule)}.`, rule, trace };
    }
  }
  const grant = activeGrant(facts, at) as Grant;
  const rule = ruleOf(grant);
  trace.push({ check: 'granted', passed: true });
  return { granted: true, reason: 'granted', explanation: `Granted by ${describeRule(rule)}.${note}`, rule, trace };
}
