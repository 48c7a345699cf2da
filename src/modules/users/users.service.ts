import type { Queryable } from '../../db/queryable.ts';
import { isStorableId, storableIds, toFlag } from '../../db/conventions.ts';
import { repeatedInBatch } from '../../domain/batch-checks.ts';
import type { BatchOptions, CheckBatch, RecordCheck, SiteCall, WriteCounts } from '../../domain/batch.ts';
import { showValue } from '../../lib/show-value.ts';
import { newCredentialKey } from '../../lib/credential-keys.ts';
import { hashPin, pinDigits } from '../../lib/pins.ts';
import { formatIsoUtc } from '../../lib/site-time.ts';
import * as credentials from '../credentials/credentials.repository.ts';
import { cardNumConflicts, readAccessWindow, readCardNum } from '../credentials/credentials.service.ts';
import type { Site } from '../../domain/site.ts';
import * as repo from './users.repository.ts';
import type { LevelRef, UserChanges, UserListFilter, UserRow } from './users.repository.ts';
import { groupBy } from '../../lib/group-by.ts';

/** Which users GET /user lists: one cardholder, cardholders without credentials, operators, or every cardholder. */
export type UserSelection =
  | { by: 'id'; id: number }
  | { by: 'id_num'; idNum: string }
  | { by: 'missingcreds' }
  | { by: 'privileged' }
  | { by: 'installers' }
  | { by: 'all' };

export function userListFilter(selection: UserSelection): UserListFilter {
  switch (selection.by) {
    case 'id':
      return { roles: ['cardholder'], id: selection.id };
    case 'id_num':
      return { roles: ['cardholder'], idNum: selection.idNum };
    case 'missingcreds':
      return { roles: ['cardholder'], missingCredentials: true };
    case 'privileged':
      return { roles: ['admin', 'manager'] };
    case 'installers':
      return { roles: ['installer'] };
    case 'all':
      return { roles: ['cardholder'] };
  }
}

/** A user with what its record shows besides its own columns. */
export interface UserView {
  /** The user's id, by which lists page. */
  id: number;
  row: UserRow;
  levels: LevelRef[];
  /** Every credential the user holds, cards and fobs, in id order. */
  credentials: credentials.HeldCredentialRow[];
}

/** One chunk of a user list, with each user's levels and credentials: three queries a chunk. */
export async function userViews(db: Queryable, siteId: number, filter: UserListFilter, afterId: number, limit: number): Promise<UserView[]> {
  const rows = await repo.listUsers(db, siteId, filter, afterId, limit);
  const ids = rows.map((r) => r.id);
  const [levels, held] = await Promise.all([repo.levelsOfUsers(db, siteId, ids), credentials.credentialsOfUsers(db, siteId, ids)]);
  const heldBy = groupBy(held, (c) => c.user_id);
  return rows.map((row) => ({
    id: row.id,
    row,
    levels: levels.get(row.id) ?? [],
    credentials: heldBy.get(row.id) ?? [],
  }));
}

/** `?id=`: the cardholder with its levels and credentials, in one read. */
export async function userViewById(db: Queryable, siteId: number, id: number, afterId: number): Promise<UserView[]> {
  // An id no row can hold matches nothing (and PostgreSQL would refuse to compare it).
  if (!isStorableId(id)) return [];
  const found = await repo.findCardholderWithHoldings(db, siteId, id, afterId);
  return found ? [{ id: found.row.id, ...found }] : [];
}

/** One record of POST or PUT /user, fields that failed their schema already removed. */
export interface UserInput {
  id?: number | undefined;
  idNum?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  pin?: number | string | undefined;
  cardNum?: number | string | undefined;
  /** Undefined: not supplied; null or "": none. */
  accessEffective?: string | null | undefined;
  accessExpires?: string | null | undefined;
  enabled?: boolean | undefined;
  accessLevels?: number[] | undefined;
}

type CardChange = { kind: 'keep' } | { kind: 'remove' } | { kind: 'add'; cardNum: string };

export type UserPlan =
  | { kind: 'insert'; row: Omit<repo.NewCardholderRow, 'site_id' | 'created_at' | 'updated_at'>; cardNum?: string; levels: number[] }
  | { kind: 'update'; id: number; changes: UserChanges; card: CardChange; levels?: { replace: boolean; ids: number[] } };

/** POST inserts (id -1) and updates; PUT only updates, and checks the access window against the clock. */
export type UserWriteMode = 'post' | 'put';

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const PHONE = /^\+?[0-9 ().-]+$/;
const MIN_PHONE_DIGITS = 7;
const MAX_PHONE_DIGITS = 20;

