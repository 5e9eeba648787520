/** What every end-to-end world does the same way on each target: kubectl verbs and the cloud simulator's /sim/. */
import type { InstanceRoleBinding } from '../../src/api/instance-role-binding.js';
import type { KubectlResult, SimControl } from './process-helpers.js';
import type { World } from './world.js';

type Operations = Pick<World, 'kubectl' | 'apply' | 'binding' | 'roleOf' | 'setRole' | 'calls' | 'clearCalls' | 'sim'>;

export function worldOperations(kubectl: (args: string[], input?: string) => Promise<KubectlResult>, control: SimControl): Operations {
  return {
    kubectl,
    apply: async (yaml) => {
      const r = await kubectl(['apply', '-f', '-'], yaml);
      if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
    },
    binding: async (namespace, name) => {
      const r = await kubectl(['get', 'irb', '-n', namespace, name, '-o', 'json']);
      return r.code === 0 ? (JSON.parse(r.stdout) as InstanceRoleBinding) : undefined;
    },
    roleOf: control.roleOf,
    setRole: control.setRole,
    calls: control.calls,
    clearCalls: async () => {
      await control.call('DELETE', '/sim/calls');
    },
    sim: control.call,
  };
}
