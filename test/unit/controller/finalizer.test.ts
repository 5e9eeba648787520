import { describe, expect, it } from 'vitest';
import { FINALIZER, type InstanceRoleBinding } from '../../../src/api/instance-role-binding.js';
import { type Cleanup, withFinalizer } from '../../../src/controller/finalizer.js';

function irb(meta: Partial<InstanceRoleBinding['metadata']> = {}): InstanceRoleBinding {
  return { apiVersion: 'roles.ecs.dev/v1alpha1', kind: 'InstanceRoleBinding', metadata: { name: 'a', namespace: 'ns', ...meta }, spec: { regionId: 'cn-hangzhou', roleName: 'R' } };
}

function run(binding: InstanceRoleBinding, wanted: boolean, cleanup: Cleanup<string> = { released: true }) {
  const log: string[] = [];
  const writes = {
    setFinalizers: async (b: InstanceRoleBinding, finalizers: string[]) => {
      log.push(`finalizers ${finalizers.join(',') || '-'}`);
      b.metadata.finalizers = finalizers;
    },
  };
  const result = withFinalizer(binding, writes, {
    wanted,
    apply: async () => {
      log.push('apply');
      return 'applied';
    },
    cleanup: async () => {
      log.push('cleanup');
      return cleanup;
    },
    finished: (why) => why,
  });
  return result.then((r) => ({ result: r, log }));
}

describe('withFinalizer', () => {
  it('adds the finalizer before apply when wanted, and only then', async () => {
    expect(await run(irb(), true)).toEqual({ result: 'applied', log: [`finalizers ${FINALIZER}`, 'apply'] });
    expect(await run(irb({ finalizers: [FINALIZER] }), true)).toEqual({ result: 'applied', log: ['apply'] });
    expect(await run(irb(), false)).toEqual({ result: 'applied', log: ['apply'] });
  });

  it('on deletion, cleans up and removes only our finalizer once released', async () => {
    const deleting = irb({ deletionTimestamp: 'x', finalizers: ['other', FINALIZER] });
    expect(await run(deleting, true)).toEqual({ result: 'finalized', log: ['cleanup', 'finalizers other'] });
  });

  it('keeps the finalizer while cleanup is not done, and leaves objects that are not ours', async () => {
    const deleting = irb({ deletionTimestamp: 'x', finalizers: [FINALIZER] });
    expect(await run(deleting, true, { released: false, result: 'retry' })).toEqual({ result: 'retry', log: ['cleanup'] });
    expect(await run(irb({ deletionTimestamp: 'x', finalizers: ['other'] }), true)).toEqual({ result: 'not ours to clean up', log: [] });
  });
});