const emailKey = (email: string) => email.trim().toLowerCase();

function phoneIsValid(phone: string): boolean {
  const digits = phone.replace(/[^0-9]/g, '').length;
  return PHONE.test(phone.trim()) && digits >= MIN_PHONE_DIGITS && digits <= MAX_PHONE_DIGITS;
}

/** What one record asks for once each field is read: the messages so far, and the values to write. */
interface ReadUser {
  input: UserInput;
  kind: 'insert' | 'update' | 'ignored' | 'invalid' | 'unknown';
  messages: string[];
  idNum?: string;
  emailKey?: string;
  pinHash?: string;
  card: ReturnType<typeof readCardNum>;
  effective?: number | null;
  expires?: number | null;
}

function readPin(input: UserInput, site: Site, messages: string[]): string | undefined {
  if (input.pin === undefined) return undefined;
  if (typeof input.pin === 'string' && input.pin.trim() === '') {
    messages.push('Missing or blank pin');
    return undefined;
  }
  const digits = pinDigits(input.pin);
  if (digits === undefined) {
    messages.push(`Non-Numeric pin found: ${showValue(input.pin)}`);
    return undefined;
  }
  const { pinMinLength: min, pinMaxLength: max } = site.settings;
  if (digits.length < min || digits.length > max) {
    // The PIN itself is not repeated back: it is a secret even when it is the wrong length.
    messages.push(`Invalid pin length found (${min} to ${max} digits)`);
    return undefined;
  }
  return digits;
}

function readLevels(input: UserInput, known: Set<number>, messages: string[]): void {
  const levels = input.accessLevels ?? [];
  const repeated = repeatedInBatch(levels, String);
  levels.forEach((id, index) => {
    if (!known.has(id)) messages.push(`Invalid access level id found: ${id}`);
    else if (repeated[index]) messages.push(`Duplicate Assigned Access Level id: ${id}`);
  });
}

/** What a batch's checks read from the store once the records are read, whatever its size. */
interface StoredFacts {
  cardholders: Map<number, repo.AccessWindow>;
  holdsCard: Set<number | null>;
  knownLevels: Set<number>;
  pinSecret: string;
}

async function storedFacts(trx: Queryable, siteId: number, inputs: UserInput[], isInsert: (input: UserInput) => boolean): Promise<StoredFacts> {
  const updateIds = [...new Set(storableIds(inputs.map((i) => (isInsert(i) ? undefined : i.id))))];
  const levelIds = [...new Set(storableIds(inputs.flatMap((i) => i.accessLevels ?? [])))];
  const pinSupplied = inputs.some((i) => i.pin !== undefined);
  const [cardholders, held, knownLevels, pinSecret] = await Promise.all([
    repo.cardholderWindows(trx, siteId, updateIds),
    credentials.credentialsOfUsers(trx, siteId, updateIds),
    repo.existingAccessLevelIds(trx, siteId, levelIds),
    pinSupplied ? repo.pinSecretOf(trx, siteId) : Promise.resolve(''),
  ]);
  return { cardholders, holdsCard: new Set(held.filter((c) => c.is_fob === 0).map((c) => c.user_id)), knownLevels, pinSecret };
}

/** One record with its fields read and checked on their own: its kind, its messages, the values to write. */
function readUser(input: UserInput, kind: ReadUser['kind'], site: Site, facts: StoredFacts): ReadUser {
  const messages: string[] = [];
  if (kind === 'invalid') messages.push(`Invalid User id: ${input.id}`);
  const card = readCardNum(input.cardNum, site, { removable: true });
  if (card.kind === 'invalid') messages.push(card.message);
  if (input.email !== undefined && !EMAIL.test(input.email.trim())) messages.push(`Invalid email address found: ${input.email}`);
  if (input.phone !== undefined && !phoneIsValid(input.phone)) messages.push(`Invalid phone number found: ${input.phone}`);
  const pin = readPin(input, site, messages);
  const times = readAccessWindow(input, site, messages);
  readLevels(input, facts.knownLevels, messages);
  return {
    input,
    kind,
    messages,
    card,
    ...times,
    ...(input.idNum !== undefined ? { idNum: input.idNum.trim() } : {}),
    ...(input.email !== undefined ? { emailKey: emailKey(input.email) } : {}),
    ...(pin !== undefined ? { pinHash: hashPin(pin, facts.pinSecret) } : {}),
  };
}

