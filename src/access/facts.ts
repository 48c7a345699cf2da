import { isStorableId } from '../db/conventions.ts';
import type { Queryable } from '../db/queryable.ts';
import { hashPin } from '../lib/pins.ts';
import type { CredentialFacts, DecisionFacts, Grant, LevelGrant } from './decide.ts';
import { type DoorModeFacts, NO_DOOR_MODE } from './door-mode.ts';
import * as repo from './facts.repository.ts';
import { NO_PANEL_RULES, type PanelRules, isPublicCode } from './panel-rules.ts';
import {
  type CredentialRecord,
  type DoorGrant,
  type DoorRecord,
  FACTOR_OF_IDENTIFIER,
  type HolderRecord,
  type StoredGrant,
} from './facts.repository.ts';

/**
 * What a device presented: a card number, a PIN, a mobile credential's key, (a panel) an identifier of a
 * stated kind, or a card with a PIN typed after it (what a `card_and_pin` door asks for).
 */
export type Presented =
  | { kind: 'card_num'; value: string }
  | { kind: 'card_and_pin'; card: string; pin: string }
  | { kind: 'pin'; value: string }
  | { kind: 'credential_key'; value: string }
  | { kind: 'identifier'; identifierType: string; value: string };

/** The facts of one candidate holder, with the records they came from (events name them). */
export interface GatheredFacts {
  facts: DecisionFacts;
  credential: CredentialRecord | null;
  holder: HolderRecord | null;
  door: DoorRecord | null;
}

/** Where facts come from: the store itself, or the index's caches in front of it. */
export interface FactSource {
  /** Before a decision's lookups: make every commit made before this call visible to them. */
  catchUp(): Promise<void>;
  credentialByCardNum(siteId: number, cardNum: string): Promise<CredentialRecord | undefined>;
  credentialByKey(siteId: number, key: string): Promise<CredentialRecord | undefined>;
  holderIdsByPin(siteId: number, pin: string): Promise<number[]>;
  holder(siteId: number, userId: number): Promise<HolderRecord | undefined>;
  grants(siteId: number, userId: number, doorId: number): Promise<StoredGrant[]>;
  door(siteId: number, doorId: number): Promise<DoorRecord | undefined>;
  lockNumber(siteId: number, deviceId: number, doorId: number): Promise<number | null>;
  /** The site's public unlock code (src/access/panel-rules.ts). */
  panelRules(siteId: number): Promise<PanelRules>;
  /**
   * The door's mode facts: unlock schedule, free access of its panel locks, holidays, override, started
   * plans, first person in (src/access/door-mode.ts).
   */
  doorMode(siteId: number, doorId: number): Promise<DoorModeFacts>;
}

/** Reads straight from the store: what the index is proved against. */
export function storeFactSource(db: Queryable): FactSource {
  return {
    // Every lookup is a query, which sees every commit.
    catchUp: async () => undefined,
    credentialByCardNum: (siteId, cardNum) => repo.findCredentialByCardNum(db, siteId, cardNum),
    credentialByKey: (siteId, key) => repo.findCredentialByKey(db, siteId, key),
    async holderIdsByPin(siteId, pin) {
      const secret = await repo.findPinSecret(db, siteId);
      return secret === undefined ? [] : repo.findHolderIdsByPinHash(db, siteId, hashPin(pin, secret));
    },
    holder: (siteId, userId) => repo.findHolder(db, siteId, userId),
    async grants(siteId, userId, doorId) {
      return grantsForDoor(await repo.findHolderGrants(db, siteId, userId), doorId);
    },
    door: (siteId, doorId) => repo.findDoor(db, siteId, doorId),
    lockNumber: (siteId, deviceId, doorId) => repo.findLockNumber(db, siteId, deviceId, doorId),
    panelRules: (siteId) => repo.findPanelRules(db, siteId),
    doorMode: async (siteId, doorId) => repo.doorModeOf(await repo.findDoorModes(db, siteId, doorId), doorId),
  };
}

