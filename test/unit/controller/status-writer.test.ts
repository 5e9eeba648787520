import { describe, expect, it } from 'vitest';
import type { InstanceRoleBinding, InstanceRoleBindingStatus } from '../../../src/api/instance-role-binding.js';
import { StatusWriter } from '../../../src/controller/status-writer.js';
import { MAX_LISTED_INSTANCES } from '../../../src/api/instance-role-binding.js';
import type { BindingApi } from '../../../src/kube/binding-api.js';
import { irb } from '../fakes/bindings.js';

/** A BindingApi whose status writes answer with resourceVersion "rv-N" (N counts the writes). */
function api(): BindingApi {
  let n = 0;
  return {
    async patchStatus(b: InstanceRoleBinding, status: InstanceRoleBindingStatus) {
      n++;
      return { ...b, metadata: { ...b.metadata, resourceVersion: `rv-${n}` }, status };
    },
    async setFinalizers(b: InstanceRoleBinding, finalizers: string[]) {
      return { ...b, metadata: { ...b.metadata, finalizers } };
    },
  };
}

const written: InstanceRoleBindingStatus = { conditions: [], instances: [{ instanceId: 'i-1', state: 'Bound' }] } as unknown as InstanceRoleBindingStatus;

describe('StatusWriter', () => {
  it('answers its own last write while the informer still has an older object', async () => {
    const writer = new StatusWriter(api());
    const stale = irb('web', {}, { resourceVersion: 'rv-0' });
    await writer.writeStatus(stale, written);
    expect(writer.lastStatus(stale)).toBe(written);
    writer.observed(stale);
    expect(writer.pending()).toBe(1);
  });

  it('drops its copy once the informer delivers the object the write produced, and then answers the informer\'s', async () => {
    const writer = new StatusWriter(api());
    const binding = irb('web', {}, { resourceVersion: 'rv-0' });
    await writer.writeStatus(binding, written);
    const delivered = { ...binding, metadata: { ...binding.metadata, resourceVersion: 'rv-1' }, status: written };
    writer.observed(delivered);
    expect(writer.pending()).toBe(0);
    expect(writer.lastStatus(delivered)).toBe(delivered.status);
  });

  it('drops its copy at once when the watch event came before the write\'s answer', async () => {
    let current: InstanceRoleBinding | undefined;
    const writer = new StatusWriter(api(), () => current);
    const binding = irb('web', {}, { resourceVersion: 'rv-0' });
    current = { ...binding, metadata: { ...binding.metadata, resourceVersion: 'rv-1' }, status: written };
    await writer.writeStatus(binding, written);
    expect(writer.pending()).toBe(0);
  });

  it('never takes another object of the same name (other uid) for its write', async () => {
    const writer = new StatusWriter(api());
    const binding = irb('web', {}, { resourceVersion: 'rv-0' });
    await writer.writeStatus(binding, written);
    const recreated = irb('web', {}, { uid: 'uid-other', resourceVersion: 'rv-1' });
    writer.observed(recreated);
    expect(writer.pending()).toBe(1);
    expect(writer.lastStatus(recreated)).toBe(recreated.status);
  });

  it('writes a status over the listing cap cut, and keeps the whole one as the last status after the informer delivers the cut one', async () => {
    const sent: InstanceRoleBindingStatus[] = [];
    const base = api();
    const writer = new StatusWriter({ ...base, patchStatus: (b, status) => (sent.push(status), base.patchStatus(b, status)) });
    const n = MAX_LISTED_INSTANCES + 5;
    const whole: InstanceRoleBindingStatus = {
      summary: { desired: n, bound: n, conflicts: 0, errors: 0 },
      instances: Array.from({ length: n }, (_, i) => ({ instanceId: `i-${String(i).padStart(5, '0')}`, state: 'Bound' as const })),
    };
    const binding = irb('big', {}, { resourceVersion: 'rv-0' });
    await writer.writeStatus(binding, whole);
    expect(sent[0]?.instances).toHaveLength(MAX_LISTED_INSTANCES);
    expect(sent[0]?.unlistedInstances).toBe(5);
    expect(sent[0]?.summary).toEqual(whole.summary);
    const delivered = { ...binding, metadata: { ...binding.metadata, resourceVersion: 'rv-1' }, status: sent[0] };
    writer.observed(delivered);
    expect(writer.lastStatus(delivered)).toBe(whole);
  });
});
