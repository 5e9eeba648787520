/**
 * Keeps the ownership ledger (domain/ownership.ts) in ConfigMaps of the operator's own namespace,
 * where tenants have no access: a fixed number of shards, each holding the instances whose ID
 * hashes to it (`data[instanceId] = {"r": role, "h": [[bindingKey, uid], ...]}`). Only the leader
 * writes. Changes are coalesced per shard and written shortly after they happen, as a JSON merge
 * patch of the entries that changed (null for those gone) guarded by the shard's resourceVersion;
 * a shard is created whole when it does not exist yet. After another writer got there first (409),
 * the store reads the shard and its next patch carries every entry it holds and nulls for the
 * stored ones it does not, so the in-memory ledger, which is what the reconciler reads, wins.
 * Rewriting whole shards instead stalled the event loop 100-250 ms per write at 50,000 instances.
 * A lost write is healed by the next pass, which re-records what it finds attached.
 */
import { type CoreV1Api, PatchStrategy, type V1ConfigMap, setHeaderOptions } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Holding, OwnershipLedger } from '../domain/ownership.js';
import { FIELD_MANAGER } from './wire-identity.js';

export const LEDGER_NAME_PREFIX = 'ecs-role-operator-ownership-';
export const LEDGER_LABEL = 'roles.ecs.dev/ownership-ledger';
export const DEFAULT_LEDGER_SHARDS = 32;
/**
 * How long a change waits for company before its shard is written: during a convergence every
 * shard changes all the time, and fewer, larger patches cost less than many small ones.
 */
export const DEFAULT_LEDGER_FLUSH_DELAY_MS = 1_000;

export interface OwnershipStoreOptions {
  core: CoreV1Api;
  /** The operator's namespace (tenants must have no access to it). */
  namespace: string;
  logger: Logger;
  shards?: number;
  /** How long a change waits for company before its shard is written. */
  flushDelayMs?: number;
}

type StoredHolding = { r: string; h: Array<[string, string]> };

export class ConfigMapOwnershipStore {
  private readonly shards: number;
  private readonly members: Array<Set<string>>;
  private readonly versions: Array<string | undefined>;
  /** Per shard: the instances whose entries changed since the shard was last written. */
  private readonly changed: Array<Set<string>>;
  /**
   * Per shard, after a lost race: the keys the server holds, whose values this store does not
   * know, so the next patch carries every entry and a null for each stored key it does not hold.
   */
  private readonly stored: Array<Set<string> | undefined>;
  private readonly dirty = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private detach: (() => void) | undefined;
  private failures = 0;

  constructor(private readonly opts: OwnershipStoreOptions) {
    this.shards = opts.shards ?? DEFAULT_LEDGER_SHARDS;
    this.members = Array.from({ length: this.shards }, () => new Set<string>());
    this.versions = Array.from({ length: this.shards }, () => undefined);
    this.changed = Array.from({ length: this.shards }, () => new Set<string>());
    this.stored = Array.from({ length: this.shards }, () => undefined);
  }

  /** Reads every shard into the ledger, then writes the ledger's later changes back. */
  async loadInto(ledger: OwnershipLedger): Promise<void> {
    const list = await this.opts.core.listNamespacedConfigMap({ namespace: this.opts.namespace, labelSelector: LEDGER_LABEL });
    const entries: Array<[string, Holding]> = [];
    for (const cm of list.items) {
      const shard = shardOfName(cm.metadata?.name ?? '', this.shards);
      if (shard === undefined) continue;
      this.versions[shard] = cm.metadata?.resourceVersion;
      for (const [instanceId, raw] of Object.entries(cm.data ?? {})) {
        const holding = parseHolding(raw);
        if (!holding) {
          this.opts.logger.warn({ configMap: cm.metadata?.name, instanceId }, 'ownership ledger: unreadable entry ignored');
          continue;
        }
        entries.push([instanceId, holding]);
        this.members[shardOf(instanceId, this.shards)]?.add(instanceId);
      }
    }
    ledger.load(entries);
    this.detach?.();
    this.detach = ledger.onDirty((ids) => this.markDirty(ledger, ids));
  }

