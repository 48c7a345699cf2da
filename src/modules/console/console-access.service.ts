import { type Answer, answer, answerAnyone, answerHolderPin } from '../../access/access.service.ts';
import { decide, describeRule, opensToAnyone } from '../../access/decide.ts';
import type { FactSource, Presented } from '../../access/facts.ts';
import { lockIncludes } from '../../access/panel-rules.ts';
import { readCardNum } from '../../access/presented.ts';
import { openUntil } from '../../access/schedule-week.ts';
import type { Queryable } from '../../db/queryable.ts';
import { fromFlag } from '../../db/conventions.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { Site } from '../../domain/site.ts';
import { parseWireTime } from '../../lib/site-time.ts';
import { LOCKS } from '../credentials/identifiers.basip.schema.ts';
import * as repo from './console.repository.ts';

/** People a page of "who can open this door" asks the engine about. */
export const HOLDERS_PAGE = 50;

/** One credential's answer at a door: what the explain endpoint shows, in the console's shape. */
export interface Explanation {
  /** Which credential was asked about: "Card 7301234", "Fob Lobby 3", "qr 5512". */
  credential: string;
  result: Answer;
}

function credentialLabel(row: repo.PersonCredentialRow): string {
  if (fromFlag(row.is_fob)) return `Fob ${row.name}`;
  const kind = row.identifier_type === 'card' ? 'Card' : row.identifier_type;
  return `${kind} ${row.card_num ?? row.name}`;
}

/** A credential as the engine is asked about it: by its key, which every kind has and names it alone. */
const byKey = (row: repo.PersonCredentialRow): Presented => ({ kind: 'credential_key', value: row.credential_key });

/** What "Why was this denied?" asks: a door, a card number or a person, and a time in the site's zone (none: now). */
export interface ExplainQuery {
  door_id: number;
  card_num?: string | undefined;
  person_id?: number | undefined;
  at?: string | undefined;
}

export interface ExplainAnswer {
  at: number;
  person: { id: number; name: string } | null;
  explanations: Explanation[];
}

/**
 * The access engine's answer, with every check it ran, for a card number or for each credential of a
 * person (and their PIN, if they have one), at a door and a time: the decision a device would get (the explain endpoint's), recording nothing.
 */
export async function explain(db: Queryable, access: FactSource, site: Site, query: ExplainQuery, now: number): Promise<ExplainAnswer> {
  const parsed = parseWireTime(query.at, site.timezone);
  if (!parsed.ok) throw ERRORS.badRequest(`Invalid at date found: ${query.at}`);
  const at = parsed.value ?? now;
  const ask = (presented: Presented) => answer(access, { site, doorId: query.door_id, presented, at });
  const card = query.card_num?.trim() ?? '';
  if ((card === '') === (query.person_id === undefined)) throw ERRORS.badRequest('Give a card number or a person, not both.');
  if (query.person_id === undefined) {
    const presented = readCardNum(card);
    return { at, person: null, explanations: [{ credential: `Card ${presented.value}`, result: await ask(presented) }] };
  }
  const person = await repo.findHolder(db, site.id, query.person_id);
  if (person === undefined) throw ERRORS.notFound(`No person with id ${query.person_id}.`);
  const credentials = await repo.credentialsOf(db, site.id, [person.id]);
  const explanations = await Promise.all(credentials.map(async (row) => ({ credential: credentialLabel(row), result: await ask(byKey(row)) })));
  if (person.has_pin) {
    explanations.push({ credential: 'PIN', result: await answerHolderPin(access, { site, doorId: query.door_id, holderId: person.id, at }) });
  }
  return { at, person: { id: person.id, name: `${person.first_name} ${person.last_name}` }, explanations };
}

export interface DoorOpener {
  id: number;
  name: string;
  credential: string;
  rule: string;
}

/** What opens a door to anyone now: its mode, a free-access window of its panel lock, the public code. */
export interface OpenToAnyone {
  /** "anyone", or "anyone who types the public code". */
  who: string;
  rule: string;
  /** When it stops opening to anyone (epoch ms), looked for a week ahead; null when not within it. */
  until: number | null;
}

