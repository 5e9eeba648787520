/**
 * An end-to-end world for tests on one Kubernetes target: the Kubernetes API (the project's
 * emulator, or a real kube-apiserver), the cloud simulator and the operator, all on 127.0.0.1,
 * driven with the real kubectl and observed through the cloud simulator's control plane (/sim/).
 *
 * On the emulator the world is the sandbox (packages/sandbox: emulator, simulator and operator in
 * this process); on the real server it is assembled in real-kube-world.ts around startRealKube
 * with the operator in this process. Tests take the target from describeEachTarget.
 */
import type { InstanceRoleBinding } from '../../src/api/instance-role-binding.js';
import type { CallRecord } from '@ecs-role-operator/alicloud-sim';
import type { KubeTargetName } from '../support/kube-target.js';
import { startEmulatorWorld } from './emulator-world.js';
import { startRealKubeWorld } from './real-kube-world.js';

export type { CallRecord };
export type { KubeTargetName };

export interface World {
  readonly target: KubeTargetName;
  kubeconfig: string;
  cloudUrl: string;
  kubectl(args: string[], input?: string): Promise<{ stdout: string; stderr: string; code: number }>;
  apply(yaml: string): Promise<void>;
  binding(namespace: string, name: string): Promise<InstanceRoleBinding | undefined>;
  roleOf(instanceId: string): Promise<string | null>;
  setRole(instanceId: string, roleName: string | null): Promise<void>;
  calls(): Promise<CallRecord[]>;
  clearCalls(): Promise<void>;
  sim(method: string, path: string, body?: unknown): Promise<unknown>;
  /**
   * Ends every watch the operator has open, abruptly. Emulator: its dropWatches hook. Real server:
   * the operator talks to it through a TCP proxy, which cuts every connection (in-flight requests too).
   */
  cutWatches(): void;
  /**
   * cutWatches, and, where the target can be told to, forgets the change history so resuming from
   * an older resourceVersion gets 410 Gone (the emulator's compact hook). The real kube-apiserver
   * resumes from its watch cache, so on it this is a cut and the 410 path is the informer's own.
   */
  chaos(): void;
  stop(): Promise<void>;
}

export interface WorldOptions {
  fleetYaml: string;
  defaultResyncMs?: number;
  /**
   * Manifests (YAML) applied before the operator starts, e.g. InstanceRolePolicies and namespaces.
   * Default: a policy letting namespace `default` bind any role anywhere, as a single-tenant admin would.
   */
  manifests?: string;
}

/** The world on the given target (one per suite: the real server takes seconds to start). */
export function startWorld(target: KubeTargetName, opts: WorldOptions): Promise<World> {
  return target === 'real' ? startRealKubeWorld(opts) : startEmulatorWorld(opts);
}

/** Polls until `check` returns a value other than undefined/false, or fails with the last value seen. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function condition(b: InstanceRoleBinding | undefined, type: string) {
  return b?.status?.conditions?.find((c) => c.type === type);
}

export function instanceState(b: InstanceRoleBinding | undefined, id: string) {
  return b?.status?.instances?.find((i) => i.instanceId === id);
}