/** What the caller of a check has read already for the same records, in the same transaction: not read again. */
export interface KnownHolders {
  /** The users holding the records' id_nums (every one of them), by id_num. */
  idNums: Map<string, number>;
}

/** Which values of the batch are taken in the store or repeated in the batch. */
async function takenValues(
  trx: Queryable,
  site: Site,
  reads: ReadUser[],
  newCard: (read: ReadUser) => string | undefined,
  known: KnownHolders | undefined,
) {
  const active = (read: ReadUser) => read.kind !== 'ignored';
  const wanted = (value: (read: ReadUser) => string | undefined) => [...new Set(reads.flatMap((r) => (active(r) ? value(r) : undefined) || []))];
  const [idNumHolders, emailHolders, pinHolders, cardMessages] = await Promise.all([
    known?.idNums ??
      repo.userIdsByIdNum(
        trx,
        site.id,
        wanted((r) => r.idNum),
      ),
    repo.userIdsByEmailKey(
      trx,
      site.id,
      wanted((r) => r.emailKey),
    ),
    site.settings.uniquePins
      ? repo.userIdsByPinHash(
          trx,
          site.id,
          wanted((r) => r.pinHash),
        )
      : Promise.resolve(new Map<string, number[]>()),
    cardNumConflicts(
      trx,
      site.id,
      reads.map((read) => ({ cardNum: newCard(read) })),
    ),
  ]);
  return {
    idNumHolders,
    emailHolders,
    pinHolders,
    cardMessages,
    repeatedIdNum: repeatedInBatch(reads, (r) => (active(r) && r.idNum ? r.idNum : undefined)),
    repeatedEmail: repeatedInBatch(reads, (r) => (active(r) ? r.emailKey : undefined)),
    repeatedPin: repeatedInBatch(reads, (r) => (active(r) && site.settings.uniquePins ? r.pinHash : undefined)),
    repeatedId: repeatedInBatch(reads, (r) => (r.kind === 'update' ? String(r.input.id) : undefined)),
  };
}

/** An id_num a batch (or an imported file) gives twice. */
export const idNumRepeated = (idNum: string) => `ID Number Duplicated In Batch: ${idNum}`;

/** The messages of the values one record takes from another user or from another record of the batch. */
function clashes(read: ReadUser, index: number, taken: Awaited<ReturnType<typeof takenValues>>, uniquePins: boolean): string[] {
  const { input } = read;
  const messages: string[] = [];
  const me = read.kind === 'update' ? input.id : undefined;
  if (taken.repeatedId[index]) messages.push(`User id Duplicated In Batch: ${input.id}`);
  if (read.idNum) {
    const holder = taken.idNumHolders.get(read.idNum);
    if (holder !== undefined && holder !== me) messages.push(`ID Number Already Exists: ${read.idNum}`);
    else if (taken.repeatedIdNum[index]) messages.push(idNumRepeated(read.idNum));
  }
  if (read.emailKey && input.email !== undefined) {
    const holder = taken.emailHolders.get(read.emailKey);
    if (holder !== undefined && holder !== me) messages.push(`Email Already Exists: ${input.email}`);
    else if (taken.repeatedEmail[index]) messages.push(`Email Duplicated In Batch: ${input.email}`);
  }
  if (read.pinHash && uniquePins) {
    const holders = (taken.pinHolders.get(read.pinHash) ?? []).filter((id) => id !== me);
    if (holders.length > 0) messages.push('PIN Already Exists');
    else if (taken.repeatedPin[index]) messages.push('PIN Duplicated In Batch');
  }
  const cardMessage = taken.cardMessages[index];
  if (cardMessage) messages.push(cardMessage);
  return messages;
}

/**
 * Every rule of POST and PUT /user for the whole batch, with a fixed number of queries whatever its
 * size: the updated users, their cards, the access levels, and the id_nums, emails, card numbers
 * (and PINs, when the site wants them unique) already taken.
 */
