/**
 * @kubernetes/client-node (unchanged) on each Kubernetes target, through a recording proxy (to see
 * the requests on the wire and to cut connections): informers that survive 410 Gone and
 * dropped connections, merge-patch status writes (content type checked on the wire), optimistic
 * concurrency, Lease create/renew, generation versus status writes, finalizers.
 */
import {
  CoordinationV1Api,
  CustomObjectsApi,
  KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
  type KubernetesListObject,
  type KubernetesObject,
  type V1Lease,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RecordedRequest, type RecordingProxy, startRecordingProxy, tokenKubeconfig } from '../../e2e/process-helpers.js';
import { type KubeTarget, describeEachTarget, startKubeTarget } from '../../support/kube-target.js';
import { eventually, PROJECT_CRD_PATH, rejection } from './helpers.js';

const GROUP = 'roles.ecs.dev';
const VERSION = 'v1alpha1';
const PLURAL = 'instancerolebindings';

interface Binding extends KubernetesObject {
  spec: Record<string, unknown>;
  status?: Record<string, unknown>;
}

describeEachTarget('client-node', (target) => {
  let kube: KubeTarget;
  let proxy: RecordingProxy;
  let kc: KubeConfig;
  let custom: CustomObjectsApi;
  let coordination: CoordinationV1Api;
  let requests: RecordedRequest[];

  function binding(name: string, namespace = 'default', spec: Record<string, unknown> = {}): Binding {
    return {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'InstanceRoleBinding',
      metadata: { name, namespace },
      spec: { regionId: 'cn-hangzhou', roleName: 'EcsRamRoleDocumentTesting', instanceIds: ['i-bp1abc'], ...spec },
    };
  }

  const ref = (name: string, namespace = 'default') => ({ group: GROUP, version: VERSION, plural: PLURAL, namespace, name });
  const create = async (b: Binding): Promise<Binding> =>
    (await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: b.metadata?.namespace ?? 'default', body: b })) as Binding;
  const read = async (name: string, namespace = 'default'): Promise<Binding> => (await custom.getNamespacedCustomObject(ref(name, namespace))) as Binding;
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

  beforeAll(async () => {
    kube = await startKubeTarget(target, { crdPaths: [PROJECT_CRD_PATH] });
    proxy = await startRecordingProxy(kube.url, kube.caCertificate);
    requests = proxy.requests;
    kc = new KubeConfig();
    kc.loadFromString(tokenKubeconfig(proxy.url, kube.adminToken));
    custom = kc.makeApiClient(CustomObjectsApi);
    coordination = kc.makeApiClient(CoordinationV1Api);
  });

  afterAll(async () => {
    await proxy?.close();
    await kube?.stop();
  });

  describe('client-node informer over InstanceRoleBindings', () => {
    it('sees add/update/delete, replays missed changes after a dropped connection and (emulator) relists after 410 Gone', async () => {
      const path = `/apis/${GROUP}/${VERSION}/${PLURAL}`;
      const list = async (): Promise<KubernetesListObject<Binding>> =>
        (await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL })) as KubernetesListObject<Binding>;
      const informer = makeInformer<Binding>(kc, path, list);
      const seen: string[] = [];
      let errors = 0;
      informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
      informer.on('update', (o) => seen.push(`update ${o.metadata?.name} ${String(o.spec['roleName'])}`));
      informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
      // client-node stops on any error but 410; like a controller, the test restarts it.
      informer.on('error', () => {
        errors += 1;
      });
      const dropAndWaitForError = async (): Promise<void> => {
        const before = errors;
        proxy.cut();
        await eventually('the error of the dropped watch', () => (errors > before ? true : undefined));
      };
      await create(binding('inf-a'));
      await informer.start();
      try {
        await eventually('the initial add', () => (seen.includes('add inf-a') ? true : undefined));
        await create(binding('inf-b'));
        await custom.patchNamespacedCustomObject({ ...ref('inf-b'), body: { spec: { roleName: 'Other' } } }, mergePatch);
        await custom.deleteNamespacedCustomObject(ref('inf-a'));
        await eventually('add, update and delete', () =>
          ['add inf-b', 'update inf-b Other', 'delete inf-a'].every((e) => seen.includes(e)) ? true : undefined,
        );

        // A dropped connection, a change meanwhile: the restart watches from the last resourceVersion and replays it.
        await dropAndWaitForError();
        const listsBefore = requests.filter((r) => r.method === 'GET' && !r.url.includes('watch=')).length;
        await create(binding('inf-c'));
        await informer.start();
        await eventually('the replayed add', () => (seen.includes('add inf-c') ? true : undefined));
        expect(requests.filter((r) => r.method === 'GET' && !r.url.includes('watch=')).length).toBe(listsBefore);

        // Emulator only: a compaction on demand (its compact hook; a real API server compacts every
        // 5 minutes and resumes from its watch cache meanwhile).
        if (kube.emulator) {
          // Dropped again, changes, then the history is compacted: the watch gets 410 and the informer relists.
          await dropAndWaitForError();
          await create(binding('inf-d'));
          await custom.deleteNamespacedCustomObject(ref('inf-c'));
          kube.emulator.compact();
          const before = seen.length;
          const errorsBefore = errors;
          const listsBeforeRelist = requests.filter((r) => r.method === 'GET' && !r.url.includes('watch=')).length;
          await informer.start();
          await eventually('the relist after 410', () =>
            seen.slice(before).includes('add inf-d') && seen.slice(before).includes('delete inf-c') ? true : undefined,
          );
          expect(informer.list().map((o) => o.metadata?.name).sort()).toEqual(['inf-b', 'inf-d']);
          expect(errors).toBe(errorsBefore);
          expect(requests.filter((r) => r.method === 'GET' && !r.url.includes('watch=')).length).toBe(listsBeforeRelist + 1);
        }

        // And the informer keeps watching.
        await custom.patchNamespacedCustomObject({ ...ref('inf-b'), body: { spec: { roleName: 'Later' } } }, mergePatch);
        await eventually('an update after that', () => (seen.includes('update inf-b Later') ? true : undefined));
      } finally {
        await informer.stop();
      }
    });
  });

  describe('client-node writes', () => {
    it('writes status with a merge patch whose content type arrives on the wire, leaving spec and generation alone', async () => {
      const created = await create(binding('st-1'));
      expect(created.metadata?.generation).toBe(1);
      requests.length = 0;
      const status = { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True', reason: 'AllInstancesBound', message: 'ok', lastTransitionTime: '2026-11-23T10:00:00Z' }] };
      const patched = (await custom.patchNamespacedCustomObjectStatus(
        { ...ref('st-1'), body: { status, spec: { roleName: 'Ignored' } }, fieldManager: 'ecs-role-operator' },
        mergePatch,
      )) as Binding;
      const patchRequest = requests.find((r) => r.method === 'PATCH');
      expect(patchRequest?.url).toContain(`/namespaces/default/${PLURAL}/st-1/status`);
      expect(patchRequest?.headers['content-type']).toBe('application/merge-patch+json');
      expect(patched.status).toEqual(status);
      expect(patched.spec['roleName']).toBe('EcsRamRoleDocumentTesting');
      expect(patched.metadata?.generation).toBe(1);
      expect(Number(patched.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));

      // Without the header option client-node sends JSON Patch, which an object body is not.
      const wrongType = await rejection(custom.patchNamespacedCustomObjectStatus({ ...ref('st-1'), body: { status } }));
      expect(wrongType.code).toBe(400);
      expect(requests.filter((r) => r.method === 'PATCH').at(-1)?.headers['content-type']).toBe('application/json-patch+json');
    });

    it('moves generation on spec changes only, and the main resource ignores status', async () => {
      await create(binding('gen-1'));
      await custom.patchNamespacedCustomObjectStatus({ ...ref('gen-1'), body: { status: { observedGeneration: 1 } } }, mergePatch);
      const labelled = (await custom.patchNamespacedCustomObject({ ...ref('gen-1'), body: { metadata: { labels: { team: 'a' } } } }, mergePatch)) as Binding;
      expect(labelled.metadata?.generation).toBe(1);
      const respec = (await custom.patchNamespacedCustomObject(
        { ...ref('gen-1'), body: { spec: { roleName: 'NewRole' }, status: { observedGeneration: 99 } } },
        mergePatch,
      )) as Binding;
      expect(respec.metadata?.generation).toBe(2);
      expect(respec.status).toEqual({ observedGeneration: 1 });
      const sameSpec = (await custom.replaceNamespacedCustomObject({ ...ref('gen-1'), body: respec })) as Binding;
      expect(sameSpec.metadata?.generation).toBe(2);
      expect(sameSpec.metadata?.resourceVersion).toBe(respec.metadata?.resourceVersion);
    });

    it('answers 409 Conflict for a stale resourceVersion in PUT and in a patch', async () => {
      const first = await create(binding('cc-1'));
      const updated = (await custom.replaceNamespacedCustomObject({ ...ref('cc-1'), body: { ...first, spec: { ...first.spec, roleName: 'Second' } } })) as Binding;
      expect(updated.spec['roleName']).toBe('Second');
      const stalePut = await rejection(custom.replaceNamespacedCustomObject({ ...ref('cc-1'), body: { ...first, spec: { ...first.spec, roleName: 'Third' } } }));
      expect(stalePut).toMatchObject({
        code: 409,
        reason: 'Conflict',
        message: `Operation cannot be fulfilled on instancerolebindings.roles.ecs.dev "cc-1": the object has been modified; please apply your changes to the latest version and try again`,
        details: { name: 'cc-1', group: GROUP, kind: PLURAL },
      });
      const stalePatch = await rejection(
        custom.patchNamespacedCustomObject({ ...ref('cc-1'), body: { metadata: { resourceVersion: first.metadata?.resourceVersion }, spec: { roleName: 'Fourth' } } }, mergePatch),
      );
      expect(stalePatch.code).toBe(409);
      expect((await read('cc-1')).spec['roleName']).toBe('Second');
      const noVersion = await rejection(custom.replaceNamespacedCustomObject({ ...ref('cc-1'), body: binding('cc-1') }));
      expect(noVersion.code).toBe(422);
      expect(noVersion.message).toContain('metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
    });

    it('creates and renews a Lease, refusing a stale renewal and a second create', async () => {
      // MicroTime fields need six fractional digits (V1MicroTime writes them); a plain Date's three are refused, as by kube-apiserver.
      const micro = (iso: string): V1MicroTime => new V1MicroTime(Date.parse(iso));
      const lease: V1Lease = {
        metadata: { name: 'ecs-role-operator-leader', namespace: 'default' },
        spec: { holderIdentity: 'pod-a', leaseDurationSeconds: 15, acquireTime: micro('2026-11-23T10:00:00Z'), renewTime: micro('2026-11-23T10:00:00Z'), leaseTransitions: 0 },
      };
      const dates = await rejection(coordination.createNamespacedLease({ namespace: 'default', body: { ...lease, spec: { ...lease.spec, renewTime: new Date('2026-11-23T10:00:00Z') } } }));
      expect(dates).toMatchObject({ code: 400, reason: 'BadRequest' });
      expect(dates.message).toBe('Lease in version "v1" cannot be handled as a Lease: parsing time "2026-11-23T10:00:00.000Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse ".000Z" as ".000000"');
      const created = await coordination.createNamespacedLease({ namespace: 'default', body: lease });
      expect(created.spec?.holderIdentity).toBe('pod-a');
      const renewed = await coordination.replaceNamespacedLease({
        name: 'ecs-role-operator-leader',
        namespace: 'default',
        body: { ...created, spec: { ...created.spec, renewTime: micro('2026-11-23T10:00:05Z') } },
      });
      expect(new Date(String(renewed.spec?.renewTime)).toISOString()).toBe('2026-11-23T10:00:05.000Z');
      expect(renewed.metadata?.resourceVersion).not.toBe(created.metadata?.resourceVersion);
      const stale = await rejection(
        coordination.replaceNamespacedLease({ name: 'ecs-role-operator-leader', namespace: 'default', body: { ...created, spec: { ...created.spec, holderIdentity: 'pod-b' } } }),
      );
      expect(stale.code).toBe(409);
      const again = await rejection(coordination.createNamespacedLease({ namespace: 'default', body: lease }));
      expect(again).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'leases.coordination.k8s.io "ecs-role-operator-leader" already exists' });
      const read = await coordination.readNamespacedLease({ name: 'ecs-role-operator-leader', namespace: 'default' });
      expect(read.spec?.holderIdentity).toBe('pod-a');
    });

    it('keeps a deleted object with finalizers until they are removed, forbidding new finalizers meanwhile', async () => {
      await create(binding('fin-1'));
      await custom.patchNamespacedCustomObject(
        { ...ref('fin-1'), body: { metadata: { finalizers: ['roles.ecs.dev/detach-on-delete'] } } },
        mergePatch,
      );
      const deleting = (await custom.deleteNamespacedCustomObject(ref('fin-1'))) as Binding;
      expect(deleting.metadata?.deletionTimestamp).toBeTruthy();
      expect(deleting.metadata?.generation).toBe(2);
      const still = await read('fin-1');
      expect(still.metadata?.finalizers).toEqual(['roles.ecs.dev/detach-on-delete']);
      const added = await rejection(
        custom.patchNamespacedCustomObject({ ...ref('fin-1'), body: { metadata: { finalizers: ['roles.ecs.dev/detach-on-delete', 'other/x'] } } }, mergePatch),
      );
      expect(added.code).toBe(422);
      expect(added.message).toContain('no new finalizers can be added if the object is being deleted');
      const secondDelete = (await custom.deleteNamespacedCustomObject(ref('fin-1'))) as Binding;
      expect(secondDelete.metadata?.deletionTimestamp).toBe(deleting.metadata?.deletionTimestamp);
      await custom.patchNamespacedCustomObject(
        { ...ref('fin-1'), body: { metadata: { finalizers: null, resourceVersion: still.metadata?.resourceVersion } } },
        mergePatch,
      );
      const gone = await rejection(read('fin-1'));
      expect(gone).toMatchObject({ code: 404, reason: 'NotFound', message: 'instancerolebindings.roles.ecs.dev "fin-1" not found' });
    });
  });
});
