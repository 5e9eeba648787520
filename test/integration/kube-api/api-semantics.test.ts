/**
 * API semantics through client-node and plain HTTP: selectors, pagination, watch bookmarks,
 * timeouts and 410, Status errors, authentication and authorization, field validation,
 * dry run, generateName, server-side apply, events, namespaces, tables and discovery.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
  Watch,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest } from '../../support/api-http.js';
import { type KubeTarget, describeEachTarget, startKubeTarget } from '../../support/kube-target.js';
import { eventually, PROJECT_CRD_PATH, rejection } from './helpers.js';

const GROUP = 'roles.ecs.dev';
const VERSION = 'v1alpha1';
const PLURAL = 'instancerolebindings';
const BASE = `/apis/${GROUP}/${VERSION}`;

describeEachTarget('API semantics', (target) => {
  let kube: KubeTarget;
  let kc: KubeConfig;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;

  interface Binding extends KubernetesObject {
    spec: Record<string, unknown>;
  }

  const binding = (name: string, namespace: string, labels: Record<string, string> = {}, spec: Record<string, unknown> = {}): Binding => ({
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'InstanceRoleBinding',
    metadata: { name, namespace, labels },
    spec: { regionId: 'cn-hangzhou', roleName: 'R1', instanceIds: ['i-abc'], ...spec },
  });
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const listIn = async (namespace: string, extra: { labelSelector?: string; fieldSelector?: string; limit?: number; _continue?: string } = {}) =>
    (await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace, ...extra })) as KubernetesListObject<Binding>;
  const names = (list: KubernetesListObject<Binding>): string[] => list.items.map((i) => i.metadata?.name ?? '');

  /** Plain HTTP with the admin token (or another). */
  async function http(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, token?: string) {
    const res = await apiRequest(kube, method, path, {
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      ...(token !== undefined ? { token } : {}),
    });
    return { status: res.status, headers: res.headers, json: res.text ? (JSON.parse(res.text) as Record<string, unknown>) : {} };
  }

  beforeAll(async () => {
    kube = await startKubeTarget(target, { crdPaths: [PROJECT_CRD_PATH], watchBookmarkIntervalMs: 100 });
    kc = new KubeConfig();
    kc.loadFromFile(kube.kubeconfigPath);
    custom = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    for (const ns of ['sel', 'page', 'watch']) await core.createNamespace({ body: { metadata: { name: ns } } });
  });

  afterAll(async () => {
    await kube?.stop();
  });

  describe('lists', () => {
    it('filters by equality and set-based label selectors and by field selectors', async () => {
      const specs: [string, Record<string, string>][] = [
        ['web-gold', { app: 'web', tier: 'gold' }],
        ['web-plain', { app: 'web' }],
        ['db-gold', { app: 'db', tier: 'gold' }],
        ['db-silver', { app: 'db', tier: 'silver' }],
        ['cache', { app: 'cache' }],
      ];
      for (const [name, labels] of specs) await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: 'sel', body: binding(name, 'sel', labels) });
      const sel = async (labelSelector: string) => names(await listIn('sel', { labelSelector })).sort();
      expect(await sel('app=web')).toEqual(['web-gold', 'web-plain']);
      expect(await sel('app!=web')).toEqual(['cache', 'db-gold', 'db-silver']);
      expect(await sel('app in (web,cache)')).toEqual(['cache', 'web-gold', 'web-plain']);
      expect(await sel('tier notin (gold)')).toEqual(['cache', 'db-silver', 'web-plain']);
      expect(await sel('!tier')).toEqual(['cache', 'web-plain']);
      expect(await sel('tier,app=db')).toEqual(['db-gold', 'db-silver']);
      expect(names(await listIn('sel', { fieldSelector: 'metadata.name=cache' }))).toEqual(['cache']);
      expect(names(await listIn('sel', { fieldSelector: 'metadata.name!=cache', labelSelector: 'app=web' })).sort()).toEqual(['web-gold', 'web-plain']);
      const allNamespaces = (await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, fieldSelector: 'metadata.namespace=sel' })) as KubernetesListObject<Binding>;
      expect(allNamespaces.items).toHaveLength(5);
      const bad = await rejection(listIn('sel', { labelSelector: 'app in (web' }));
      expect(bad.code).toBe(400);
      const unsupported = await rejection(listIn('sel', { fieldSelector: 'spec.roleName=R1' }));
      expect(unsupported).toMatchObject({ code: 400, message: 'field label not supported: spec.roleName' });
    });

    it('pages with limit and continue', async () => {
      for (let i = 0; i < 7; i++) await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: 'page', body: binding(`item-${i}`, 'page') });
      const first = await listIn('page', { limit: 3 });
      expect(names(first)).toEqual(['item-0', 'item-1', 'item-2']);
      expect(first.metadata?.remainingItemCount).toBe(4);
      // Custom object lists come back untyped: the wire name `continue` is kept.
      const continueOf = (l: KubernetesListObject<Binding>): string | undefined => (l.metadata as { continue?: string } | undefined)?.continue;
      const token = continueOf(first);
      expect(token).toBeTruthy();
      const second = await listIn('page', { limit: 3, _continue: token });
      expect(names(second)).toEqual(['item-3', 'item-4', 'item-5']);
      const third = await listIn('page', { limit: 3, _continue: continueOf(second) });
      expect(names(third)).toEqual(['item-6']);
      // Like kube-apiserver's unstructured lists: the last page says `continue: ""`.
      expect(continueOf(third)).toBe('');
    });

    // Emulator only: expiring a continue token takes a compaction, which the emulator does on demand
    // (its compact hook) and a real API server only every 5 minutes (etcd compaction).
    if (target === 'emulator') {
      it('expires old continue tokens once the history is compacted', async () => {
        const first = await listIn('page', { limit: 3 });
        const token = (first.metadata as { continue?: string } | undefined)?.continue;
        expect(token).toBeTruthy();
        await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: 'page', body: binding('item-7', 'page') });
        kube.emulator?.compact();
        const expired = await rejection(listIn('page', { limit: 3, _continue: token }));
        expect(expired).toMatchObject({ code: 410, reason: 'Expired' });
      });
    }

    it('deletes a collection by label selector', async () => {
      for (const [name, team] of [['dc-1', 'x'], ['dc-2', 'x'], ['dc-3', 'y']] as const) {
        await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: 'page', body: binding(name, 'page', { team }) });
      }
      await custom.deleteCollectionNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: 'page', labelSelector: 'team=x' });
      expect(names(await listIn('page', { labelSelector: 'team' }))).toEqual(['dc-3']);
    });
  });

  describe('watches', () => {
    it('sends bookmarks, ends at timeoutSeconds, and turns label changes into ADDED/DELETED', async () => {
      const list = await listIn('watch');
      const events: { type: string; name: string; rv: string }[] = [];
      let ended = false;
      await new Watch(kc).watch(
        `${BASE}/namespaces/watch/${PLURAL}`,
        { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true, labelSelector: 'app=web', timeoutSeconds: 3 },
        (type, obj: Binding) => events.push({ type, name: obj.metadata?.name ?? '', rv: obj.metadata?.resourceVersion ?? '' }),
        () => {
          ended = true;
        },
      );
      await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: 'watch', body: binding('w', 'watch', { app: 'web' }) });
      await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: 'watch', body: binding('other', 'watch', { app: 'db' }) });
      await custom.patchNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: 'watch', name: 'w', body: { metadata: { labels: { app: 'db' } } } }, mergePatch);
      await custom.patchNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: 'watch', name: 'other', body: { metadata: { labels: { app: 'web' } } } }, mergePatch);
      await eventually('a bookmark', () => (events.some((e) => e.type === 'BOOKMARK') ? true : undefined));
      await eventually('the end of the watch at its timeout', () => (ended ? true : undefined));
      const changes = events.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${e.name}`);
      expect(changes).toEqual(['ADDED w', 'DELETED w', 'ADDED other']);
      const bookmark = events.find((e) => e.type === 'BOOKMARK');
      expect(Number(bookmark?.rv)).toBeGreaterThanOrEqual(Number(list.metadata?.resourceVersion));
    });

    // Emulator only: making a resourceVersion from a moment ago too old takes a compaction on
    // demand (the emulator's compact hook). On both targets, the next test watches from
    // resourceVersion 1, older than any watch window, and gets the same 410.
    if (target === 'emulator') {
      it('answers a too old resourceVersion with a 410 ERROR event', async () => {
        const old = (await listIn('watch')).metadata?.resourceVersion ?? '';
        await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: 'watch', body: binding('later', 'watch') });
        kube.emulator?.compact();
        const events: { type: string; obj: Record<string, unknown> }[] = [];
        let ended = false;
        await new Watch(kc).watch(`${BASE}/namespaces/watch/${PLURAL}`, { resourceVersion: old }, (type, obj: Record<string, unknown>) => events.push({ type, obj }), () => {
          ended = true;
        });
        await eventually('the end of the expired watch', () => (ended ? true : undefined));
        expect(events).toHaveLength(1);
        expect(events[0]?.type).toBe('ERROR');
        expect(events[0]?.obj).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
        expect(String(events[0]?.obj['message'])).toMatch(/^too old resource version: \d+ \(\d+\)$/);
      });
    }

    it("starts a resource's watch window when it is first served, and refuses sendInitialEvents like 1.33 without WatchList", async () => {
      const fromOne = await apiRequest(kube, 'GET', `${BASE}/namespaces/watch/${PLURAL}?watch=true&resourceVersion=1&timeoutSeconds=1`);
      const [first] = fromOne.text.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: Record<string, unknown> });
      expect(first).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
      const initial = await http('GET', `${BASE}/namespaces/watch/${PLURAL}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan`);
      expect(initial.status).toBe(422);
      expect(initial.json['message']).toBe('ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled');
    });
  });

  describe('selectors and discovery as kube-apiserver words them', () => {
    it('reports label selector syntax errors with labels.Parse messages', async () => {
      const bad = await http('GET', `${BASE}/namespaces/sel/${PLURAL}?labelSelector=${encodeURIComponent('bad key=x')}`);
      expect(bad.status).toBe(400);
      expect(bad.json['message']).toBe("unable to parse requirement: found 'key', expected: in, notin, =, ==, !=, gt, lt");
      const badValue = await http('GET', `${BASE}/namespaces/sel/${PLURAL}?labelSelector=${encodeURIComponent('app in (a b)')}`);
      expect(badValue.json['message']).toBe("unable to parse requirement: found 'b', expected: ',' or ')'");
    });

    it('lists storageVersionHash for stored resources only', async () => {
      const core = await http('GET', '/api/v1');
      const resources = core.json['resources'] as { name: string; storageVersionHash?: string }[];
      expect(resources.find((r) => r.name === 'serviceaccounts')?.storageVersionHash).toBe('pbx9ZvyFpBE=');
      expect(resources.find((r) => r.name === 'serviceaccounts/token')?.storageVersionHash).toBeUndefined();
      const reviews = await http('GET', '/apis/authorization.k8s.io/v1');
      expect((reviews.json['resources'] as { storageVersionHash?: string }[]).every((r) => r.storageVersionHash === undefined)).toBe(true);
    });
  });

  describe('errors are Status objects', () => {
    it('401 for an unknown token, 403 in the real wording, 404 for unknown routes and objects', async () => {
      const unknown = await http('GET', '/api/v1/namespaces', undefined, {}, 'not-a-token');
      expect(unknown.status).toBe(401);
      expect(unknown.json).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401 });
      await core.createNamespacedServiceAccount({ namespace: 'sel', body: { metadata: { name: 'nobody' } } });
      const token = await kube.serviceAccountToken('sel', 'nobody');
      const denied = await http('GET', `${BASE}/namespaces/sel/${PLURAL}`, undefined, {}, token);
      expect(denied.status).toBe(403);
      expect(denied.json).toMatchObject({
        kind: 'Status',
        reason: 'Forbidden',
        code: 403,
        message: 'instancerolebindings.roles.ecs.dev is forbidden: User "system:serviceaccount:sel:nobody" cannot list resource "instancerolebindings" in API group "roles.ecs.dev" in the namespace "sel"',
        details: { group: GROUP, kind: PLURAL },
      });
      const status = await http('PATCH', `${BASE}/namespaces/sel/${PLURAL}/cache/status`, { status: {} }, { 'content-type': 'application/merge-patch+json' }, token);
      expect(status.json['message']).toBe(
        'instancerolebindings.roles.ecs.dev "cache" is forbidden: User "system:serviceaccount:sel:nobody" cannot patch resource "instancerolebindings/status" in API group "roles.ecs.dev" in the namespace "sel"',
      );
      const clusterScope = await http('GET', '/api/v1/namespaces', undefined, {}, token);
      expect(clusterScope.json['message']).toBe('namespaces is forbidden: User "system:serviceaccount:sel:nobody" cannot list resource "namespaces" in API group "" at the cluster scope');
      expect((await http('GET', '/apis', undefined, {}, token)).status).toBe(200);
      // A group-version nothing serves gets the Go mux's plain 404, like kube-apiserver; a served one a Status.
      const nowhere = await apiRequest(kube, 'GET', '/apis/nope.example.com/v1/things');
      expect(nowhere.status).toBe(404);
      expect(nowhere.text).toBe('404 page not found\n');
      expect((await http('GET', '/apis/apps/v1/things')).json).toMatchObject({ kind: 'Status', code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' });
      const missing = await http('GET', `${BASE}/namespaces/sel/${PLURAL}/missing`);
      expect(missing.json).toMatchObject({ code: 404, reason: 'NotFound', message: 'instancerolebindings.roles.ecs.dev "missing" not found', details: { name: 'missing', group: GROUP, kind: PLURAL } });
      const noNamespace = await http('POST', `${BASE}/namespaces/absent/${PLURAL}`, binding('x', 'absent'));
      expect(noNamespace.json).toMatchObject({ code: 404, message: 'namespaces "absent" not found' });
    });

    it('refuses strategic merge patch on custom resources and reports failed JSON patch tests', async () => {
      const smp = await http('PATCH', `${BASE}/namespaces/sel/${PLURAL}/cache`, { spec: { roleName: 'X' } }, { 'content-type': 'application/strategic-merge-patch+json' });
      expect(smp.status).toBe(415);
      expect(smp.json).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType', code: 415 });
      const failedTest = await http('PATCH', `${BASE}/namespaces/sel/${PLURAL}/cache`, [{ op: 'test', path: '/spec/roleName', value: 'Nope' }, { op: 'replace', path: '/spec/roleName', value: 'X' }], { 'content-type': 'application/json-patch+json' });
      expect(failedTest.status).toBe(422);
      // kube-apiserver's wording: neither the operation nor the path is named.
      expect(failedTest.json).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422, message: 'the server rejected our request due to an error in our request', details: {} });
      const passedTest = await http('PATCH', `${BASE}/namespaces/sel/${PLURAL}/cache`, [{ op: 'test', path: '/spec/roleName', value: 'R1' }, { op: 'replace', path: '/spec/roleName', value: 'R2' }], { 'content-type': 'application/json-patch+json' });
      expect(passedTest.status).toBe(200);
      expect((passedTest.json['spec'] as Record<string, unknown>)['roleName']).toBe('R2');
    });

    it('answers 422 with field causes for schema and CEL violations', async () => {
      const res = await http('POST', `${BASE}/namespaces/sel/${PLURAL}`, binding('broken', 'sel', {}, { roleName: 'bad name', instanceIds: undefined }));
      expect(res.status).toBe(422);
      expect(res.json).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422, details: { name: 'broken', group: GROUP, kind: 'InstanceRoleBinding' } });
      expect(String(res.json['message'])).toMatch(/^InstanceRoleBinding\.roles\.ecs\.dev "broken" is invalid: \[/);
      const causes = (res.json['details'] as { causes: { field: string; reason: string; message: string }[] }).causes;
      expect(causes.map((c) => c.field)).toEqual(expect.arrayContaining(['spec.roleName', 'spec']));
      expect(causes.find((c) => c.field === 'spec')?.message).toContain('set spec.instanceIds (at least one ID), spec.instanceSelector, or both');
    });
  });

  describe('writes', () => {
    it('honours fieldValidation Strict, Warn (Warning header) and Ignore', async () => {
      const body = { ...binding('fv', 'sel'), spec: { ...binding('fv', 'sel').spec, extra: true } };
      const strict = await http('POST', `${BASE}/namespaces/sel/${PLURAL}?fieldValidation=Strict`, body);
      expect(strict.status).toBe(400);
      expect(strict.json['message']).toBe('InstanceRoleBinding in version "v1alpha1" cannot be handled as a InstanceRoleBinding: strict decoding error: unknown field "spec.extra"');
      const warn = await http('POST', `${BASE}/namespaces/sel/${PLURAL}?fieldValidation=Warn&dryRun=All`, body);
      expect(warn.status).toBe(201);
      expect(warn.headers.get('warning')).toBe('299 - "unknown field \\"spec.extra\\""');
      const ignore = await http('POST', `${BASE}/namespaces/sel/${PLURAL}?fieldValidation=Ignore`, body);
      expect(ignore.status).toBe(201);
      expect(ignore.headers.get('warning')).toBeNull();
      expect(ignore.json['spec']).not.toHaveProperty('extra');
    });

    it('does not persist dry runs and generates names from generateName', async () => {
      const dry = await http('POST', `${BASE}/namespaces/sel/${PLURAL}?dryRun=All`, binding('dry', 'sel'));
      expect(dry.status).toBe(201);
      expect((await http('GET', `${BASE}/namespaces/sel/${PLURAL}/dry`)).status).toBe(404);
      const generated = (await custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        plural: PLURAL,
        namespace: 'sel',
        body: { ...binding('', 'sel'), metadata: { generateName: 'gen-', namespace: 'sel' } },
      })) as Binding;
      expect(generated.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);
      expect(generated.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(generated.metadata?.creationTimestamp).toBeTruthy();
    });

    it('server-side applies with a field manager and requires one', async () => {
      const yaml = `apiVersion: ${GROUP}/${VERSION}\nkind: InstanceRoleBinding\nmetadata: {name: ssa, namespace: sel}\nspec: {regionId: cn-hangzhou, roleName: Applied, instanceIds: [i-abc]}\n`;
      const missing = await http('PATCH', `${BASE}/namespaces/sel/${PLURAL}/ssa`, yaml, { 'content-type': 'application/apply-patch+yaml' });
      expect(missing.status).toBe(422);
      expect(missing.json['message']).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
      const created = await http('PATCH', `${BASE}/namespaces/sel/${PLURAL}/ssa?fieldManager=gitops`, yaml, { 'content-type': 'application/apply-patch+yaml' });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ spec: { roleName: 'Applied', mode: 'Enforce' } });
      const dropped = await http('PATCH', `${BASE}/namespaces/sel/${PLURAL}/ssa?fieldManager=gitops`, yaml.replace(', instanceIds: [i-abc]', ', instanceSelector: {vpcId: vpc-1}'), { 'content-type': 'application/apply-patch+yaml' });
      expect(dropped.status).toBe(200);
      expect(dropped.json['spec']).toMatchObject({ instanceSelector: { vpcId: 'vpc-1' } });
      expect(dropped.json['spec']).not.toHaveProperty('instanceIds');
    });

    it('records core/v1 Events, merge-patches their count, and serves the same Events as events.k8s.io/v1', async () => {
      const created = await core.createNamespacedEvent({
        namespace: 'sel',
        body: {
          metadata: { generateName: 'cache.', namespace: 'sel' },
          involvedObject: { apiVersion: `${GROUP}/${VERSION}`, kind: 'InstanceRoleBinding', name: 'cache', namespace: 'sel' },
          reason: 'Attached',
          message: 'attached',
          type: 'Normal',
          count: 1,
        },
      });
      const patched = await core.patchNamespacedEvent({ namespace: 'sel', name: created.metadata?.name ?? '', body: { count: 2 } }, mergePatch);
      expect(patched.count).toBe(2);
      const found = await core.listNamespacedEvent({ namespace: 'sel', fieldSelector: 'involvedObject.name=cache,reason=Attached' });
      expect(found.items.map((e) => e.metadata?.name)).toEqual([created.metadata?.name]);
      const eventsApi = kc.makeApiClient(EventsV1Api);
      const modern = await eventsApi.createNamespacedEvent({
        namespace: 'sel',
        body: { metadata: { name: 'modern', namespace: 'sel' }, eventTime: new V1MicroTime(Date.now()), reportingController: 'test', reportingInstance: 'test-1', action: 'Bind', reason: 'Bound', type: 'Normal', regarding: { kind: 'InstanceRoleBinding', name: 'cache', namespace: 'sel' } },
      });
      expect(modern.reason).toBe('Bound');
      // One Event store, two views: each version sees the other's events with its own field names.
      const asCore = await core.readNamespacedEvent({ namespace: 'sel', name: 'modern' });
      expect(asCore.involvedObject.name).toBe('cache');
      expect(asCore.reportingComponent).toBe('test');
      const asModern = await eventsApi.readNamespacedEvent({ namespace: 'sel', name: created.metadata?.name ?? '' });
      expect(asModern.note).toBe('attached');
      expect(asModern.deprecatedCount).toBe(2);
      expect(asModern.regarding?.name).toBe('cache');
      const regarding = await eventsApi.listNamespacedEvent({ namespace: 'sel', fieldSelector: 'regarding.name=cache' });
      expect(regarding.items.map((e) => e.metadata?.name).sort()).toEqual([created.metadata?.name, 'modern'].sort());
    });

    it('deletes a namespace with its contents, waiting for finalizers', async () => {
      await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
      await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: 'doomed', body: { ...binding('held', 'doomed'), metadata: { name: 'held', namespace: 'doomed', finalizers: ['test/hold'] } } });
      await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'cm' }, data: { a: 'b' } } });
      await core.deleteNamespace({ name: 'doomed' });
      const terminating = await core.readNamespace({ name: 'doomed' });
      expect(terminating.status?.phase).toBe('Terminating');
      // The namespace controller empties a terminating namespace in the background (kube-controller-manager).
      await eventually('the namespace emptied', async () => ((await rejection(core.readNamespacedConfigMap({ namespace: 'doomed', name: 'cm' }))).code === 404 ? true : undefined));
      const refused = await rejection(core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'late' } } }));
      expect(refused).toMatchObject({ code: 403, message: 'configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated', details: { name: 'late', kind: 'configmaps' } });
      await custom.patchNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: 'doomed', name: 'held', body: { metadata: { finalizers: null } } }, mergePatch);
      await eventually('the namespace gone', async () => ((await rejection(core.readNamespace({ name: 'doomed' }))).code === 404 ? true : undefined), 30_000);
    });
  });

  describe('tables and discovery', () => {
    it('answers Table requests for built-in kinds and aggregated discovery for kubectl', async () => {
      const table = await http('GET', '/api/v1/namespaces', undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
      expect(table.json).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
      expect((table.json['columnDefinitions'] as { name: string }[]).map((c) => c.name)).toEqual(['Name', 'Status', 'Age']);
      const rows = table.json['rows'] as { cells: unknown[]; object: { kind: string } }[];
      expect(rows.find((r) => r.cells[0] === 'default')?.cells[1]).toBe('Active');
      expect(rows[0]?.object.kind).toBe('PartialObjectMetadata');
      const aggregated = await http('GET', '/apis', undefined, { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
      expect(aggregated.headers.get('content-type')).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
      const groups = aggregated.json['items'] as { metadata: { name: string }; versions: { version: string; resources: { resource: string; scope: string; shortNames?: string[]; subresources?: { subresource: string }[] }[] }[] }[];
      const ours = groups.find((g) => g.metadata.name === GROUP)?.versions[0]?.resources[0];
      expect(ours).toMatchObject({ resource: PLURAL, scope: 'Namespaced', shortNames: ['irb'], subresources: [{ subresource: 'status' }] });
      const legacy = await http('GET', `/apis/${GROUP}/${VERSION}`);
      expect(legacy.json).toMatchObject({ kind: 'APIResourceList', groupVersion: `${GROUP}/${VERSION}` });
      const openapi = await http('GET', '/openapi/v3');
      const entry = (openapi.json['paths'] as Record<string, { serverRelativeURL: string }>)[`apis/${GROUP}/${VERSION}`];
      const doc = await http('GET', entry?.serverRelativeURL ?? '/missing');
      expect(Object.keys(doc.json['components'] as object)).toContain('schemas');
    });
  });
});
