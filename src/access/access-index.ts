import { setImmediate as yieldToOthers } from 'node:timers/promises';
import { type ChangeFeed, changeFeedOf } from '../db/change-feed.ts';
import { keysetChunks } from '../db/keyset.ts';
import type { Queryable } from '../db/queryable.ts';
import { secondsSince, signalsOf } from '../metrics/signals.ts';
import { type FactSource, grantsForDoor, storeFactSource } from './facts.ts';
import * as repo from './facts.repository.ts';
import type { CredentialRecord, DoorGrant, DoorRecord, HolderRecord, StoredGrant } from './facts.repository.ts';
import type { DoorModeFacts } from './door-mode.ts';
import type { PanelRules } from './panel-rules.ts';

/** One site's cached facts; thrown away whole whenever anything in the site changes. */
interface SiteCache {
  credentialsByCard: Map<string, CredentialRecord | undefined>;
  credentialsByKey: Map<string, CredentialRecord | undefined>;
  holdersByPin: Map<string, number[]>;
  holders: Map<number, HolderRecord | undefined>;
  grants: Map<number, DoorGrant[]>;
  doors: Map<number, DoorRecord | undefined>;
  locks: Map<string, number | null>;
  /** The site's public code, under the one key `RULES`. */
  panelRules: Map<typeof RULES, PanelRules>;
  /** Each door's mode facts (unlock schedule, free access of its panel locks, holidays, override, plans, first person in), by door. */
  doorModes: Map<number, DoorModeFacts>;
  /**
   * Whether the site was read whole: then what a map lacks does not exist, and no query is needed to say
   * so. PINs are never read whole (they are stored hashed), so `holdersByPin` fills one PIN at a time.
   */
  complete: boolean;
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
    panelRules: new Map(),
    doorModes: new Map(),
    complete: false,
  };
}

/**
 * Rows per query while a site is read whole: on SQLite each chunk holds the event loop while it is read,
 * so another site's decisions wait at most that long (2,000 gave a small site a p99 of 84-96 ms beside a
 * 100,000-user site rebuilt every second; 500 gives 46, docs/performance.md).
 */
const WARM_CHUNK = 500;

const lockKey = (deviceId: number, doorId: number) => `${deviceId}:${doorId}`;

/** A site has one set of panel rules: the key it is cached under. */
const RULES = 'rules';

/**
 * The in-memory index in front of the store: credential → holder → grants, per site, dropped for a site
 * whenever a write to it commits (here, or in another process: see src/db/change-feed.ts).
 *
 * A site's first lookup after a change is answered from the store, one fact at a time, and starts
 * reading the whole site in the background (`warm`); once that is done, every decision for the site
 * touches no store, whatever the site's size, until the next change. The read yields to other work
 * between chunks, so a large site's rebuild never holds up another site's decisions.
 *
 * It answers from memory only while the change feed hears every commit: before each decision it lets the
 * feed catch up (`catchUp`), and while the feed is disconnected every lookup reads the store and nothing
 * is kept.
 *
 * A read that began before an invalidation of its site is not cached after it (the generation check), so
 * a slow read can never put facts older than the last commit back into the index.
 */
export class AccessIndex implements FactSource {
  private readonly sites = new Map<number, SiteCache>();
  private readonly warming = new Set<number>();
  /** Bumped for one site by its invalidation, and for all by `invalidateAll` (through `everything`). */
  private readonly generations = new Map<number, number>();
  private everything = 0;
  private readonly store: FactSource;
  private readonly feed: ChangeFeed;
  private readonly unsubscribe: () => void;
  private following = true;

  constructor(private readonly db: Queryable) {
    this.store = storeFactSource(db);
    this.feed = changeFeedOf(db);
    this.unsubscribe = this.feed.subscribe((site) => (site === null ? this.invalidateAll() : this.invalidate(site)));
  }