export function grantsForDoor(all: readonly DoorGrant[], doorId: number): StoredGrant[] {
  return all.filter((g) => g.doorId === doorId).map(({ doorId: _door, ...grant }) => grant as StoredGrant);
}

/**
 * A holder's grants for the door, each delegation with its giver's own facts at this moment: the giver's
 * record and the giver's levels that name the door (delegations to the giver are never passed on).
 */
async function withGivers(source: FactSource, siteId: number, stored: readonly StoredGrant[], doorId: number): Promise<Grant[]> {
  return Promise.all(
    stored.map(async (grant): Promise<Grant> => {
      if (grant.via !== 'delegation') return grant;
      const { giverId, ...delegation } = grant;
      const holder = giverId === null ? undefined : await source.holder(siteId, giverId);
      if (holder === undefined) return { ...delegation, giver: null };
      const levels = (await source.grants(siteId, holder.id, doorId)).filter((g): g is LevelGrant => g.via === 'level');
      return { ...delegation, giver: { holder, levels } };
    }),
  );
}

/** A PIN is the holder's own: it is as enabled and as timeless as the holder it names. */
function pinCredential(holderId: number): CredentialFacts {
  return {
    id: 0,
    enabled: true,
    isFob: false,
    holderId,
    effective: null,
    expires: null,
    passesLeft: null,
    factor: 'input_code',
    lock: 'all',
    panelAccess: false,
    timeProfiles: [],
  };
}

function credentialFacts(record: CredentialRecord): CredentialFacts {
  return { ...record, factor: FACTOR_OF_IDENTIFIER[record.identifierType] ?? 'card' };
}

/** A credential found by number counts only if it is of the kind the panel said it read. */
function ofKind(record: CredentialRecord | undefined, presented: Presented): CredentialRecord | undefined {
  if (!record || presented.kind !== 'identifier') return record;
  return FACTOR_OF_IDENTIFIER[record.identifierType] === FACTOR_OF_IDENTIFIER[presented.identifierType] ? record : undefined;
}

/** Where a question is asked: the door, its lock number on the asking device, and the door's mode facts. */
interface Place {
  door: DoorRecord | null;
  lockNumber: number | null;
  doorMode: DoorModeFacts;
}

/** The door and, when a device asks, its lock and the site's panel rules for it. */
async function placeOf(source: FactSource, site: { id: number }, doorId: number, deviceId: number | null): Promise<Place & { rules: PanelRules }> {
  const door = isStorableId(doorId) ? ((await source.door(site.id, doorId)) ?? null) : null;
  const lockNumber = door === null || deviceId === null || !isStorableId(deviceId) ? null : await source.lockNumber(site.id, deviceId, doorId);
  // The public code opens a panel's locks where one asks; free access is in the door's mode, whoever asks.
  const rules = lockNumber === null ? NO_PANEL_RULES : await source.panelRules(site.id);
  const doorMode = door === null ? NO_DOOR_MODE : await source.doorMode(site.id, door.id);
  return { door, lockNumber, rules, doorMode };
}

/** One candidate's facts: the credential's holder and the holder's grants for the door. */
async function candidateFacts(
  source: FactSource,
  site: { id: number; timezone: string },
  { door, lockNumber, doorMode }: Place,
  doorId: number,
  credential: CredentialFacts | null,
  record: CredentialRecord | null,
  { publicCode = false, pinConfirmed = false } = {},
): Promise<GatheredFacts> {
  const holderId = credential?.holderId ?? null;
  const holder = holderId === null ? null : ((await source.holder(site.id, holderId)) ?? null);
  const levelGrants = holder === null ? [] : await withGivers(source, site.id, await source.grants(site.id, holder.id, doorId), doorId);
  // An identifier made on the panel face opens the panel's locks by itself, as on a panel.
  const panelGrant: Grant[] = credential?.panelAccess && lockNumber !== null ? [{ via: 'panel', lockNumber }] : [];
  const grants = [...panelGrant, ...levelGrants];
  return {
    facts: {
      timezone: site.timezone,
      credential,
      holder,
      door,
      lockNumber,
      grants,
      publicCode,
      doorMode,
      holderLevelIds: holder?.levelIds ?? [],
      pinConfirmed,
    },
    credential: record,
    holder,
    door,
  };
}

