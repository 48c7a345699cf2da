import type { Answer, Client } from './child-server.ts';

/**
 * What the crash driver sent and what the server acknowledged, and the checks of a store against it.
 * A write is `acked` once its 200 arrived, `unknown` when the connection died before an answer (it may or
 * may not have committed: only all-or-nothing is required), and `refused` for any other status: it must
 * have left nothing behind, and only a 429 (a request budget) is an acceptable reason, since the driver
 * sends only valid writes.
 */
export type Outcome = 'pending' | 'acked' | 'unknown' | 'refused';

export interface UserBatch {
  no: number;
  idNums: string[];
  outcome: Outcome;
  answer?: Answer;
}

export interface EventBatch {
  no: number;
  /** The `detail` of each event, unique across the run, so each can be found again. */
  tags: string[];
  outcome: Outcome;
  eventIds?: number[];
  answer?: Answer;
}

export interface Decision {
  no: number;
  /** The asking device's name and the card it presented: what the decision's event must show. */
  device: string;
  cardNum: string;
  outcome: Outcome;
  eventId?: number;
  code?: number;
  answer?: Answer;
}

export const USERS_PER_BATCH = 20;
export const EVENTS_PER_BATCH = 10;
/**
 * Questions each access device keeps in flight: a door is never refused for a question still running, and
 * several at once make decisions share commits (src/event-log/group-commit.ts), so a kill lands mid-group.
 */
export const DECISIONS_IN_FLIGHT = 4;
/** Cards nobody holds start here (users' cards count up from 1 000 000, 20 a batch): one per question. */
const UNHELD_CARDS = 500_000_000;

/** A tiny seeded PRNG (mulberry32), so a failing run is replayed by its printed seed. */
export function seededRandom(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below: number) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return Math.floor(unit * below);
  };
}

export class Ledger {
  readonly userBatches: UserBatch[] = [];
  readonly eventBatches: EventBatch[] = [];
  readonly decisions: Decision[] = [];
  private cardNumbers = 1_000_000;

  /** `accessLevel`: given to every user sent, so that a user's card opens the driver's door once stored. */
  constructor(
    private readonly run: string,
    private readonly accessLevel?: number,
  ) {}

  nextUserBatch(): { batch: UserBatch; body: unknown } {
    const no = this.userBatches.length;
    const idNums = Array.from({ length: USERS_PER_BATCH }, (_, i) => `${this.run}-u${no}-${i}`);
    const batch: UserBatch = { no, idNums, outcome: 'pending' };
    this.userBatches.push(batch);
    const users = idNums.map((idNum, i) => ({
      id: -1,
      id_num: idNum,
      first_name: 'Crash',
      last_name: `Batch ${no}`,
      email: `${idNum}@example.com`,
      phone: '5550000000',
      pin: String(1000 + i),
      card_num: String(this.cardNumbers++),
      ...(this.accessLevel === undefined ? {} : { accesslevels: [{ id: this.accessLevel }] }),
    }));
    return { batch, body: { users } };
  }

  nextEventBatch(): { batch: EventBatch; body: unknown } {
    const no = this.eventBatches.length;
    const tags = Array.from({ length: EVENTS_PER_BATCH }, (_, i) => `${this.run}-e${no}-${i}`);
    const batch: EventBatch = { no, tags, outcome: 'pending' };
    this.eventBatches.push(batch);
    const types = ['battery_low', 'tamper', 'device_offline', 'device_online'];
    const events = tags.map((tag, i) => ({ type: types[i % types.length], hw_time: '2026-01-02T03:04:05Z', detail: tag }));
    return { batch, body: { events } };
  }

  /**
   * The next access question of `device`: half of them present a card some batch gave a user (granted once
   * that batch committed), half a card nobody holds and no other question presents, so that the event of
   * each can be told from every other's.
   */
  nextDecision(device: string, pick: (below: number) => number): Decision {
    const no = this.decisions.length;
    const held = pick(2) === 0 && this.cardNumbers > 1_000_000;
    const cardNum = String(held ? 1_000_000 + pick(this.cardNumbers - 1_000_000) : UNHELD_CARDS + no);
    const decision: Decision = { no, device, cardNum, outcome: 'pending' };
    this.decisions.push(decision);
    return decision;
  }
}

/** What a decision's event must show: the device that asked and the card it read. */
const decisionKey = (device: string, cardNum: string) => `${device} / card ${cardNum}`;

/** One driver's writes: user batches, device event batches, or the access questions of the device named. */
export type Work = { kind: 'users' } | { kind: 'events' } | { kind: 'access'; device: string };

