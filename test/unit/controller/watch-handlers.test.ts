import { describe, expect, it } from 'vitest';
import { FINALIZER, RECONCILE_REQUESTED_AT_ANNOTATION } from '../../../src/api/instance-role-binding.js';
import { bindingWatchHandlers, shouldReconcile } from '../../../src/controller/watch-handlers.js';
import { BindingCache } from '../../../src/kube/binding-cache.js';
import { deleting, irb } from '../fakes/bindings.js';

function setup() {
  const cache = new BindingCache();
  const queued: string[] = [];
  const forgotten: string[] = [];
  const handlers = bindingWatchHandlers({ cache, enqueue: (k) => void queued.push(k), forgetRole: (r) => void forgotten.push(r) });
  return { cache, queued, forgotten, handlers };
}

describe('bindingWatchHandlers', () => {
  it('queues a new binding, a spec change and a reconcile request, not its own status writes', () => {
    const { queued, forgotten, handlers } = setup();
    const web = irb('web', { instanceIds: ['i-a'] });
    handlers.upsert(web);
    handlers.upsert({ ...web, status: { observedGeneration: 1 } });
    handlers.upsert({ ...web, metadata: { ...web.metadata, generation: 2 } });
    handlers.upsert({ ...web, metadata: { ...web.metadata, generation: 2, annotations: { [RECONCILE_REQUESTED_AT_ANNOTATION]: 'now' } } });
    expect(queued).toEqual(['ns/web', 'ns/web', 'ns/web']);
    expect(forgotten).toEqual(['RoleA']);
  });

  it('wakes the competitors of a binding that is gone, for the instances it named or last targeted', () => {
    const { queued, handlers } = setup();
    handlers.upsert(irb('named', { instanceIds: ['i-b'] }));
    handlers.upsert(irb('other', { instanceIds: ['i-z'] }));
    const selector = irb('selector', { instanceSelector: { tags: { app: 'web' } } });
    handlers.upsert({ ...selector, status: { instances: [{ instanceId: 'i-b', state: 'Bound' }] } });
    queued.length = 0;
    handlers.remove({ ...selector, status: { instances: [{ instanceId: 'i-b', state: 'Bound' }] } });
    expect(queued).toEqual(['ns/named']);
  });

  it('wakes competitors once a deleting binding lets go of our finalizer (another finalizer may keep it)', () => {
    const { queued, handlers } = setup();
    const old = irb('old', { instanceIds: ['i-a'] }, { finalizers: [FINALIZER, 'example.com/other'] });
    handlers.upsert(irb('young', { instanceIds: ['i-a'], roleName: 'RoleB' }, { creationTimestamp: '2026-02-01T00:00:00Z' }));
    handlers.upsert(old);
    const going = deleting(old);
    handlers.upsert(going);
    queued.length = 0;
    handlers.upsert({ ...going, metadata: { ...going.metadata, finalizers: ['example.com/other'] } });
    expect(queued).toEqual(['ns/old', 'ns/young']);
  });
});

describe('shouldReconcile', () => {
  it('lets deletion and finalizer changes while deleting through, ignores status-only updates', () => {
    const b = irb('a', { instanceIds: ['i-a'] });
    expect(shouldReconcile(undefined, b)).toBe(true);
    expect(shouldReconcile(b, { ...b, status: {} })).toBe(false);
    const deleting = { ...b, metadata: { ...b.metadata, deletionTimestamp: 'x', finalizers: [FINALIZER] } };
    expect(shouldReconcile(b, deleting)).toBe(true);
    expect(shouldReconcile(deleting, { ...deleting, metadata: { ...deleting.metadata, finalizers: [] } })).toBe(true);
  });
});