  /** Stops following the change feed (the app is closing): from then on every lookup reads the store. */
  close(): void {
    this.unsubscribe();
    this.following = false;
    this.invalidateAll();
  }

  /**
   * Hears every commit made before this call, in any process, before a decision reads the index: on
   * SQLite one pragma, on PostgreSQL the answer to a ping on the LISTEN connection sent after this call
   * (src/db/change-feed.ts), so an answer never rests on facts older than the question.
   */
  catchUp(): Promise<void> {
    return this.feed.catchUp();
  }

  /** Whether the site's facts are held whole, so that its decisions touch no store. */
  isReadWhole(siteId: number): boolean {
    return this.sites.get(siteId)?.complete === true;
  }

  /** Forget a site's facts: called after a write to it commits. */
  invalidate(siteId: number): void {
    this.generations.set(siteId, (this.generations.get(siteId) ?? 0) + 1);
    this.sites.delete(siteId);
  }

  /** Forget every site's facts: when another process changed something and did not say where. */
  invalidateAll(): void {
    this.everything++;
    this.sites.clear();
  }

  /** A token that changes whenever the site's cached facts are dropped. */
  private generation(siteId: number): string {
    return `${this.everything}:${this.generations.get(siteId) ?? 0}`;
  }

  /**
   * Reads the site's doors, locks, panel rules, cardholders, grants and credentials whole, in chunks, and files them
   * as one complete cache; gives up (keeping what the lookups cached) if the site changes meanwhile.
   */
  async warm(siteId: number): Promise<void> {
    const started = performance.now();
    const generation = this.generation(siteId);
    const cache = emptyCache();
    const stale = () => generation !== this.generation(siteId) || !this.feed.connected;
    for (const door of await repo.findDoors(this.db, siteId)) cache.doors.set(door.id, door);
    for (const lock of await repo.findLockNumbers(this.db, siteId)) cache.locks.set(lockKey(lock.device_id, lock.door_id), lock.lock_number);
    cache.panelRules.set(RULES, await repo.findPanelRules(this.db, siteId));
    const modes = await repo.findDoorModes(this.db, siteId, null);
    for (const doorId of cache.doors.keys()) cache.doorModes.set(doorId, repo.doorModeOf(modes, doorId));
    const levelGrants = await repo.findLevelGrants(this.db, siteId);
    for await (const holders of keysetChunks((after, n) => repo.findHoldersAfter(this.db, siteId, after, n), { chunkSize: WARM_CHUNK })) {
      await yieldToOthers();
      if (stale()) return;
      for (const { id, holder } of holders) {
        cache.holders.set(id, holder);
        cache.grants.set(
          id,
          holder.levelIds.flatMap((levelId) => levelGrants.get(levelId) ?? []),
        );
      }
    }
    for await (const credentials of keysetChunks((after, n) => repo.findCredentialsAfter(this.db, siteId, after, n), { chunkSize: WARM_CHUNK })) {
      await yieldToOthers();
      if (stale()) return;
      for (const { credentialKey, record } of credentials) {
        if (record.cardNum !== '') cache.credentialsByCard.set(record.cardNum, record);
        cache.credentialsByKey.set(credentialKey, record);
      }
    }
    if (stale()) return;
    cache.holdersByPin = this.sites.get(siteId)?.holdersByPin ?? cache.holdersByPin;
    cache.complete = true;
    this.sites.set(siteId, cache);
    signalsOf(this.db).indexRebuilt(secondsSince(started));
  }

  private startWarming(siteId: number): void {
    if (this.warming.has(siteId)) return;
    this.warming.add(siteId);
    // A failed read (the store closing, say) leaves the lookups answering from the store as before.
    this.warm(siteId)
      .catch(() => undefined)
      .finally(() => this.warming.delete(siteId));
  }