/**
 * Drives one kind of write against the server until it stops answering or `stop()` says so; access
 * questions DECISIONS_IN_FLIGHT at a time.
 */
export async function drive(
  client: Client,
  ledger: Ledger,
  work: Work,
  doorId: number,
  pick: (below: number) => number,
  stopped: () => boolean,
): Promise<void> {
  if (work.kind === 'access') {
    const { device } = work;
    /** Asks one question after another of the device's door until the server stops answering. */
    const ask = async () => {
      while (!stopped()) {
        const decision = ledger.nextDecision(device, pick);
        const answer = await post(client, decision, '/api/v1/device/access', { door_id: doorId, card_num: decision.cardNum });
        if (decision.outcome === 'unknown') return;
        if (answer) {
          decision.eventId = answer.body.data.event_id;
          decision.code = answer.body.data.code;
        }
      }
    };
    await Promise.all(Array.from({ length: DECISIONS_IN_FLIGHT }, ask));
    return;
  }
  while (!stopped()) {
    if (work.kind === 'users') {
      const { batch, body } = ledger.nextUserBatch();
      await post(client, batch, '/api/v1/user', body);
      if (batch.outcome === 'unknown') return;
    } else {
      const { batch, body } = ledger.nextEventBatch();
      const answer = await post(client, batch, '/api/v1/device/events', body);
      if (batch.outcome === 'unknown') return;
      if (answer) batch.eventIds = answer.body.data.event_ids;
    }
  }
}

/**
 * POSTs one write and records its answer and outcome on what was sent: the answer when it was acked; a
 * connection that died makes it `unknown`, which ends its driver (the server is gone).
 */
async function post(client: Client, sent: { outcome: Outcome; answer?: Answer }, path: string, body: unknown): Promise<Answer | undefined> {
  try {
    sent.answer = await client.call('POST', path, body);
    sent.outcome = sent.answer.status === 200 ? 'acked' : 'refused';
    return sent.outcome === 'acked' ? sent.answer : undefined;
  } catch {
    sent.outcome = 'unknown';
    return undefined;
  }
}

export interface StoredEvent {
  id: number;
  code: number;
  detail: string;
  /** The device's name, and the card read (decision events). */
  device: string;
  card_num: string;
}

/** Every event of the site, through the Lockt face: `/events?id=` from 0, page after page. */
export async function readAllEvents(client: Client): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await client.call('GET', `/api/v1/events?id=${after}`);
    if (page.status !== 200) throw new Error(`GET /events?id=${after}: ${page.status} ${JSON.stringify(page.body)}`);
    const rows = page.body.data as StoredEvent[];
    if (rows.length === 0) return all;
    all.push(...rows.map((row) => ({ id: row.id, code: row.code, detail: row.detail, device: row.device, card_num: row.card_num })));
    const last = rows[rows.length - 1];
    if (!last || last.id <= after) throw new Error(`GET /events?id=${after} went backwards: ${JSON.stringify(rows.map((r) => r.id))}`);
    after = last.id;
  }
}

/** Every cardholder's id_num, through the Lockt face. */
export async function readAllIdNums(client: Client): Promise<string[]> {
  const answer = await client.call('GET', '/api/v1/user');
  if (answer.status !== 200) throw new Error(`GET /user: ${answer.status} ${JSON.stringify(answer.body)}`);
  return (answer.body.data as { id_num: string }[]).map((user) => user.id_num);
}

/** What is wrong with a refused write: a reason other than a request budget, or anything of it stored. */
function refusal(what: string, answer: Answer | undefined, stored: number): string[] {
  const found: string[] = [];
  if (answer?.status !== 429) found.push(`${what} was refused: ${JSON.stringify(answer)}`);
  if (stored > 0) found.push(`${what} was refused but ${stored} of its records are stored`);
  return found;
}

/**
 * Everything the store must show after any number of crashes, as a list of violations (empty: all
 * well). Checked against what was acknowledged: nothing acknowledged is lost, nothing is written twice,
 * and every batch is there whole or not at all.
 */