export function checkUserChanges(mode: UserWriteMode, known?: KnownHolders): CheckBatch<UserInput, UserPlan> {
  return async (trx, inputs, { site, clock }, options) => {
    const isInsert = (input: UserInput) => mode === 'post' && input.id === -1;
    const facts = await storedFacts(trx, site.id, inputs, isInsert);
    const kindOf = (input: UserInput): ReadUser['kind'] => {
      if (input.id === undefined) return 'unknown';
      if (isInsert(input)) return 'insert';
      if (!facts.cardholders.has(input.id)) return 'invalid';
      return mode === 'post' && !options.update_existing ? 'ignored' : 'update';
    };
    const reads = inputs.map((input) => readUser(input, kindOf(input), site, facts));
    // A card number is written on insert, or on update for a user with no card yet.
    const newCard = (read: ReadUser): string | undefined =>
      read.card.kind === 'card' && (read.kind === 'insert' || (read.kind === 'update' && !facts.holdsCard.has(read.input.id ?? 0)))
        ? read.card.cardNum
        : undefined;
    const taken = await takenValues(trx, site, reads, newCard, known);
    const now = clock.now();

    return reads.map((read, index): RecordCheck<UserPlan> => {
      if (read.kind === 'ignored') return { ignored: true };
      const { input } = read;
      const messages = [...read.messages, ...clashes(read, index, taken, site.settings.uniquePins)];
      const stored = input.id === undefined ? undefined : facts.cardholders.get(input.id);
      if (mode === 'put' && read.kind === 'update' && stored) messages.push(...windowProblems(read, stored, now));
      if (messages.length > 0 || read.kind === 'unknown' || read.kind === 'invalid') return { messages };
      const plan = planFor(read, newCard(read), options);
      // A field its schema refused is absent here and already reported: nothing to insert.
      return plan ? { plan } : { messages };
    });
  };
}

/**
 * PUT's rules for the access window: effective before expires (a bound not sent is the stored one),
 * and a newly sent expiry not already past.
 */
function windowProblems(read: ReadUser, stored: repo.AccessWindow, now: number): string[] {
  const problems: string[] = [];
  const effective = read.effective !== undefined ? read.effective : stored.access_effective;
  const expires = read.expires !== undefined ? read.expires : stored.access_expires;
  if (effective !== null && expires !== null && effective >= expires) {
    problems.push(`access_effective must be before access_expires: ${formatIsoUtc(effective)} is not before ${formatIsoUtc(expires)}`);
  }
  if (typeof read.expires === 'number' && read.expires < now) {
    problems.push(`access_expires cannot be in the past: ${showValue(read.input.accessExpires)}`);
  }
  return problems;
}

/** What to insert, once every field it needs is here (a field its schema refused is absent and already reported). */
function insertPlan(read: ReadUser, cardNum: string | undefined): UserPlan | undefined {
  const { input, idNum, emailKey: key, pinHash } = read;
  const { firstName, lastName, email, phone } = input;
  if (idNum === undefined || firstName === undefined || lastName === undefined) return undefined;
  if (email === undefined || key === undefined || phone === undefined || pinHash === undefined) return undefined;
  return {
    kind: 'insert',
    row: {
      id_num: idNum,
      first_name: firstName.trim(),
      last_name: lastName.trim(),
      email: email.trim(),
      email_key: key,
      phone: phone.trim(),
      pin_hash: pinHash,
      enabled: toFlag(input.enabled ?? true),
      access_effective: read.effective ?? null,
      access_expires: read.expires ?? null,
    },
    ...(cardNum !== undefined ? { cardNum } : {}),
    levels: input.accessLevels ?? [],
  };
}

function planFor(read: ReadUser, cardNum: string | undefined, options: BatchOptions): UserPlan | undefined {
  const { input } = read;
  if (read.kind === 'insert') return insertPlan(read, cardNum);
  if (input.id === undefined) return undefined;
  const email = input.email?.trim();
  const changes: UserChanges = {
    ...(read.idNum !== undefined ? { id_num: read.idNum } : {}),
    ...(input.firstName !== undefined ? { first_name: input.firstName.trim() } : {}),
    ...(input.lastName !== undefined ? { last_name: input.lastName.trim() } : {}),
    ...(email !== undefined ? { email, email_key: read.emailKey ?? null } : {}),
    ...(input.phone !== undefined ? { phone: input.phone.trim() } : {}),
    ...(read.pinHash !== undefined ? { pin_hash: read.pinHash } : {}),
    ...(input.enabled !== undefined ? { enabled: toFlag(input.enabled) } : {}),
    ...(read.effective !== undefined ? { access_effective: read.effective } : {}),
    ...(read.expires !== undefined ? { access_expires: read.expires } : {}),
  };
  const card: CardChange = read.card.kind === 'remove' ? { kind: 'remove' } : cardNum !== undefined ? { kind: 'add', cardNum } : { kind: 'keep' };
  return {
    kind: 'update',
    id: input.id,
    changes,
    card,
    ...(input.accessLevels !== undefined ? { levels: { replace: options.replace_privileges, ids: input.accessLevels } } : {}),
  };
}

