import { describe, expect, it } from 'vitest';
import type { InstanceRolePolicy } from '../../../src/api/instance-role-policy.js';
import { namespaceWatchHandlers, policyWatchHandlers } from '../../../src/controller/tenancy-watch.js';
import { TenancyCache } from '../../../src/kube/tenancy-cache.js';

const policy = (name: string, spec: InstanceRolePolicy['spec'], generation = 1): InstanceRolePolicy => ({
  apiVersion: 'roles.ecs.dev/v1alpha1',
  kind: 'InstanceRolePolicy',
  metadata: { name, namespace: '', uid: `uid-${name}`, generation },
  spec,
});
const namespace = (name: string, labels: Record<string, string> = {}) => ({ metadata: { name, labels } });

function setup() {
  const tenancy = new TenancyCache('enforce');
  const queued: string[] = [];
  const changed: string[] = [];
  let recounts = 0;
  const deps = {
    tenancy,
    bindingKeys: () => ['team-a/web', 'team-a/db', 'team-b/api', 'team-c/x'],
    enqueue: (key: string) => void queued.push(key),
    policies: { policyChanged: (name: string) => void changed.push(name), recount: () => void recounts++ },
  };
  return { tenancy, queued, changed, recounts: () => recounts, policies: policyWatchHandlers(deps), namespaces: namespaceWatchHandlers(deps) };
}

describe('tenancy watches', () => {
  it('is synced only once both policies and namespaces were listed', () => {
    const { tenancy, policies, namespaces } = setup();
    expect(tenancy.synced()).toBe(false);
    policies.listed?.();
    expect(tenancy.synced()).toBe(false);
    namespaces.listed?.();
    expect(tenancy.synced()).toBe(true);
    expect(new TenancyCache('disabled').synced()).toBe(true);
  });

  it('a policy change queues the bindings of the namespaces its old and its new spec select; its own status write queues nothing', () => {
    const { queued, changed, policies, namespaces } = setup();
    namespaces.upsert(namespace('team-b', { tenant: 'b' }));
    queued.length = 0;
    policies.upsert(policy('p', { namespaces: ['team-a'], roles: ['R'] }));
    expect(queued.sort()).toEqual(['team-a/db', 'team-a/web']);
    queued.length = 0;
    policies.upsert({ ...policy('p', { namespaces: ['team-a'], roles: ['R'] }), status: { permittedBindings: 2 } });
    expect(queued).toEqual([]);
    policies.upsert(policy('p', { namespaceSelector: { matchLabels: { tenant: 'b' } }, roles: ['R'] }, 2));
    expect(queued.sort()).toEqual(['team-a/db', 'team-a/web', 'team-b/api']);
    queued.length = 0;
    policies.remove(policy('p', { namespaceSelector: { matchLabels: { tenant: 'b' } }, roles: ['R'] }, 2));
    expect(queued).toEqual(['team-b/api']);
    expect(changed).toEqual(['p', 'p', 'p']);
  });

  it('an invalid policy permits nothing, but a change to it still queues what it names', () => {
    const { tenancy, queued, policies } = setup();
    policies.upsert(policy('bad', { namespaces: ['team-c'], roles: [] }));
    expect(queued).toEqual(['team-c/x']);
    expect(tenancy.policy('bad')?.checked).toEqual({ invalid: expect.stringContaining('spec.roles is empty') });
    expect(tenancy.permissions().binding({ namespace: 'team-c', roleName: 'R', regionId: 'cn-hangzhou' }).permitted).toBe(false);
  });

  it('a namespace label change queues that namespace’s bindings and recounts the policies; other changes do not', () => {
    const { tenancy, queued, recounts, namespaces, policies } = setup();
    policies.upsert(policy('b', { namespaceSelector: { matchLabels: { tenant: 'b' } }, roles: ['R'] }));
    namespaces.upsert(namespace('team-b'));
    expect(tenancy.permissions().binding({ namespace: 'team-b', roleName: 'R', regionId: 'cn-hangzhou' }).permitted).toBe(false);
    queued.length = 0;
    namespaces.upsert(namespace('team-b'));
    expect(queued).toEqual([]);
    namespaces.upsert(namespace('team-b', { tenant: 'b' }));
    expect(queued).toEqual(['team-b/api']);
    expect(recounts()).toBe(2);
    expect(tenancy.permissions().binding({ namespace: 'team-b', roleName: 'R', regionId: 'cn-hangzhou' }).permitted).toBe(true);
    namespaces.remove(namespace('team-b', { tenant: 'b' }));
    expect(tenancy.permissions().binding({ namespace: 'team-b', roleName: 'R', regionId: 'cn-hangzhou' }).permitted).toBe(false);
  });
});