export function violations(ledger: Ledger, idNums: string[], events: StoredEvent[]): string[] {
  const found: string[] = [];
  const present = new Set<string>();
  for (const idNum of idNums) {
    if (present.has(idNum)) found.push(`user ${idNum} is stored twice`);
    present.add(idNum);
  }
  const known = new Set(ledger.userBatches.flatMap((b) => b.idNums));
  for (const idNum of present) if (!known.has(idNum)) found.push(`user ${idNum} was never sent`);
  for (const batch of ledger.userBatches) {
    const stored = batch.idNums.filter((idNum) => present.has(idNum)).length;
    if (stored !== 0 && stored !== batch.idNums.length)
      found.push(`user batch ${batch.no} (${batch.outcome}) is partly stored: ${stored} of ${batch.idNums.length}`);
    if (batch.outcome === 'acked' && stored !== batch.idNums.length)
      found.push(`user batch ${batch.no} was acknowledged but ${batch.idNums.length - stored} users are missing`);
    if (batch.outcome === 'refused') found.push(...refusal(`user batch ${batch.no}`, batch.answer, stored));
  }

  for (let i = 1; i < events.length; i++) {
    const before = events[i - 1];
    const here = events[i];
    if (before && here && here.id <= before.id) found.push(`/events paging is not in increasing id order at ${before.id}, ${here.id}`);
  }
  const byId = new Map<number, StoredEvent>();
  for (const event of events) {
    if (byId.has(event.id)) found.push(`event ${event.id} is listed twice`);
    byId.set(event.id, event);
  }
  const byTag = new Map<string, StoredEvent[]>();
  for (const event of events) byTag.set(event.detail, [...(byTag.get(event.detail) ?? []), event]);
  for (const batch of ledger.eventBatches) {
    const stored = batch.tags.map((tag) => byTag.get(tag) ?? []);
    const count = stored.filter((list) => list.length > 0).length;
    stored.forEach((list, i) => {
      if (list.length > 1) found.push(`event ${batch.tags[i]} is stored ${list.length} times`);
    });
    if (count !== 0 && count !== batch.tags.length)
      found.push(`event batch ${batch.no} (${batch.outcome}) is partly stored: ${count} of ${batch.tags.length}`);
    if (batch.outcome === 'refused') found.push(...refusal(`event batch ${batch.no}`, batch.answer, count));
    if (batch.outcome !== 'acked') continue;
    batch.tags.forEach((tag, i) => {
      const id = batch.eventIds?.[i];
      const event = id === undefined ? undefined : byId.get(id);
      if (!event) found.push(`acknowledged event ${id} (${tag}) is missing`);
      else if (event.detail !== tag) found.push(`acknowledged event ${id} should be ${tag} but is ${event.detail}`);
    });
  }
  found.push(...decisionViolations(ledger, events, byId));
  return found;
}

const isDecisionEvent = (event: StoredEvent) => event.code === 48 || event.code === 49;

/**
 * Every acknowledged decision's event is stored exactly once: the event its answer named, showing its
 * device, card and code, named by no other answer. Any other decision event must belong to a question cut
 * off by a kill (which may or may not have committed), one each, with the same device and card: a second
 * copy of an answered decision has nobody to belong to.
 */
function decisionViolations(ledger: Ledger, events: StoredEvent[], byId: Map<number, StoredEvent>): string[] {
  const found: string[] = [];
  const claimedBy = new Map<number, Decision>();
  for (const decision of ledger.decisions) {
    const what = `decision ${decision.no} (${decisionKey(decision.device, decision.cardNum)})`;
    if (decision.outcome === 'refused') found.push(...refusal(what, decision.answer, 0));
    if (decision.outcome !== 'acked') continue;
    const id = decision.eventId;
    if (id === undefined) {
      found.push(`${what} was acknowledged without an event id: ${JSON.stringify(decision.answer)}`);
      continue;
    }
    const other = claimedBy.get(id);
    if (other) found.push(`${what} and decision ${other.no} were both answered with event ${id}`);
    claimedBy.set(id, decision);
    const event = byId.get(id);
    if (!event) found.push(`acknowledged ${what} event ${id} is missing`);
    else if (!isDecisionEvent(event) || event.code !== decision.code)
      found.push(`${what} event ${id} has code ${event.code}, answered ${decision.code}`);
    else if (decisionKey(event.device, event.card_num) !== decisionKey(decision.device, decision.cardNum)) {
      found.push(`${what} event ${id} shows ${decisionKey(event.device, event.card_num)}`);
    }
  }
  const cutOff = new Map<string, number>();
  for (const decision of ledger.decisions) {
    if (decision.outcome !== 'unknown') continue;
    const key = decisionKey(decision.device, decision.cardNum);
    cutOff.set(key, (cutOff.get(key) ?? 0) + 1);
  }
  for (const event of events) {
    if (!isDecisionEvent(event) || claimedBy.has(event.id)) continue;
    const key = decisionKey(event.device, event.card_num);
    const owed = cutOff.get(key) ?? 0;
    if (owed > 0) cutOff.set(key, owed - 1);
    else found.push(`decision event ${event.id} (${key}) answers no question that could have left it: a decision stored twice`);
  }
  return found;
}
