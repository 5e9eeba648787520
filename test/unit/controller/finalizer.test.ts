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

  it('hands apply the finalizer write on its way, so reads need not wait; apply awaits it before writing', async () => {
    const log: string[] = [];
    let finishWrite: () => void = () => undefined;
    const writes = {
      setFinalizers: (_b: InstanceRoleBinding, finalizers: string[]) =>
        new Promise<void>((resolve) => {
          log.push(`finalizers ${finalizers.join(',')} sent`);
          finishWrite = () => {
            log.push('finalizer in place');
            resolve();
          };
        }),
    };
    const result = withFinalizer(irb(), writes, {
      wanted: true,
      apply: async (finalizerInPlace) => {
        log.push('read the cloud');
        setTimeout(finishWrite, 5);
        await finalizerInPlace;
        log.push('write');
        return 'applied';
      },
      cleanup: async () => ({ released: true }),
      finished: (why) => why,
    });
    expect(await result).toBe('applied');
    expect(log).toEqual([`finalizers ${FINALIZER} sent`, 'read the cloud', 'finalizer in place', 'write']);
  });

  it('fails the pass when the finalizer write fails, whether or not apply awaited it', async () => {
    const refused = { setFinalizers: async () => Promise.reject(new Error('409 Conflict')) };
    const handlers = (awaitIt: boolean) => ({
      wanted: true,
      apply: async (finalizerInPlace: Promise<void>) => {
        if (awaitIt) await finalizerInPlace;
        return 'applied';
      },
      cleanup: async (): Promise<Cleanup<string>> => ({ released: true }),
      finished: (why: string) => why,
    });
    await expect(withFinalizer(irb(), refused, handlers(true))).rejects.toThrow('409 Conflict');
    await expect(withFinalizer(irb(), refused, handlers(false))).rejects.toThrow('409 Conflict');
  });

  it('leaves no unhandled rejection when apply fails before the finalizer write does', async () => {
    const refused = { setFinalizers: () => new Promise<void>((_, reject) => setTimeout(() => reject(new Error('409 Conflict')), 5)) };
    const run = withFinalizer(irb(), refused, {
      wanted: true,
      apply: async () => Promise.reject(new Error('aborted')),
      cleanup: async () => ({ released: true }),
      finished: (why) => why,
    });
    await expect(run).rejects.toThrow('aborted');
    await new Promise((r) => setTimeout(r, 20));
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