  /** Writes every pending change now (on shutdown, or in tests). */
  async flush(ledger: OwnershipLedger): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.flushing = this.flushing.then(() => this.writeDirty(ledger));
    await this.flushing;
  }

  stop(): void {
    this.detach?.();
    this.detach = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private markDirty(ledger: OwnershipLedger, ids: readonly string[]): void {
    for (const id of ids) {
      const shard = shardOf(id, this.shards);
      this.members[shard]?.add(id);
      this.changed[shard]?.add(id);
      this.dirty.add(shard);
    }
    if (!this.timer) {
      const backoff = Math.min(30_000, (this.opts.flushDelayMs ?? DEFAULT_LEDGER_FLUSH_DELAY_MS) * 2 ** this.failures);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush(ledger);
      }, backoff);
      this.timer.unref?.();
    }
  }

  private async writeDirty(ledger: OwnershipLedger): Promise<void> {
    const shards = [...this.dirty];
    this.dirty.clear();
    let failed = false;
    for (const shard of shards) {
      try {
        await this.writeShard(ledger, shard);
      } catch (err) {
        failed = true;
        this.dirty.add(shard);
        this.opts.logger.warn({ err: err instanceof Error ? err.message : String(err), shard }, 'ownership ledger: write failed; retrying');
      }
    }
    this.failures = failed ? Math.min(this.failures + 1, 8) : 0;
    if (this.dirty.size > 0 && !this.timer) this.markDirty(ledger, []);
  }

  private async writeShard(ledger: OwnershipLedger, shard: number): Promise<void> {
    const members = this.members[shard] as Set<string>;
    const changed = this.changed[shard] as Set<string>;
    const stored = this.stored[shard];
    this.changed[shard] = new Set();
    const name = shardName(shard);
    const { core, namespace } = this.opts;
    const version = this.versions[shard];
    try {
      let written: V1ConfigMap;
      if (version) {
        const data: Record<string, string | null> = {};
        if (stored) {
          for (const id of stored) data[id] = null;
          for (const id of members) changed.add(id);
        }
        for (const id of changed) {
          const holding = ledger.holding(id);
          data[id] = holding ? encodeHolding(holding) : null;
          if (!holding) members.delete(id);
        }
        const body = { metadata: { resourceVersion: version }, data };
        written = await core.patchNamespacedConfigMap({ name, namespace, body, fieldManager: FIELD_MANAGER }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      } else {
        const data: Record<string, string> = {};
        for (const id of members) {
          const holding = ledger.holding(id);
          if (holding) data[id] = encodeHolding(holding);
          else members.delete(id);
        }
        const body: V1ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels: { [LEDGER_LABEL]: 'true' } }, data };
        written = await core.createNamespacedConfigMap({ namespace, body, fieldManager: FIELD_MANAGER });
      }
      this.versions[shard] = written.metadata?.resourceVersion;
      this.stored[shard] = undefined;
    } catch (err) {
      for (const id of changed) this.changed[shard]?.add(id);
      const code = (err as { code?: number }).code;
      if (code === 409 || code === 404) {
        // Someone else's write (a previous leader) or a deleted shard: the in-memory ledger is
        // authoritative for the leader. Learn what the server holds now; the next write replaces
        // it entry by entry (or creates the shard again when it is gone).
        const current = await core.readNamespacedConfigMap({ name, namespace }).catch(() => undefined);
        this.versions[shard] = current?.metadata?.resourceVersion;
        this.stored[shard] = current ? new Set(Object.keys(current.data ?? {})) : undefined;
      }
      throw err;
    }
  }
}

function encodeHolding(holding: Holding): string {
  return JSON.stringify({ r: holding.roleName, h: holding.holders.map((h) => [h.key, h.uid]) } satisfies StoredHolding);
}

export function shardName(shard: number): string {
  return `${LEDGER_NAME_PREFIX}${String(shard).padStart(2, '0')}`;
}

function shardOfName(name: string, shards: number): number | undefined {
  if (!name.startsWith(LEDGER_NAME_PREFIX)) return undefined;
  const n = Number(name.slice(LEDGER_NAME_PREFIX.length));
  return Number.isInteger(n) && n >= 0 && n < shards ? n : undefined;
}

/** FNV-1a over the instance ID: stable across processes and versions. */
export function shardOf(instanceId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < instanceId.length; i++) {
    hash ^= instanceId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

function parseHolding(raw: string): Holding | undefined {
  try {
    const parsed = JSON.parse(raw) as Partial<StoredHolding>;
    if (typeof parsed.r !== 'string' || !Array.isArray(parsed.h)) return undefined;
    const holders = parsed.h.filter((h): h is [string, string] => Array.isArray(h) && typeof h[0] === 'string' && typeof h[1] === 'string');
    return { roleName: parsed.r, holders: holders.map(([key, uid]) => ({ key, uid })) };
  } catch {
    return undefined;
  }
}