/** How far ahead "until" is looked for: a door open to anyone all week says so without a time. */
const UNTIL_HORIZON_MS = 7 * 24 * 3_600_000;

/**
 * What opens the door to anyone now, asked of the engine as each device driving it would ask (no device
 * when none does) for someone it does not know, then for the public code typed there; one line per rule.
 */
async function openToAnyone(
  access: FactSource,
  site: Site,
  doorId: number,
  deviceIds: readonly (number | null)[],
  now: number,
): Promise<OpenToAnyone[]> {
  const found = new Map<string, OpenToAnyone>();
  for (const deviceId of deviceIds) {
    for (const publicCode of [false, true]) {
      const { decision, gathered } = await answerAnyone(access, { site, doorId, deviceId, at: now, publicCode });
      if (!decision.granted || decision.rule === null) continue;
      const rule = describeRule(decision.rule);
      if (found.has(rule)) continue;
      const until = openUntil((at) => decide(gathered.facts, at).granted, now, UNTIL_HORIZON_MS);
      found.set(rule, { who: decision.rule.via === 'public_code' ? 'anyone who types the public code' : 'anyone', rule, until });
    }
  }
  return [...found.values()];
}

/**
 * Who can open a door now: first what opens it to anyone (on the first page), then the people whose access
 * levels (or delegations) name it or who hold a panel identifier for one of its panel locks, a page at a
 * time in id order, each asked of the access engine with their credentials (a panel identifier also as
 * each device driving the door asks, so its lock counts), then their PIN, until one is granted. Those the
 * engine refuses now (disabled, expired, outside their schedule) are left out, and so is a grant that
 * opens the door to anyone (listed once, above). `next` continues after the last person asked, whether
 * or not they could open it.
 */
export async function whoCanOpen(
  db: Queryable,
  access: FactSource,
  site: Site,
  doorId: number,
  afterId: number,
  now: number,
): Promise<{ anyone: OpenToAnyone[]; people: DoorOpener[]; next: number | null }> {
  const [door] = await repo.doorsWithState(db, site.id, 1, doorId);
  if (door === undefined) throw ERRORS.notFound(`No door with id ${doorId}.`);
  const locks = await repo.doorLocks(db, site.id, doorId);
  const deviceIds = [...new Set(locks.map((lock) => lock.device_id))];
  const panelLocks = LOCKS.filter((lock) => locks.some((l) => lockIncludes(lock, l.lock_number)));
  const holders = await repo.doorHolders(db, site.id, doorId, panelLocks, afterId, HOLDERS_PAGE);
  const credentials = await repo.credentialsOf(
    db,
    site.id,
    holders.map((h) => h.id),
  );
  const people: DoorOpener[] = [];
  for (const holder of holders) {
    const asks = credentials
      .filter((c) => c.user_id === holder.id)
      .flatMap((row) => {
        const presented = byKey(row);
        const asking = [null, ...(fromFlag(row.panel_access) ? deviceIds : [])];
        return asking.map((deviceId) => ({
          credential: credentialLabel(row),
          ask: () => answer(access, { site, doorId, presented, at: now, deviceId }),
        }));
      });
    if (holder.has_pin) asks.push({ credential: 'PIN', ask: () => answerHolderPin(access, { site, doorId, holderId: holder.id, at: now }) });
    for (const { credential, ask } of asks) {
      const { decision } = await ask();
      if (!decision.granted || decision.rule === null || opensToAnyone(decision.rule)) continue;
      people.push({ id: holder.id, name: `${holder.first_name} ${holder.last_name}`, credential, rule: describeRule(decision.rule) });
      break;
    }
  }
  return {
    anyone: afterId === 0 ? await openToAnyone(access, site, doorId, deviceIds.length === 0 ? [null] : deviceIds, now) : [],
    people,
    next: holders.length < HOLDERS_PAGE ? null : (holders.at(-1)?.id ?? null),
  };
}