/**
 * The facts of a holder typing their own PIN at a door, asked by no device: whether their PIN would open
 * it, for "who can open this door" (the PIN itself is never known, only its keyed hash).
 */
export async function gatherHolderPinFacts(
  source: FactSource,
  site: { id: number; timezone: string },
  holderId: number,
  doorId: number,
): Promise<GatheredFacts> {
  await source.catchUp();
  const place = await placeOf(source, site, doorId, null);
  return candidateFacts(source, site, place, doorId, pinCredential(holderId), null);
}

/**
 * The facts of someone nobody knows at a door, as the device `deviceId` would ask (null: no device): what
 * opens it to anyone (its mode, a free-access window of its panel lock), and with `publicCode` the public
 * unlock code typed there, when the site has one switched on. For "who can open this door" (the console).
 */
export async function gatherAnyoneFacts(
  source: FactSource,
  site: { id: number; timezone: string },
  doorId: number,
  deviceId: number | null,
  { publicCode }: { publicCode: boolean },
): Promise<GatheredFacts> {
  await source.catchUp();
  const place = await placeOf(source, site, doorId, deviceId);
  return candidateFacts(source, site, place, doorId, null, null, { publicCode: publicCode && place.rules.publicCode !== null });
}

/**
 * The facts for a presented credential at a door: one candidate for a card or key, one per holder for a
 * PIN (several holders may share one where the site allows it), one with no credential when nothing
 * matches.
 */
export async function gatherFacts(
  source: FactSource,
  site: { id: number; timezone: string },
  presented: Presented,
  doorId: number,
  deviceId: number | null = null,
): Promise<GatheredFacts[]> {
  await source.catchUp();
  const place = await placeOf(source, site, doorId, deviceId);
  const { rules } = place;
  const candidate = (
    credential: CredentialFacts | null,
    record: CredentialRecord | null,
    options: { publicCode?: boolean; pinConfirmed?: boolean } = {},
  ) => candidateFacts(source, site, place, doorId, credential, record, options);
  // A PIN is a code typed on a keypad: a Lockt user's PIN, or a panel's inputCode identifier.
  const typed = presented.kind === 'pin' || (presented.kind === 'identifier' && FACTOR_OF_IDENTIFIER[presented.identifierType] === 'input_code');
  if (typed) {
    // The public code is nobody's: whoever types it is let in as anyone would be, and named as no one.
    if (isPublicCode(rules, presented.value)) return [await candidate(null, null, { publicCode: true })];
    const code = ofKind(await source.credentialByCardNum(site.id, presented.value), {
      kind: 'identifier',
      identifierType: 'inputCode',
      value: presented.value,
    });
    const holders = await source.holderIdsByPin(site.id, presented.value);
    const candidates = [...(code ? [candidate(credentialFacts(code), code)] : []), ...holders.map((id) => candidate(pinCredential(id), null))];
    return candidates.length === 0 ? [await candidate(null, null)] : Promise.all(candidates);
  }
  if (presented.kind === 'card_and_pin') {
    // The PIN counts only as the card's own holder's: another holder's PIN is no second factor.
    const card = await source.credentialByCardNum(site.id, presented.card);
    const holderId = card?.holderId ?? null;
    const pinConfirmed = holderId !== null && (await source.holderIdsByPin(site.id, presented.pin)).includes(holderId);
    return [await candidate(card ? credentialFacts(card) : null, card ?? null, { pinConfirmed })];
  }
  const record = ofKind(
    presented.kind === 'credential_key'
      ? await source.credentialByKey(site.id, presented.value)
      : await source.credentialByCardNum(site.id, presented.value),
    presented,
  );
  return [await candidate(record ? credentialFacts(record) : null, record ?? null)];
}
