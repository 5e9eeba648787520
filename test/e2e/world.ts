/**
 * An end-to-end world for tests: the Kubernetes API emulator, the cloud simulator and the operator,
 * all in this process on 127.0.0.1, driven with the real kubectl and observed through the cloud
 * simulator's control plane (/sim/).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { InstanceRoleBinding } from '../../src/api/instance-role-binding.js';
import { startSandbox, type Sandbox } from '@ecs-role-operator/sandbox';
import { type CallRecord, parseFleet } from '@ecs-role-operator/alicloud-sim';
import { PERMIT_DEFAULT_NAMESPACE, kubectl as runKubectl, simControl } from './process-helpers.js';

export type { CallRecord };

export interface World {
  sandbox: Sandbox;
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

export async function startWorld(opts: WorldOptions): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'irb-e2e-'));
  const manifests = join(dir, 'manifests');
  mkdirSync(manifests);
  writeFileSync(join(manifests, 'tenancy.yaml'), opts.manifests ?? PERMIT_DEFAULT_NAMESPACE);
  const logger = pino({ level: process.env.E2E_LOG_LEVEL ?? 'silent' });
  const sandbox = await startSandbox({
    logger,
    kubePort: 0,
    cloudPort: 0,
    fleet: parseFleet(opts.fleetYaml),
    examplesPath: manifests,
    kubeconfigPath: join(dir, 'kubeconfig'),
    defaultResyncMs: opts.defaultResyncMs ?? 60_000,
    concurrency: 4,
    qps: 100,
    batchWindowMs: 5,
  });
  const kubeconfig = sandbox.kubeconfigPath;
  const cloudUrl = sandbox.cloud.url;

  const kubectl: World['kubectl'] = (args, input) => runKubectl(kubeconfig, args, input);
  const control = simControl(cloudUrl);
  const sim = control.call;

  return {
    sandbox,
    kubeconfig,
    cloudUrl,
    kubectl,
    apply: async (yaml) => {
      const r = await kubectl(['apply', '-f', '-'], yaml);
      if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
    },
    binding: async (namespace, name) => {
      const r = await kubectl(['get', 'irb', '-n', namespace, name, '-o', 'json']);
      if (r.code !== 0) return undefined;
      return JSON.parse(r.stdout) as InstanceRoleBinding;
    },
    roleOf: control.roleOf,
    setRole: control.setRole,
    calls: control.calls,
    clearCalls: async () => {
      await sim('DELETE', '/sim/calls');
    },
    sim,
    stop: () => sandbox.stop(),
  };
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

