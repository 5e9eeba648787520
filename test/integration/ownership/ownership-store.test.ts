/**
 * The ownership ledger in ConfigMaps of the operator's namespace, through the real client-node:
 * changes land in their shard, a fresh process reads back exactly what was written, and a write
 * that lost a race (409) is retried with the server's version.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeTarget, describeEachTarget, startKubeTarget } from '../../support/kube-target.js';
import { OwnershipLedger } from '../../../src/domain/ownership.js';
import { PooledKubeConfig } from '../../../src/kube/pooled-kubeconfig.js';
import { ConfigMapOwnershipStore, LEDGER_LABEL, shardName, shardOf } from '../../../src/kube/ownership-store.js';

const NAMESPACE = 'ecs-role-operator-system';
describeEachTarget('ownership ledger in ConfigMaps', (target) => {
  let kube: KubeTarget;
  let core: CoreV1Api;
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    kube = await startKubeTarget(target, { crdPaths: [] });
    const config = new PooledKubeConfig();
    config.loadFromFile(kube.kubeconfigPath);
    core = config.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  });
  afterAll(async () => {
    await kube?.stop();
  });

  const a = { key: 'team-a/web', uid: 'uid-a' };
  const b = { key: 'team-b/api', uid: 'uid-b' };

  describe('ConfigMapOwnershipStore', () => {
    it('writes changed shards and a new store reads the same ledger back', async () => {
      const ledger = new OwnershipLedger();
      const store = new ConfigMapOwnershipStore({ core, namespace: NAMESPACE, logger, shards: 4, flushDelayMs: 5 });
      await store.loadInto(ledger);
      const ids = Array.from({ length: 40 }, (_, n) => `i-own${String(n).padStart(3, '0')}`);
      for (const id of ids) ledger.hold(id, 'WebRole', a);
      ledger.hold('i-own000', 'WebRole', b);
      ledger.forget('i-own039');
      await store.flush(ledger);

      const list = await core.listNamespacedConfigMap({ namespace: NAMESPACE, labelSelector: LEDGER_LABEL });
      expect(list.items.map((cm) => cm.metadata?.name).sort()).toEqual([0, 1, 2, 3].map(shardName).filter((name) => list.items.some((cm) => cm.metadata?.name === name)).sort());
      const shard = await core.readNamespacedConfigMap({ name: shardName(shardOf('i-own000', 4)), namespace: NAMESPACE });
      expect(JSON.parse(shard.data?.['i-own000'] ?? '{}')).toEqual({ r: 'WebRole', h: [['team-a/web', 'uid-a'], ['team-b/api', 'uid-b']] });

      const reread = new OwnershipLedger();
      await new ConfigMapOwnershipStore({ core, namespace: NAMESPACE, logger, shards: 4 }).loadInto(reread);
      expect(new Map(reread.entries())).toEqual(new Map(ledger.entries()));
      expect(reread.holding('i-own039')).toBeUndefined();
      expect(reread.heldBy('uid-a').size).toBe(39);

      // Later changes are patches of the entries that changed: a forgotten entry leaves its shard,
      // a changed one is rewritten, the rest stays as it was.
      ledger.forget('i-own005');
      ledger.release('i-own000', b.uid);
      ledger.hold('i-own040', 'ApiRole', b);
      await store.flush(ledger);
      const second = new OwnershipLedger();
      await new ConfigMapOwnershipStore({ core, namespace: NAMESPACE, logger, shards: 4 }).loadInto(second);
      expect(new Map(second.entries())).toEqual(new Map(ledger.entries()));
      expect(second.holding('i-own005')).toBeUndefined();
      expect(second.holding('i-own000')?.holders).toEqual([a]);
      expect(second.holding('i-own040')).toEqual({ roleName: 'ApiRole', holders: [b] });
      expect(second.heldBy('uid-a').size).toBe(38);
      store.stop();
    });

    it('recovers from a write that lost a race with another writer', async () => {
      const ledger = new OwnershipLedger();
      const store = new ConfigMapOwnershipStore({ core, namespace: NAMESPACE, logger, shards: 4, flushDelayMs: 5 });
      await store.loadInto(ledger);
      const name = shardName(shardOf('i-own001', 4));
      // Another writer (say, a deposed leader) changes the shard behind this store's back.
      const current = await core.readNamespacedConfigMap({ name, namespace: NAMESPACE });
      await core.replaceNamespacedConfigMap({ name, namespace: NAMESPACE, body: { ...current, data: { ...current.data, 'i-stale': '{"r":"X","h":[]}' } } });
      ledger.hold('i-own001', 'OtherRole', b);
      await store.flush(ledger); // 409: refreshes the version, keeps the shard dirty
      await store.flush(ledger);
      const after = await core.readNamespacedConfigMap({ name, namespace: NAMESPACE });
      expect(JSON.parse(after.data?.['i-own001'] ?? '{}')).toEqual({ r: 'OtherRole', h: [['team-b/api', 'uid-b']] });
      // The in-memory ledger wins over the other writer's entry.
      expect(after.data?.['i-stale']).toBeUndefined();
      store.stop();
    });
  });
});
