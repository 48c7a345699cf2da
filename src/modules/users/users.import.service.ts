import { groupBy } from '../../lib/group-by.ts';
import type { Queryable } from '../../db/queryable.ts';
import { nameKeyOwnersIn } from '../../db/site-lookups.ts';
import { keysetChunks } from '../../db/keyset.ts';
import type { BatchOptions, RecordCheck, SiteCall, WriteCounts } from '../../domain/batch.ts';
import { nameKey } from '../../domain/names.ts';
import * as credentials from '../credentials/credentials.repository.ts';
import { cardNumConflicts, readCardNum } from '../credentials/credentials.service.ts';
import type { Site } from '../../domain/site.ts';
import * as repo from './users.repository.ts';
import {
  type UserInput,
  type UserPlan,
  type UserView,
  checkUserChanges,
  idNumRepeated,
  insertCards,
  userListFilter,
  userViews,
  writeUsers,
} from './users.service.ts';

/**
 * Moving people in from another system (docs/import-export.md): rows of a people file in the terms of
 * POST /user, checked by its rules and written by its writes, plus what a file says that a JSON record
 * cannot (several cards, access levels by name). A row whose id_num is a person's already updates that
 * person, so a file can be fixed and imported again, or exported, edited and imported back.
 */

/** The columns of a people file, in the order an export writes them: the Lockt user's fields. */
export const PEOPLE_COLUMNS = [
  'id_num',
  'first_name',
  'last_name',
  'email',
  'phone',
  'card_num',
  'pin',
  'accesslevels',
  'access_effective',
  'access_expires',
  'enabled',
] as const;

/** What separates several cards, or several access level names, in one cell. */
export const LIST_SEPARATOR = ';';

const listOf = (cell: string | undefined) =>
  (cell ?? '')
    .split(LIST_SEPARATOR)
    .map((part) => part.trim())
    .filter((part) => part !== '');

/** One row as the batch API would have received it. */
export interface PersonRecord {
  /** create: checked as a POST /user record; update (its id_num is a person's): as a PUT /user record. */
  kind: 'create' | 'update';
  /** The row's fields, with `id` (the person's, or -1) and access levels by id; cards are apart. */
  record: Record<string, unknown>;
  /** Every card number of the row's card_num cell. */
  cards: string[];
  messages: string[];
}

/** What an import remembers from chunk to chunk: every id_num its rows have given so far. */
export interface ImportMemory {
  idNums: Set<string>;
  /** The holders of the id_nums of the chunk read last, which its check would otherwise look up again. */
  chunkHolders: Map<string, number>;
}

/**
 * One chunk of rows (blank cells left out) as records: each id_num looked up (one query), each access
 * level name turned into its id (one query). An id_num an earlier chunk gave is reported as the batch
 * API reports one given twice; within the chunk, the batch rules see it.
 */
export async function readPeople(trx: Queryable, site: Site, rows: Record<string, string>[], memory: ImportMemory): Promise<PersonRecord[]> {
  const idNumOf = (cells: Record<string, string>) => cells.id_num?.trim();
  const idNums = [...new Set(rows.flatMap((cells) => idNumOf(cells) ?? []))];
  const levelKeys = [...new Set(rows.flatMap((cells) => listOf(cells.accesslevels).map(nameKey)))];
  const [holders, levels] = await Promise.all([repo.userIdsByIdNum(trx, site.id, idNums), nameKeyOwnersIn(trx, 'access_level', site.id, levelKeys)]);
  // Only this chunk's id_nums are asked about: copying every id_num given so far, chunk after chunk,
  // made a 100,000-row file cost time quadratic in its length.
  const givenBefore = new Set(idNums.filter((idNum) => memory.idNums.has(idNum)));
  for (const idNum of idNums) memory.idNums.add(idNum);
  memory.chunkHolders = holders;
  return rows.map(({ card_num, accesslevels, ...fields }) => {
    const idNum = idNumOf(fields);
    const messages = idNum !== undefined && givenBefore.has(idNum) ? [idNumRepeated(idNum)] : [];
    const id = idNum === undefined ? undefined : holders.get(idNum);
    const levelRefs = listOf(accesslevels).flatMap((name) => {
      const levelId = levels.get(nameKey(name));
      if (levelId === undefined) messages.push(`Invalid access level name found: ${name}`);
      return levelId === undefined ? [] : [{ id: levelId }];
    });
    // Copied and then added to, not spread (`{ ...fields, id }`): V8 gives each object made that way a
    // hidden class of its own, slow to make and kept past collections (docs/performance.md).
    const record: Record<string, unknown> = Object.assign({}, fields);
    record.id = id ?? -1;
    if (accesslevels !== undefined) record.accesslevels = levelRefs;
    return {
      kind: id === undefined ? 'create' : 'update',
      record,
      cards: listOf(card_num),
      messages,
    };
  });
}

