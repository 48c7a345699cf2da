import type { Queryable } from '../../db/queryable.ts';
import { storableIds, toFlag } from '../../db/conventions.ts';
import { repeatedInBatch, toBool, toId } from '../../domain/batch-checks.ts';
import type { BatchOptions, RecordCheck, SiteCall, WriteCounts } from '../../domain/batch.ts';
import { showValue } from '../../lib/show-value.ts';
import { newCredentialKey } from '../../lib/credential-keys.ts';
import { hashPin, pinDigits } from '../../lib/pins.ts';
import { formatIsoUtc } from '../../lib/site-time.ts';
import * as credentials from '../credentials/credentials.repository.ts';
import { cardNumConflicts, readAccessWindow, readCardNum } from '../credentials/credentials.service.ts';
import type { Site } from '../sites/site.ts';
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
export async function userViews(
  db: Queryable,
  siteId: number,
  filter: UserListFilter,
  afterId: number,
  limit: number,
): Promise<UserView[]> {
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

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
const digitsInput = (value: unknown) => (typeof value === 'number' || typeof value === 'string' ? value : undefined);
const timeInput = (value: unknown) => (typeof value === 'string' || value === null ? value : undefined);

export function parseUserRecord(record: Record<string, unknown>): UserInput {
  const levels = record.accesslevels;
  return {
    id: toId(record.id),
    idNum: text(record.id_num),
    firstName: text(record.first_name),
    lastName: text(record.last_name),
    email: text(record.email),
    phone: text(record.phone),
    pin: digitsInput(record.pin),
    cardNum: digitsInput(record.card_num),
    accessEffective: timeInput(record.access_effective),
    accessExpires: timeInput(record.access_expires),
    enabled: toBool(record.enabled),
    // The schema admits an array of {id} or `{}`, which the spec calls "an empty object" and means none.
    accessLevels:
      levels === undefined
        ? undefined
        : Array.isArray(levels)
          ? levels.map((level) => toId((level as { id: unknown }).id)).filter((id): id is number => id !== undefined)
          : [],
  };
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

/**
 * Every rule of POST and PUT /user for the whole batch, with a fixed number of queries whatever its
 * size: the updated users, their cards, the access levels, and the id_nums, emails, card numbers
 * (and PINs, when the site wants them unique) already taken.
 */
export async function checkUserChanges(
  trx: Queryable,
  inputs: UserInput[],
  options: BatchOptions,
  { site, clock }: SiteCall,
  mode: UserWriteMode,
): Promise<RecordCheck<UserPlan>[]> {
  const isInsert = (input: UserInput) => mode === 'post' && input.id === -1;
  const updateIds = [...new Set(storableIds(inputs.map((i) => (isInsert(i) ? undefined : i.id))))];
  const levelIds = [...new Set(storableIds(inputs.flatMap((i) => i.accessLevels ?? [])))];
  const pinSupplied = inputs.some((i) => i.pin !== undefined);
  const [cardholders, held, knownLevels, pinSecret] = await Promise.all([
    repo.cardholderWindows(trx, site.id, updateIds),
    credentials.credentialsOfUsers(trx, site.id, updateIds),
    repo.existingAccessLevelIds(trx, site.id, levelIds),
    pinSupplied ? repo.pinSecretOf(trx, site.id) : Promise.resolve(''),
  ]);
  const holdsCard = new Set(held.filter((c) => c.is_fob === 0).map((c) => c.user_id));
  const now = clock.now();

  const reads: ReadUser[] = inputs.map((input) => {
    const messages: string[] = [];
    const kind: ReadUser['kind'] =
      input.id === undefined
        ? 'unknown'
        : isInsert(input)
          ? 'insert'
          : !cardholders.has(input.id)
            ? 'invalid'
            : mode === 'post' && !options.update_existing
              ? 'ignored'
              : 'update';
    if (kind === 'invalid') messages.push(`Invalid User id: ${input.id}`);
    const card = readCardNum(input.cardNum, site, { removable: true });
    if (card.kind === 'invalid') messages.push(card.message);
    if (input.email !== undefined && !EMAIL.test(input.email.trim())) messages.push(`Invalid email address found: ${input.email}`);
    if (input.phone !== undefined && !phoneIsValid(input.phone)) messages.push(`Invalid phone number found: ${input.phone}`);
    const pin = readPin(input, site, messages);
    const times = readAccessWindow(input, site, messages);
    readLevels(input, knownLevels, messages);
    return {
      kind,
      messages,
      card,
      ...times,
      ...(input.idNum !== undefined ? { idNum: input.idNum.trim() } : {}),
      ...(input.email !== undefined ? { emailKey: emailKey(input.email) } : {}),
      ...(pin !== undefined ? { pinHash: hashPin(pin, pinSecret) } : {}),
    };
  });

  // A card number is written on insert, or on update for a user with no card yet.
  const newCard = (read: ReadUser, input: UserInput): string | undefined =>
    read.card.kind === 'card' && (read.kind === 'insert' || (read.kind === 'update' && !holdsCard.has(input.id as number)))
      ? read.card.cardNum
      : undefined;
  const active = (read: ReadUser) => read.kind !== 'ignored';

  const [idNumHolders, emailHolders, pinHolders, cardMessages] = await Promise.all([
    repo.userIdsByIdNum(trx, site.id, [...new Set(reads.flatMap((r) => (active(r) && r.idNum ? [r.idNum] : [])))]),
    repo.userIdsByEmailKey(trx, site.id, [...new Set(reads.flatMap((r) => (active(r) && r.emailKey ? [r.emailKey] : [])))]),
    site.settings.uniquePins
      ? repo.userIdsByPinHash(trx, site.id, [...new Set(reads.flatMap((r) => (active(r) && r.pinHash ? [r.pinHash] : [])))])
      : Promise.resolve(new Map<string, number[]>()),
    cardNumConflicts(
      trx,
      site.id,
      reads.map((read, i) => ({ cardNum: newCard(read, inputs[i] as UserInput) })),
    ),
  ]);
  const repeatedIdNum = repeatedInBatch(reads, (r) => (active(r) && r.idNum ? r.idNum : undefined));
  const repeatedEmail = repeatedInBatch(reads, (r) => (active(r) ? r.emailKey : undefined));
  const repeatedPin = repeatedInBatch(reads, (r) => (active(r) && site.settings.uniquePins ? r.pinHash : undefined));
  const repeatedId = repeatedInBatch(
    inputs.map((input, i) => ({ input, read: reads[i] as ReadUser })),
    ({ input, read }) => (read.kind === 'update' ? String(input.id) : undefined),
  );

  return inputs.map((input, index) => {
    const read = reads[index] as ReadUser;
    if (read.kind === 'ignored') return { ignored: true };
    const messages = [...read.messages];
    const me = read.kind === 'update' ? input.id : undefined;
    if (repeatedId[index]) messages.push(`User id Duplicated In Batch: ${input.id}`);
    if (read.idNum) {
      const holder = idNumHolders.get(read.idNum);
      if (holder !== undefined && holder !== me) messages.push(`ID Number Already Exists: ${read.idNum}`);
      else if (repeatedIdNum[index]) messages.push(`ID Number Duplicated In Batch: ${read.idNum}`);
    }
    if (read.emailKey && input.email !== undefined) {
      const holder = emailHolders.get(read.emailKey);
      if (holder !== undefined && holder !== me) messages.push(`Email Already Exists: ${input.email}`);
      else if (repeatedEmail[index]) messages.push(`Email Duplicated In Batch: ${input.email}`);
    }
    if (read.pinHash && site.settings.uniquePins) {
      const holders = (pinHolders.get(read.pinHash) ?? []).filter((id) => id !== me);
      if (holders.length > 0) messages.push('PIN Already Exists');
      else if (repeatedPin[index]) messages.push('PIN Duplicated In Batch');
    }
    const cardMessage = cardMessages[index];
    if (cardMessage) messages.push(cardMessage);
    if (mode === 'put' && read.kind === 'update') {
      messages.push(...windowProblems(read, cardholders.get(input.id as number) as repo.AccessWindow, input, now));
    }
    if (messages.length > 0 || read.kind === 'unknown' || read.kind === 'invalid') return { messages };
    // A field its schema refused is absent here and already reported: nothing to insert.
    if (read.kind === 'insert' && !insertable(input, read)) return { messages };
    return { plan: planFor(input, read, newCard(read, input), options) };
  });
}

/**
 * PUT's rules for the access window: effective before expires (a bound not sent is the stored one),
 * and a newly sent expiry not already past.
 */
function windowProblems(read: ReadUser, stored: repo.AccessWindow, input: UserInput, now: number): string[] {
  const problems: string[] = [];
  const effective = read.effective !== undefined ? read.effective : stored.access_effective;
  const expires = read.expires !== undefined ? read.expires : stored.access_expires;
  if (effective !== null && expires !== null && effective >= expires) {
    problems.push(`access_effective must be before access_expires: ${formatIsoUtc(effective)} is not before ${formatIsoUtc(expires)}`);
  }
  if (typeof read.expires === 'number' && read.expires < now) {
    problems.push(`access_expires cannot be in the past: ${showValue(input.accessExpires)}`);
  }
  return problems;
}

function insertable(input: UserInput, read: ReadUser): boolean {
  return [read.idNum, input.firstName, input.lastName, read.emailKey, input.phone, read.pinHash].every((v) => v !== undefined);
}

function planFor(input: UserInput, read: ReadUser, cardNum: string | undefined, options: BatchOptions): UserPlan {
  const email = input.email?.trim();
  if (read.kind === 'insert') {
    return {
      kind: 'insert',
      row: {
        id_num: read.idNum as string,
        first_name: (input.firstName as string).trim(),
        last_name: (input.lastName as string).trim(),
        email: email as string,
        email_key: read.emailKey as string,
        phone: (input.phone as string).trim(),
        pin_hash: read.pinHash ?? null,
        enabled: toFlag(input.enabled ?? true),
        access_effective: read.effective ?? null,
        access_expires: read.expires ?? null,
      },
      ...(cardNum !== undefined ? { cardNum } : {}),
      levels: input.accessLevels ?? [],
    };
  }
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
  const card: CardChange =
    read.card.kind === 'remove' ? { kind: 'remove' } : cardNum !== undefined ? { kind: 'add', cardNum } : { kind: 'keep' };
  return {
    kind: 'update',
    id: input.id as number,
    changes,
    card,
    ...(input.accessLevels !== undefined ? { levels: { replace: options.replace_privileges, ids: input.accessLevels } } : {}),
  };
}

/** Writes a batch's inserts and updates with a fixed number of statements. */
export async function writeUserChanges(trx: Queryable, plans: UserPlan[], { site, clock }: SiteCall): Promise<WriteCounts> {
  const now = clock.now();
  const inserts = plans.flatMap((p) => (p.kind === 'insert' ? [p] : []));
  const updates = plans.flatMap((p) => (p.kind === 'update' ? [p] : []));

  const newIds = await repo.insertCardholders(
    trx,
    inserts.map((p) => ({ ...p.row, site_id: site.id, created_at: now, updated_at: now })),
  );
  const idOf = (p: (typeof inserts)[number]) => newIds.get(p.row.id_num) as number;
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
  await credentials.insertCredentials(
    trx,
    cards.map(({ userId, cardNum }) => ({
      site_id: site.id,
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
  return { inserted: inserts.length, updated: updates.length, ids: [...newIds.values(), ...updates.map((p) => p.id)] };
}

/** The id is one of the site's cardholders; a repeated id is deleted once. */
export async function checkUserDeletions(
  trx: Queryable,
  ids: (number | undefined)[],
  { site }: SiteCall,
): Promise<RecordCheck<number>[]> {
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
