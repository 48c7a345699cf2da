import type { Queryable } from '../db/queryable.ts';
import { isStoreUnavailable } from '../db/store-errors.ts';
import { CODE_TEXT, DECISION_SUBCODE, EVENT_CATEGORIES, EVENT_CODES, SUBCODE_TEXT } from '../event-log/catalogue.ts';
import type { NewEvent } from '../event-log/event-log.ts';
import { groupCommitOf } from '../event-log/group-commit.ts';
import { signalsOf } from '../metrics/signals.ts';
import { type Decision, decide, opensToAnyone } from './decide.ts';
import { NO_DOOR_MODE, firstInDay } from './door-mode.ts';
import { insertFirstIn } from './facts.repository.ts';
import { spendPass } from './passes.repository.ts';
import { type FactSource, type GatheredFacts, type Presented, gatherAnyoneFacts, gatherFacts, gatherHolderPinFacts } from './facts.ts';

/** The device that asked, as events name it. */
export interface AskingDevice {
  id: number;
  name: string;
}

export interface AccessQuestion {
  site: { id: number; timezone: string };
  doorId: number;
  presented: Presented;
  at: number;
  /** The asking device, whose lock numbers place the door on a panel; null for the explain endpoint. */
  deviceId?: number | null;
}

/** A decision with the codes the wire shows and the facts it was made on. */
export interface Answer {
  decision: Decision;
  gathered: GatheredFacts;
  code: number;
  codeText: string;
  subcode: number;
  subcodeText: string;
}

/**
 * Decides for every candidate (a shared PIN has several) and answers with the first grant, or else the
 * first candidate's denial: a shared PIN opens the door if any holder of it may.
 */
export async function answer(source: FactSource, question: AccessQuestion): Promise<Answer> {
  const candidates = await gatherFacts(source, question.site, question.presented, question.doorId, question.deviceId ?? null);
  const decided = candidates.map((gathered) => ({ gathered, decision: decide(gathered.facts, question.at) }));
  return withCodes(decided.find((d) => d.decision.granted) ?? (decided[0] as (typeof decided)[number]));
}

/**
 * Whether a holder's own PIN would open a door at `at`, asked by no device (the console's "who can open
 * this door"): the decision a keypad would get for it, without knowing the PIN.
 */
export async function answerHolderPin(
  source: FactSource,
  question: Omit<AccessQuestion, 'presented' | 'deviceId'> & { holderId: number },
): Promise<Answer> {
  const gathered = await gatherHolderPinFacts(source, question.site, question.holderId, question.doorId);
  return withCodes({ gathered, decision: decide(gathered.facts, question.at) });
}

/**
 * Whether a door opens to anyone at `at`, asked as the device `deviceId` would (its lock's free access),
 * and with `publicCode` whether the site's public unlock code would open it there: the console's "who can
 * open this door", which lists these before the people it names.
 */
export async function answerAnyone(
  source: FactSource,
  question: Omit<AccessQuestion, 'presented' | 'deviceId'> & { deviceId: number | null; publicCode: boolean },
): Promise<Answer> {
  const gathered = await gatherAnyoneFacts(source, question.site, question.doorId, question.deviceId, { publicCode: question.publicCode });
  return withCodes({ gathered, decision: decide(gathered.facts, question.at) });
}

/** A decision with the event code and subcode it is recorded and answered with. */
function withCodes(chosen: { gathered: GatheredFacts; decision: Decision }): Answer {
  const code = chosen.decision.granted ? EVENT_CODES.ACCESS_GRANTED : EVENT_CODES.ACCESS_DENIED;
  const subcode = DECISION_SUBCODE[chosen.decision.reason];
  return {
    ...chosen,
    code,
    codeText: CODE_TEXT[code] ?? '',
    subcode,
    subcodeText: SUBCODE_TEXT[subcode] ?? '',
  };
}

/**
 * The number an event records: what was read (a card, a panel identifier), or the credential's own card
 * number when it was found another way. A typed code (a PIN, an inputCode) is never written to the log.
 */
function recordedNumber(presented: Presented, gathered: GatheredFacts): string {
  if (presented.kind === 'card_num') return presented.value;
  if (presented.kind === 'card_and_pin') return presented.card;
  if (presented.kind === 'identifier' && presented.identifierType !== 'inputCode') return presented.value;
  return gathered.credential && gathered.credential.identifierType !== 'inputCode' ? gathered.credential.cardNum : '';
}