/** A row for the domain: the user as POST /user takes it (without a card), and its cards. */
export interface PersonInput {
  user: UserInput;
  cards: string[];
}

export interface PersonPlan {
  user: UserPlan;
  /** The cards the person does not hold yet. */
  cards: string[];
}

/**
 * POST /user's rules (updating the person an id_num names: `update_existing`), and for each card the
 * rules of card_num: its form, and a number no one else holds nor another row gives. A card the person
 * holds already is kept; an import adds cards and never takes one away.
 */
export async function checkPeople(
  trx: Queryable,
  inputs: PersonInput[],
  call: SiteCall,
  options: BatchOptions,
  memory: ImportMemory,
): Promise<RecordCheck<PersonPlan>[]> {
  const { site } = call;
  const userChecks = await checkUserChanges('post', { idNums: memory.chunkHolders })(
    trx,
    inputs.map((input) => input.user),
    call,
    { ...options, update_existing: true },
  );
  const updated = inputs.flatMap(({ user }) => (user.id !== undefined && user.id !== -1 ? [user.id] : []));
  const held = await credentials.credentialsOfUsers(trx, site.id, updated);
  const holds = new Set(held.filter((c) => c.is_fob === 0).map((c) => `${c.user_id}:${c.card_num}`));
  const cardMessages = inputs.map((): string[] => []);
  const newCards: { index: number; cardNum: string }[] = [];
  inputs.forEach(({ user, cards }, index) => {
    for (const cell of cards) {
      const card = readCardNum(cell, site, { removable: false });
      if (card.kind === 'invalid') cardMessages[index]?.push(card.message);
      else if (card.kind === 'card' && !holds.has(`${user.id}:${card.cardNum}`)) newCards.push({ index, cardNum: card.cardNum });
    }
  });
  const conflicts = await cardNumConflicts(trx, site.id, newCards);
  conflicts.forEach((message, at) => {
    const card = newCards[at];
    if (message !== undefined && card) cardMessages[card.index]?.push(message);
  });
  const cardsOf = groupBy(newCards, (card) => card.index);
  return userChecks.map((check, index): RecordCheck<PersonPlan> => {
    const messages = [...('messages' in check ? check.messages : []), ...(cardMessages[index] ?? [])];
    if (messages.length > 0 || !('plan' in check)) return { messages };
    return { plan: { user: check.plan, cards: (cardsOf.get(index) ?? []).map((card) => card.cardNum) } };
  });
}

/** POST /user's writes, then the cards, with a fixed number of statements per chunk. */
export async function writePeople(trx: Queryable, plans: PersonPlan[], call: SiteCall): Promise<WriteCounts> {
  const { site, clock } = call;
  const { counts, newIds } = await writeUsers(
    trx,
    plans.map((p) => p.user),
    call,
  );
  const cards = plans.flatMap(({ user, cards }) => {
    const userId = user.kind === 'update' ? user.id : newIds.get(user.row.id_num);
    return userId === undefined ? [] : cards.map((cardNum) => ({ userId, cardNum }));
  });
  await insertCards(trx, site.id, cards, clock.now());
  return counts;
}

/** Every cardholder of the site, a chunk at a time, with their levels and credentials. */
export function peopleChunks(db: Queryable, siteId: number): AsyncGenerator<UserView[]> {
  const filter = userListFilter({ by: 'all' });
  return keysetChunks((after, limit) => userViews(db, siteId, filter, after, limit));
}
