import { isScheduleActive, type WeeklySchedule } from './schedule.ts';

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

export interface CredentialFacts extends AccessWindow {
  id: number;
  enabled: boolean;
  isFob: boolean;
  /** Null for a fob assigned to nobody. */
  holderId: number | null;
  /** Passes left under a pass limit (BAS-IP identifiers); null when unlimited. */
  passesLeft: number | null;
}

export interface HolderFacts extends AccessWindow {
  id: number;
  name: string;
  enabled: boolean;
}

export interface DoorFacts {
  id: number;
  name: string;
  enabled: boolean;
}

/** One way the holder may reach the door: an access level (with its schedule) or a delegation. */
export type Grant =
  | {
      via: 'level';
      levelId: number;
      levelName: string;
      /** Null: the level opens the door at all times. */
      schedule: (WeeklySchedule & { id: number; name: string }) | null;
    }
  | {
      via: 'delegation';
      levelId: number;
      levelName: string;
      window: AccessWindow;
    };

export interface DecisionFacts {
  /** IANA zone schedules are read in. */
  timezone: string;
  credential: CredentialFacts | null;
  holder: HolderFacts | null;
  door: DoorFacts | null;
  /** Every grant of the holder that names this door. */
  grants: readonly Grant[];
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
  | 'unknown_door'
  | 'door_disabled'
  | 'no_grant'
  | 'outside_schedule'
  | 'passes_used_up'
  | 'granted';

/** The rule that granted access. */
export type GrantingRule =
  | { via: 'level'; levelId: number; levelName: string; scheduleId: number | null; scheduleName: string | null }
  | { via: 'delegation'; levelId: number; levelName: string };

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
  fails(facts: DecisionFacts, at: number): boolean;
  explain(facts: DecisionFacts): string;
}

const grantsAt = (facts: DecisionFacts, at: number) =>
  facts.grants.filter((g) => g.via === 'level' || within(g.window, at));

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
  { reason: 'unknown_door', fails: (f) => f.door === null, explain: () => 'No such door.' },
  { reason: 'door_disabled', fails: (f) => f.door?.enabled === false, explain: (f) => `Door ${f.door?.name} is disabled.` },
  {
    reason: 'no_grant',
    fails: (f, at) => f.holder === null || grantsAt(f, at).length === 0,
    explain: (f) => `No access level or current delegation gives access to door ${f.door?.name}.`,
  },
  {
    reason: 'outside_schedule',
    fails: (f, at) => activeGrant(f, at) === undefined,
    explain: (f) => `Door ${f.door?.name} is outside every schedule that grants it now.`,
  },
  {
    reason: 'passes_used_up',
    fails: (f) => f.credential?.passesLeft != null && f.credential.passesLeft <= 0,
    explain: (f) => `Credential ${f.credential?.id} has no passes left.`,
  },
];

/** The first grant open at `at`: unscheduled levels and delegations first, then scheduled levels by id. */
function activeGrant(facts: DecisionFacts, at: number): Grant | undefined {
  return grantsAt(facts, at).find((g) => g.via === 'delegation' || g.schedule === null || isScheduleActive(g.schedule, at, facts.timezone));
}

function ruleOf(grant: Grant): GrantingRule {
  if (grant.via === 'delegation') return { via: 'delegation', levelId: grant.levelId, levelName: grant.levelName };
  return {
    via: 'level',
    levelId: grant.levelId,
    levelName: grant.levelName,
    scheduleId: grant.schedule?.id ?? null,
    scheduleName: grant.schedule?.name ?? null,
  };
}

export function decide(facts: DecisionFacts, at: number): Decision {
  const trace: TraceStep[] = [];
  for (const check of CHECKS) {
    const failed = check.fails(facts, at);
    trace.push({ check: check.reason, passed: !failed });
    if (failed) return { granted: false, reason: check.reason, explanation: check.explain(facts), rule: null, trace };
  }
  const grant = activeGrant(facts, at) as Grant;
  const rule = ruleOf(grant);
  trace.push({ check: 'granted', passed: true });
  const how =
    rule.via === 'delegation'
      ? `delegation ${rule.levelName}`
      : `access level ${rule.levelName}${rule.scheduleName ? ` on schedule ${rule.scheduleName}` : ''}`;
  return { granted: true, reason: 'granted', explanation: `Granted by ${how}.`, rule, trace };
}
