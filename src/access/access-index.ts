import type { Queryable } from '../db/queryable.ts';
import type { Grant } from './decide.ts';
import { type FactSource, grantsForDoor, storeFactSource } from './facts.ts';
import * as repo from './facts.repository.ts';
import type { CredentialRecord, DoorGrant, DoorRecord, HolderRecord } from './facts.repository.ts';

/** One site's cached facts; thrown away whole whenever anything in the site changes. */
interface SiteCache {
  credentialsByCard: Map<string, CredentialRecord | undefined>;
  credentialsByKey: Map<string, CredentialRecord | undefined>;
  holdersByPin: Map<string, number[]>;
  holders: Map<number, HolderRecord | undefined>;
  grants: Map<number, DoorGrant[]>;
  doors: Map<number, DoorRecord | undefined>;
  locks: Map<string, number | null>;
}

function emptyCache(): SiteCache {
  return {
    credentialsByCard: new Map(),
    credentialsByKey: new Map(),
    holdersByPin: new Map(),
    holders: new Map(),
    grants: new Map(),
    doors: new Map(),
    locks: new Map(),
  };
}

/**
 * The in-memory index in front of the store: credential → holder → grants, per site, filled on first
 * use and dropped for a site whenever a write to it commits (here, or in another process: see
 * src/db/change-feed.ts). A decision for anything seen since the last change touches no store.
 *
 * A load that began before an invalidation is not cached after it (the generation check), so a slow
 * read can never put facts older than the last commit back into the index.
 */
export class AccessIndex implements FactSource {
  private readonly sites = new Map<number, { generation: number; cache: SiteCache }>();
  private generation = 0;
  private readonly store: FactSource;

  constructor(private readonly db: Queryable) {
    this.store = storeFactSource(db);
  }

  /** Forget a site's facts: called after a write to it commits. */
  invalidate(siteId: number): void {
    this.generation++;
    this.sites.delete(siteId);
  }

  /** Forget every site's facts: when another process changed something and did not say where. */
  invalidateAll(): void {
    this.generation++;
    this.sites.clear();
  }

  private async cached<K, V>(siteId: number, pick: (cache: SiteCache) => Map<K, V>, key: K, load: () => Promise<V>): Promise<V> {
    const entry = this.sites.get(siteId);
    if (entry && pick(entry.cache).has(key)) return pick(entry.cache).get(key) as V;
    const generation = this.generation;
    const value = await load();
    if (generation === this.generation) {
      let current = this.sites.get(siteId);
      if (!current) {
        current = { generation, cache: emptyCache() };
        this.sites.set(siteId, current);
      }
      pick(current.cache).set(key, value);
    }
    return value;
  }

  credentialByCardNum(siteId: number, cardNum: string): Promise<CredentialRecord | undefined> {
    return this.cached(siteId, (c) => c.credentialsByCard, cardNum, () => this.store.credentialByCardNum(siteId, cardNum));
  }

  credentialByKey(siteId: number, key: string): Promise<CredentialRecord | undefined> {
    return this.cached(siteId, (c) => c.credentialsByKey, key, () => this.store.credentialByKey(siteId, key));
  }

  holderIdsByPin(siteId: number, pin: string): Promise<number[]> {
    return this.cached(siteId, (c) => c.holdersByPin, pin, () => this.store.holderIdsByPin(siteId, pin));
  }

  holder(siteId: number, userId: number): Promise<HolderRecord | undefined> {
    return this.cached(siteId, (c) => c.holders, userId, () => this.store.holder(siteId, userId));
  }

  async grants(siteId: number, userId: number, doorId: number): Promise<Grant[]> {
    const all = await this.cached(siteId, (c) => c.grants, userId, () => repo.findHolderGrants(this.db, siteId, userId));
    return grantsForDoor(all, doorId);
  }

  door(siteId: number, doorId: number): Promise<DoorRecord | undefined> {
    return this.cached(siteId, (c) => c.doors, doorId, () => this.store.door(siteId, doorId));
  }

  lockNumber(siteId: number, deviceId: number, doorId: number): Promise<number | null> {
    return this.cached(siteId, (c) => c.locks, `${deviceId}:${doorId}`, () => this.store.lockNumber(siteId, deviceId, doorId));
  }
}