/** Gives users cards, each named by its number, with a new credential key and no access window of its own. */
export async function insertCards(trx: Queryable, siteId: number, cards: { userId: number; cardNum: string }[], now: number): Promise<void> {
  await credentials.insertCredentials(
    trx,
    cards.map(({ userId, cardNum }) => ({
      site_id: siteId,
      user_id: userId,
      is_fob: 0,
      name: cardNum,
      name_key: null,
      id_num: null,
      card_num: cardNum,
      credential_key: newCredentialKey(),
      access_effective: null,
      access_expires: null,
      created_at: now,
    })),
  );
}

/** Writes a batch's inserts and updates with a fixed number of statements. */
export async function writeUserChanges(trx: Queryable, plans: UserPlan[], call: SiteCall): Promise<WriteCounts> {
  return (await writeUsers(trx, plans, call)).counts;
}

/** `writeUserChanges`, also answering the ids the inserted users were given, by id_num. */
export async function writeUsers(
  trx: Queryable,
  plans: UserPlan[],
  { site, clock }: SiteCall,
): Promise<{ counts: WriteCounts; newIds: Map<string, number> }> {
  const now = clock.now();
  const inserts = plans.flatMap((p) => (p.kind === 'insert' ? [p] : []));
  const updates = plans.flatMap((p) => (p.kind === 'update' ? [p] : []));

  const newIds = await repo.insertCardholders(
    trx,
    // Not `{ ...p.row, site_id, … }`: V8 gives each object spread first and then added to a hidden class of
    // its own, which made these rows a fifth of what a 100,000-row import kept past a collection.
    inserts.map((p) => ({ site_id: site.id, ...p.row, created_at: now, updated_at: now })),
  );
  const idOf = (p: (typeof inserts)[number]) => {
    const id = newIds.get(p.row.id_num);
    if (id === undefined) throw new Error(`The insert of cardholder ${p.row.id_num} returned no id`);
    return id;
  };
  await repo.updateCardholders(trx, site.id, updates, now);

  await credentials.deleteCardsOfUsers(
    trx,
    site.id,
    updates.flatMap((p) => (p.card.kind === 'remove' ? [p.id] : [])),
  );
  const cards = [
    ...inserts.flatMap((p) => (p.cardNum !== undefined ? [{ userId: idOf(p), cardNum: p.cardNum }] : [])),
    ...updates.flatMap((p) => (p.card.kind === 'add' ? [{ userId: p.id, cardNum: p.card.cardNum }] : [])),
  ];
  await insertCards(trx, site.id, cards, now);

  await repo.clearLevelsOfUsers(
    trx,
    site.id,
    updates.flatMap((p) => (p.levels?.replace ? [p.id] : [])),
  );
  const grants = [
    ...inserts.flatMap((p) => p.levels.map((levelId) => ({ userId: idOf(p), levelId }))),
    ...updates.flatMap((p) => (p.levels?.ids ?? []).map((levelId) => ({ userId: p.id, levelId }))),
  ];
  await repo.grantLevels(
    trx,
    grants.map(({ userId, levelId }) => ({ site_id: site.id, user_id: userId, access_level_id: levelId })),
  );
  return { counts: { inserted: inserts.length, updated: updates.length, ids: [...newIds.values(), ...updates.map((p) => p.id)] }, newIds };
}

/** The id is one of the site's cardholders; a repeated id is deleted once. */
export async function checkUserDeletions(trx: Queryable, ids: (number | undefined)[], { site }: SiteCall): Promise<RecordCheck<number>[]> {
  const known = await repo.cardholderWindows(trx, site.id, storableIds(ids));
  const repeated = repeatedInBatch(ids, (id) => (id === undefined ? undefined : String(id)));
  return ids.map((id, index) => {
    if (id === undefined) return { messages: [] };
    if (!known.has(id)) return { messages: [`Invalid User id: ${id}`] };
    if (repeated[index]) return { ignored: true };
    return { plan: id };
  });
}

/** Deletes users with their cards and level assignments; the fobs they held stay, unassigned. */
export async function deleteUsers(trx: Queryable, ids: number[], { site }: SiteCall): Promise<WriteCounts> {
  await credentials.unassignFobsOfUsers(trx, site.id, ids);
  await credentials.deleteCardsOfUsers(trx, site.id, ids);
  await repo.clearLevelsOfUsers(trx, site.id, ids);
  return { deleted: await repo.deleteUsers(trx, site.id, ids), ids };
}
