import { type Answer, answer, answerHolderPin } from '../../access/access.service.ts';
import { describeRule } from '../../access/decide.ts';
import type { FactSource, Presented } from '../../access/facts.ts';
import { readCardNum } from '../../access/presented.ts';
import type { Queryable } from '../../db/queryable.ts';
import { fromFlag } from '../../db/conventions.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { Site } from '../../domain/site.ts';
import { parseWireTime } from '../../lib/site-time.ts';
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

/**
 * Who can open a door now: the people whose access levels (or delegations) name it, a page at a time in
 * id order, each asked of the access engine with their credentials, then their PIN, until one is granted. Those the engine
 * refuses now (disabled, expired, outside their schedule) are left out. `next` continues after the last
 * person asked, whether or not they could open it.
 */
export async function whoCanOpen(
  db: Queryable,
  access: FactSource,
  site: Site,
  doorId: number,
  afterId: number,
  now: number,
): Promise<{ people: DoorOpener[]; next: number | null }> {
  const [door] = await repo.doorsWithState(db, site.id, 1, doorId);
  if (door === undefined) throw ERRORS.notFound(`No door with id ${doorId}.`);
  const holders = await repo.doorHolders(db, site.id, doorId, afterId, HOLDERS_PAGE);
  const credentials = await repo.credentialsOf(
    db,
    site.id,
    holders.map((h) => h.id),
  );
  const people: DoorOpener[] = [];
  for (const holder of holders) {
    const asks = credentials
      .filter((c) => c.user_id === holder.id)
      .map((row) => ({ credential: credentialLabel(row), ask: () => answer(access, { site, doorId, presented: byKey(row), at: now }) }));
    if (holder.has_pin) asks.push({ credential: 'PIN', ask: () => answerHolderPin(access, { site, doorId, holderId: holder.id, at: now }) });
    for (const { credential, ask } of asks) {
      const { decision } = await ask();
      if (!decision.granted || decision.rule === null) continue;
      people.push({ id: holder.id, name: `${holder.first_name} ${holder.last_name}`, credential, rule: describeRule(decision.rule) });
      break;
    }
  }
  return { people, next: holders.length < HOLDERS_PAGE ? null : (holders.at(-1)?.id ?? null) };
}
