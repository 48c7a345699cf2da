import { isStorableId } from '../db/conventions.ts';
import type { Queryable } from '../db/queryable.ts';
import { hashPin } from '../lib/pins.ts';
import type { CredentialFacts, DecisionFacts, Grant } from './decide.ts';
import * as repo from './facts.repository.ts';
import type { CredentialRecord, DoorGrant, DoorRecord, HolderRecord } from './facts.repository.ts';

/** What a device presented: a card number, a PIN, or a mobile credential's key. */
export type Presented =
  | { kind: 'card_num'; value: string }
  | { kind: 'pin'; value: string }
  | { kind: 'credential_key'; value: string };

/** The facts of one candidate holder, with the records they came from (events name them). */
export interface GatheredFacts {
  facts: DecisionFacts;
  credential: CredentialRecord | null;
  holder: HolderRecord | null;
  door: DoorRecord | null;
}

/** Where facts come from: the store itself, or the index's caches in front of it. */
export interface FactSource {
  credentialByCardNum(siteId: number, cardNum: string): Promise<CredentialRecord | undefined>;
  credentialByKey(siteId: number, key: string): Promise<CredentialRecord | undefined>;
  holderIdsByPin(siteId: number, pin: string): Promise<number[]>;
  holder(siteId: number, userId: number): Promise<HolderRecord | undefined>;
  grants(siteId: number, userId: number, doorId: number): Promise<Grant[]>;
  door(siteId: number, doorId: number): Promise<DoorRecord | undefined>;
}

/** Reads straight from the store: what the index is proved against. */
export function storeFactSource(db: Queryable): FactSource {
  return {
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
  };
}

export function grantsForDoor(all: readonly DoorGrant[], doorId: number): Grant[] {
  return all.filter((g) => g.doorId === doorId).map(({ doorId: _door, ...grant }) => grant as Grant);
}

/** A PIN is the holder's own: it is as enabled and as timeless as the holder it names. */
function pinCredential(holderId: number): CredentialFacts {
  return { id: 0, enabled: true, isFob: false, holderId, effective: null, expires: null, passesLeft: null };
}

function credentialFacts(record: CredentialRecord): CredentialFacts {
  return { ...record, passesLeft: null };
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
): Promise<GatheredFacts[]> {
  const door = isStorableId(doorId) ? ((await source.door(site.id, doorId)) ?? null) : null;
  const candidate = async (credential: CredentialFacts | null, record: CredentialRecord | null): Promise<GatheredFacts> => {
    const holderId = credential?.holderId ?? null;
    const holder = holderId === null ? null : ((await source.holder(site.id, holderId)) ?? null);
    const grants = holder === null ? [] : await source.grants(site.id, holder.id, doorId);
    return { facts: { timezone: site.timezone, credential, holder, door, grants }, credential: record, holder, door };
  };
  if (presented.kind === 'pin') {
    const holders = await source.holderIdsByPin(site.id, presented.value);
    if (holders.length === 0) return [await candidate(null, null)];
    return Promise.all(holders.map((id) => candidate(pinCredential(id), null)));
  }
  const record =
    presented.kind === 'card_num'
      ? await source.credentialByCardNum(site.id, presented.value)
      : await source.credentialByKey(site.id, presented.value);
  return [await candidate(record ? credentialFacts(record) : null, record ?? null)];
}
