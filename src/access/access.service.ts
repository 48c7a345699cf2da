import type { Queryable } from '../db/queryable.ts';
import { CODE_TEXT, DECISION_SUBCODE, EVENT_CATEGORIES, EVENT_CODES, SUBCODE_TEXT } from '../event-log/catalogue.ts';
import { type NewEvent, appendEvents } from '../event-log/event-log.ts';
import { type Decision, decide } from './decide.ts';
import { type FactSource, type GatheredFacts, type Presented, gatherFacts } from './facts.ts';

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
  const candidates = await gatherFacts(source, question.site, question.presented, question.doorId);
  const decided = candidates.map((gathered) => ({ gathered, decision: decide(gathered.facts, question.at) }));
  const chosen = decided.find((d) => d.decision.granted) ?? (decided[0] as (typeof decided)[number]);
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
    cardNum: question.presented.kind === 'card_num' ? question.presented.value : (gathered.credential?.cardNum ?? ''),
    userId: gathered.holder?.id ?? null,
    userName: gathered.holder?.displayName ?? '',
    detail: decision.explanation,
    hwTime: question.at,
    dbTime: recordedAt,
  };
}

/** Decides and records the decision as an event, durably, before answering. */
export async function decideAndRecord(
  db: Queryable,
  source: FactSource,
  question: AccessQuestion,
  device: AskingDevice | null,
  recordedAt: number,
): Promise<Answer & { eventId: number }> {
  const result = await answer(source, question);
  const [eventId] = await db.transaction().execute((trx) => appendEvents(trx, [decisionEvent(question, result, device, recordedAt)]));
  return { ...result, eventId: eventId as number };
}