  /**
   * The cached fact, or `absent()` when the site was read whole without it, or else the store's answer
   * (cached unless the site changed while it was read). `absent` undefined: the map is never complete.
   */
  private async cached<K, V>(siteId: number, pick: (cache: SiteCache) => Map<K, V>, key: K, load: () => Promise<V>, absent?: () => V): Promise<V> {
    if (!this.feed.connected || !this.following) return load();
    const cache = this.sites.get(siteId);
    if (cache) {
      const map = pick(cache);
      if (map.has(key)) return map.get(key) as V;
      if (cache.complete && absent) return absent();
    }
    if (!cache?.complete) this.startWarming(siteId);
    const generation = this.generation(siteId);
    const value = await load();
    if (generation === this.generation(siteId) && this.feed.connected) {
      let current = this.sites.get(siteId);
      if (!current) {
        current = emptyCache();
        this.sites.set(siteId, current);
      }
      pick(current).set(key, value);
    }
    return value;
  }

  credentialByCardNum(siteId: number, cardNum: string): Promise<CredentialRecord | undefined> {
    return this.cached(
      siteId,
      (c) => c.credentialsByCard,
      cardNum,
      () => this.store.credentialByCardNum(siteId, cardNum),
      () => undefined,
    );
  }

  credentialByKey(siteId: number, key: string): Promise<CredentialRecord | undefined> {
    return this.cached(
      siteId,
      (c) => c.credentialsByKey,
      key,
      () => this.store.credentialByKey(siteId, key),
      () => undefined,
    );
  }

  holderIdsByPin(siteId: number, pin: string): Promise<number[]> {
    return this.cached(
      siteId,
      (c) => c.holdersByPin,
      pin,
      () => this.store.holderIdsByPin(siteId, pin),
    );
  }

  holder(siteId: number, userId: number): Promise<HolderRecord | undefined> {
    return this.cached(
      siteId,
      (c) => c.holders,
      userId,
      () => this.store.holder(siteId, userId),
      () => undefined,
    );
  }

  async grants(siteId: number, userId: number, doorId: number): Promise<StoredGrant[]> {
    const all = await this.cached(
      siteId,
      (c) => c.grants,
      userId,
      () => repo.findHolderGrants(this.db, siteId, userId),
      () => [],
    );
    return grantsForDoor(all, doorId);
  }

  door(siteId: number, doorId: number): Promise<DoorRecord | undefined> {
    return this.cached(
      siteId,
      (c) => c.doors,
      doorId,
      () => this.store.door(siteId, doorId),
      () => undefined,
    );
  }

  lockNumber(siteId: number, deviceId: number, doorId: number): Promise<number | null> {
    return this.cached(
      siteId,
      (c) => c.locks,
      lockKey(deviceId, doorId),
      () => this.store.lockNumber(siteId, deviceId, doorId),
      () => null,
    );
  }

  /**
   * A door's mode facts, dropped with the rest of the site's whenever a write to the site commits. A write
   * to door_mode_schedule, holiday, schedule.observes_holidays, access_level.first_person_in,
   * door_override, lockdown_plan (+ _door, _responder), door_first_in, panel_setting (free access),
   * device_door or device.revoked_at (which locks the door sits behind) must therefore run in
   * `writeTransaction`/`transactionChanging` (src/db/change-feed.ts) for that site, as every write does:
   * that announces the change to other processes and drops this cache here. An override's `until` and a
   * plan's `active_until` need no write when they pass, nor a free-access window's edges: the facts carry
   * them and `doorModeAt` reads them.
   */
  doorMode(siteId: number, doorId: number): Promise<DoorModeFacts> {
    return this.cached(
      siteId,
      (c) => c.doorModes,
      doorId,
      () => this.store.doorMode(siteId, doorId),
    );
  }

  panelRules(siteId: number): Promise<PanelRules> {
    return this.cached(
      siteId,
      (c) => c.panelRules,
      RULES,
      () => this.store.panelRules(siteId),
    );
  }
}