/** The event that records an answer. A PIN is never written to the log; a card number is. */
export function decisionEvent(question: AccessQuestion, result: Answer, device: AskingDevice | null, recordedAt: number): NewEvent {
  const { gathered, decision } = result;
  const rule = decision.rule;
  return {
    siteId: question.site.id,
    code: result.code,
    subcode: result.subcode,
    category: decision.granted ? EVENT_CATEGORIES.ACCESS_GRANTED : EVENT_CATEGORIES.ACCESS_DENIED,
    deviceId: device?.id ?? null,
    deviceName: device?.name ?? '',
    controller: 'Portcullis',
    doorId: gathered.door?.id ?? question.doorId,
    doorName: gathered.door?.name ?? '',
    locationName: gathered.door?.locationName ?? '',
    scheduleName: rule?.via === 'level' ? (rule.scheduleName ?? '') : '',
    credentialId: gathered.credential?.id ?? null,
    cardNum: recordedNumber(question.presented, gathered),
    userId: gathered.holder?.id ?? null,
    userName: gathered.holder?.displayName ?? '',
    detail: decision.explanation,
    hwTime: question.at,
    dbTime: recordedAt,
  };
}

/** The same answer turned into a denial because the last pass was spent by a concurrent grant. */
function noPassesLeft(result: Answer): Answer {
  const trace = [...result.decision.trace.filter((step) => step.check !== 'granted'), { check: 'passes_used_up' as const, passed: false }];
  const subcode = DECISION_SUBCODE.passes_used_up;
  return {
    ...result,
    decision: { granted: false, reason: 'passes_used_up', explanation: 'The last pass was spent by another entry.', rule: null, trace },
    code: EVENT_CODES.ACCESS_DENIED,
    codeText: CODE_TEXT[EVENT_CODES.ACCESS_DENIED] ?? '',
    subcode,
    subcodeText: SUBCODE_TEXT[subcode] ?? '',
  };
}

/**
 * The answer when the store cannot be read or the decision cannot be recorded: a denial, with no event,
 * since an access-control system that cannot prove a grant or keep its record fails closed.
 */
export function storeUnavailableAnswer(timezone: string): Answer & { eventId: null } {
  const subcode = DECISION_SUBCODE.store_unavailable;
  return {
    decision: {
      granted: false,
      reason: 'store_unavailable',
      explanation: 'The store could not be reached, so the decision could be neither proved nor recorded.',
      rule: null,
      trace: [{ check: 'store_unavailable', passed: false }],
    },
    gathered: {
      facts: {
        timezone,
        credential: null,
        holder: null,
        door: null,
        lockNumber: null,
        grants: [],
        publicCode: false,
        doorMode: NO_DOOR_MODE,
        holderLevelIds: [],
        pinConfirmed: false,
      },
      credential: null,
      holder: null,
      door: null,
    },
    code: EVENT_CODES.ACCESS_DENIED,
    codeText: CODE_TEXT[EVENT_CODES.ACCESS_DENIED] ?? '',
    subcode,
    subcodeText: SUBCODE_TEXT[subcode] ?? '',
    eventId: null,
  };
}

/**
 * Decides and records the decision as an event, durably, before answering; the event shares its commit
 * with the other decisions of the moment (src/event-log/group-commit.ts). A grant of a pass-limited
 * credential spends a pass in that transaction; if a concurrent grant spent the last one first, this
 * entry is denied instead, so a pass is never spent twice. A store that cannot be reached, for the facts
 * or for the record, makes it a denial with no event (`store_unavailable`).
 */
export async function decideAndRecord(
  db: Queryable,
  source: FactSource,
  question: AccessQuestion,
  device: AskingDevice | null,
  recordedAt: number,
): Promise<Answer & { eventId: number | null }> {
  const answered = await decideAndRecordOrThrow(db, source, question, device, recordedAt).catch((error: unknown) => {
    if (isStoreUnavailable(error)) return storeUnavailableAnswer(question.site.timezone);
    throw error;
  });
  signalsOf(db).decided(answered.decision.reason);
  return answered;
}

async function decideAndRecordOrThrow(
  db: Queryable,
  source: FactSource,
  question: AccessQuestion,
  device: AskingDevice | null,
  recordedAt: number,
): Promise<Answer & { eventId: number }> {
  const decided = await answer(source, question);
  // A door open to anyone (unlocked by its mode, the public code) spends no pass of whoever came through it.
  const limited = decided.decision.granted && !opensToAnyone(decided.decision.rule) ? decided.gathered.credential : null;
  // Spending a pass changes what the next decision must see, so the caches are told of it.
  const spends = limited != null && limited.passesLeft !== null;
  // The door's first person in of the day unlocks it for the rest of its unlock window: recorded with the grant.
  const { facts } = decided.gathered;
  const firstIn =
    decided.decision.granted && facts.door !== null ? firstInDay(facts.doorMode, facts.holderLevelIds, question.at, facts.timezone) : null;
  let result = decided;
  const eventId = await groupCommitOf(db).record(question.site.id, spends || firstIn !== null, async (trx) => {
    // From the decision each time: a failed shared commit is tried again, and its spent pass was rolled back.
    result = spends && !(await spendPass(trx, question.site.id, limited.id)) ? noPassesLeft(decided) : decided;
    if (firstIn !== null && result.decision.granted && facts.door !== null) {
      await insertFirstIn(trx, question.site.id, facts.door.id, firstIn, facts.holder?.id ?? null, question.at);
    }
    return decisionEvent(question, result, device, recordedAt);
  });
  return { ...result, eventId };
}
