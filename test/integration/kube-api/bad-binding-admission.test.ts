/**
 * Bad InstanceRoleBinding input is refused at admission on each Kubernetes target, with the CRD's
 * own message, and the stored object stays as it was (issue 10 items 1, 2 and 8): a resyncPeriod
 * past 24h (the timer-overflow hot loop), a Ready binding edited to `instanceIds: []` (the orphaned
 * role), a selector tag key past ECS's 128 characters.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { MAX_RESYNC_PERIOD, MAX_TAG_KEY_LENGTH } from '../../../src/api/instance-role-binding.js';
import { type KubeTarget, describeEachTarget, startKubeTarget } from '../../support/kube-target.js';
import { Kubectl } from './helpers.js';

function binding(name: string, spec: Record<string, unknown>): string {
  return stringify({
    apiVersion: 'roles.ecs.dev/v1alpha1',
    kind: 'InstanceRoleBinding',
    metadata: { name, namespace: 'default' },
    spec: { regionId: 'cn-hangzhou', roleName: 'EcsRamRoleWeb', ...spec },
  });
}

describeEachTarget('bad InstanceRoleBinding input', (target) => {
  let kube: KubeTarget;
  let kubectl: Kubectl;

  beforeAll(async () => {
    kube = await startKubeTarget(target);
    kubectl = new Kubectl(kube);
  });
  afterAll(async () => {
    kubectl?.cleanup();
    await kube?.stop();
  });

  const storedSpec = async (name: string): Promise<Record<string, unknown>> =>
    (JSON.parse(await kubectl.ok(['get', 'irb', name, '-n', 'default', '-o', 'json'])) as { spec: Record<string, unknown> }).spec;

  it('editing a binding to instanceIds: [] without a selector is refused, and the binding keeps its instances', async () => {
    await kubectl.ok(['apply', '-f', '-'], binding('web', { instanceIds: ['i-bp1web0001'] }));
    const edited = await kubectl.run(['apply', '-f', '-'], binding('web', { instanceIds: [] }));
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain('name the instances: set spec.instanceIds (at least one ID), spec.instanceSelector, or both');
    expect((await storedSpec('web')).instanceIds).toEqual(['i-bp1web0001']);
  });

  it(`a resyncPeriod past ${MAX_RESYNC_PERIOD} is refused (no timer can overflow), and so is an edit to one`, async () => {
    const created = await kubectl.run(['apply', '-f', '-'], binding('slow', { instanceIds: ['i-bp1web0002'], resyncPeriod: '1000h' }));
    expect(created.code).toBe(1);
    expect(created.stderr).toContain(`resyncPeriod must be at most ${MAX_RESYNC_PERIOD}`);
    expect((await kubectl.run(['get', 'irb', 'slow', '-n', 'default'])).code).toBe(1);
    await kubectl.ok(['apply', '-f', '-'], binding('slow', { instanceIds: ['i-bp1web0002'], resyncPeriod: MAX_RESYNC_PERIOD }));
    const edited = await kubectl.run(['apply', '-f', '-'], binding('slow', { instanceIds: ['i-bp1web0002'], resyncPeriod: '597h' }));
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain(`resyncPeriod must be at most ${MAX_RESYNC_PERIOD}`);
    expect((await storedSpec('slow')).resyncPeriod).toBe(MAX_RESYNC_PERIOD);
  });

  it(`a selector tag key longer than ${MAX_TAG_KEY_LENGTH} characters is refused; ${MAX_TAG_KEY_LENGTH} is accepted`, async () => {
    const tooLong = await kubectl.run(['apply', '-f', '-'], binding('tagged', { instanceSelector: { tags: { ['k'.repeat(MAX_TAG_KEY_LENGTH + 1)]: 'v' } } }));
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toContain(`tag keys must be 1-${MAX_TAG_KEY_LENGTH} characters (the ECS limit)`);
    await kubectl.ok(['apply', '-f', '-'], binding('tagged', { instanceSelector: { tags: { ['k'.repeat(MAX_TAG_KEY_LENGTH)]: 'v' } } }));
  });
});
